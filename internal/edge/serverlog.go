package edge

import (
	"fmt"
	"strings"
	"sync"
)

// serverLog keeps the latest warnings and errors of the check's edge
// server (a failed leaf connection says why only there), cut free of
// secrets. It implements nats-server's Logger.
type serverLog struct {
	mu      sync.Mutex
	secrets []string
	lines   []string
}

const maxServerLines = 20

func (l *serverLog) add(level, format string, args ...any) {
	line := level + ": " + fmt.Sprintf(format, args...)
	for _, s := range l.secrets {
		if len(s) >= 4 {
			line = strings.ReplaceAll(line, s, "REDACTED")
		}
	}
	if len(line) > 300 {
		line = line[:300] + "…"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	if len(l.lines) > maxServerLines {
		l.lines = l.lines[len(l.lines)-maxServerLines:]
	}
}

// last returns the latest n distinct lines, newest last.
func (l *serverLog) last(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	seen := map[string]bool{}
	for _, s := range l.lines {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

func (l *serverLog) Noticef(string, ...any)            {}
func (l *serverLog) Debugf(string, ...any)             {}
func (l *serverLog) Tracef(string, ...any)             {}
func (l *serverLog) Warnf(format string, args ...any)  { l.add("warning", format, args...) }
func (l *serverLog) Errorf(format string, args ...any) { l.add("error", format, args...) }
func (l *serverLog) Fatalf(format string, args ...any) { l.add("fatal", format, args...) }
