package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// stateBytes is what one resource adds to the state file: the file's size
// less the size of the same file with no instances, over the instances.
// pretty is the file as Terraform writes it (indented); compact the same
// JSON without whitespace.
func stateBytes(path string) (pretty, compact float64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("read state: %w", err)
	}
	var st map[string]any
	if err := json.Unmarshal(b, &st); err != nil {
		return 0, 0, fmt.Errorf("parse state: %w", err)
	}
	n := 0
	resources, _ := st["resources"].([]any)
	for _, r := range resources {
		if m, ok := r.(map[string]any); ok {
			inst, _ := m["instances"].([]any)
			n += len(inst)
			m["instances"] = []any{}
		}
	}
	if n == 0 {
		return 0, 0, fmt.Errorf("state %s holds no resource instances", path)
	}
	empty, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return 0, 0, err
	}
	var full, emptyC bytes.Buffer
	if err := json.Compact(&full, b); err != nil {
		return 0, 0, err
	}
	if err := json.Compact(&emptyC, empty); err != nil {
		return 0, 0, err
	}
	return float64(len(bytes.TrimSpace(b))-len(empty)) / float64(n), float64(full.Len()-emptyC.Len()) / float64(n), nil
}

// rssWatch samples the peak resident set (VmHWM, a high-water mark, so a
// sample late in a process's life sees its whole peak) of every running
// process whose executable is exe, until stop.
type rssWatch struct {
	exe  string
	done chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	peak map[int]int // pid -> kB
}

func watchRSS(exe string) *rssWatch {
	w := &rssWatch{exe: exe, done: make(chan struct{}), peak: map[int]int{}}
	if exe == "" {
		return w
	}
	if abs, err := filepath.Abs(exe); err == nil {
		w.exe = abs
	}
	if real, err := filepath.EvalSymlinks(w.exe); err == nil {
		w.exe = real
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			w.sample()
			select {
			case <-w.done:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *rssWatch) sample() {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err != nil || exe != w.exe {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
				w.mu.Lock()
				w.peak[pid] = max(w.peak[pid], kb)
				w.mu.Unlock()
			}
		}
	}
}

// stop ends the watch and returns the highest peak of any process, in MiB.
func (w *rssWatch) stop() float64 {
	if w.exe != "" {
		close(w.done)
		w.wg.Wait()
	}
	top := 0
	for _, kb := range w.peak {
		top = max(top, kb)
	}
	return float64(top) / 1024
}
