package testnats

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// IsolateTemp points TMPDIR at a new directory for the rest of the process,
// so that a test package can prove it leaves nothing of its own there while
// other packages' tests run beside it. done reports every entry whose name
// starts with prefix, then removes the directory.
func IsolateTemp(prefix string) (done func() error, err error) {
	dir, err := os.MkdirTemp("", "testnats-tmp-")
	if err != nil {
		return nil, fmt.Errorf("make temp dir: %w", err)
	}
	old, had := os.LookupEnv("TMPDIR")
	if err := os.Setenv("TMPDIR", dir); err != nil {
		return nil, fmt.Errorf("set TMPDIR: %w", err)
	}
	return func() error {
		defer os.RemoveAll(dir)
		if had {
			os.Setenv("TMPDIR", old)
		} else {
			os.Unsetenv("TMPDIR")
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("read temp dir: %w", err)
		}
		var left []string
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), prefix) {
				left = append(left, filepath.Join(dir, e.Name()))
			}
		}
		if len(left) > 0 {
			return fmt.Errorf("left behind in the temp dir: %s", strings.Join(left, ", "))
		}
		return nil
	}, nil
}
