package conformance

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/sirupsen/logrus"
)

// KINE logs through logrus' process-wide standard logger, so capturing it
// cannot be scoped to one check: kineLogs takes over that logger once
// (nothing printed, Fatal does not exit the provider) and routes its
// warnings and errors to the checks running at that moment. A line naming
// a check's run ID or bucket stream goes to that check alone; any other
// line goes to every check, since it cannot be told whose it is. Every line
// is cut free of the secrets of all running checks, so a line shown by one
// check never carries another's password.
var kineLogs logRouter

type logRouter struct {
	once  sync.Once
	mu    sync.Mutex
	sinks map[*logSink]struct{}
}

func (lr *logRouter) install() {
	lr.once.Do(func() {
		l := logrus.StandardLogger()
		l.SetOutput(io.Discard)
		l.SetLevel(logrus.WarnLevel)
		// KINE calls Fatalf on a watch invariant breach; in a provider
		// process that must fail the step, not kill Terraform's plugin.
		l.ExitFunc = func(int) {}
		l.AddHook(lr)
	})
}

// Levels implements logrus.Hook.
func (lr *logRouter) Levels() []logrus.Level {
	return []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}
}

// Fire implements logrus.Hook.
func (lr *logRouter) Fire(e *logrus.Entry) error {
	line := e.Level.String() + ": " + e.Message
	if len(e.Data) > 0 {
		keys := make([]string, 0, len(e.Data))
		for k := range e.Data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			line += fmt.Sprintf(" %s=%v", k, e.Data[k])
		}
	}
	lr.mu.Lock()
	defer lr.mu.Unlock()
	var secrets []string
	var owners []*logSink
	for s := range lr.sinks {
		secrets = append(secrets, s.secrets...)
		if s.owns(line) {
			owners = append(owners, s)
		}
	}
	line = redact(line, secrets)
	if len(owners) > 0 {
		for _, s := range owners {
			s.add(line)
		}
		return nil
	}
	for s := range lr.sinks {
		s.add(line)
	}
	return nil
}

// attach starts capturing for one check. Lines containing one of tags are
// the check's own; secrets are cut out of every line.
func (lr *logRouter) attach(secrets, tags []string) *logSink {
	lr.install()
	s := &logSink{secrets: secrets, tags: tags}
	lr.mu.Lock()
	defer lr.mu.Unlock()
	if lr.sinks == nil {
		lr.sinks = map[*logSink]struct{}{}
	}
	lr.sinks[s] = struct{}{}
	return s
}

func (lr *logRouter) detach(s *logSink) {
	lr.mu.Lock()
	defer lr.mu.Unlock()
	delete(lr.sinks, s)
}

// logSink keeps the most recent KINE warnings and errors of one check.
type logSink struct {
	mu      sync.Mutex
	secrets []string
	tags    []string
	lines   []string
	total   int // lines ever added; marks let a step take only its own
}

const maxLogLines = 40

// owns reports whether line names this check.
func (s *logSink) owns(line string) bool {
	for _, t := range s.tags {
		if t != "" && strings.Contains(line, t) {
			return true
		}
	}
	return false
}

func (s *logSink) add(line string) {
	if len(line) > 400 {
		line = line[:400] + "…"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, line)
	if len(s.lines) > maxLogLines {
		s.lines = s.lines[len(s.lines)-maxLogLines:]
	}
	s.total++
}

// mark is a position to read new lines from.
func (s *logSink) mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// since returns up to n distinct lines added after mark, newest last.
func (s *logSink) since(mark, n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	fresh := s.total - mark
	if fresh > len(s.lines) {
		fresh = len(s.lines)
	}
	var out []string
	seen := map[string]bool{}
	for _, l := range s.lines[len(s.lines)-fresh:] {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

// redact cuts secrets (passwords, tokens, credentials) out of s.
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "REDACTED")
		}
	}
	return s
}
