package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	kinetls "github.com/k3s-io/kine/pkg/tls"
)

// TempPrefix starts the name of everything the provider writes to the temp
// dir, so that tests can prove none of it is left behind.
const TempPrefix = "nats-k3s-"

// privateDir holds the files KINE reads by path (credentials, TLS material)
// for one run: a 0700 temp dir with 0600 files, removed afterwards.
type privateDir struct {
	path string
}

func newPrivateDir() (*privateDir, error) {
	p, err := os.MkdirTemp("", TempPrefix+"conformance-")
	if err != nil {
		return nil, fmt.Errorf("make private temp dir: %w", err)
	}
	if err := os.Chmod(p, 0o700); err != nil {
		os.RemoveAll(p)
		return nil, fmt.Errorf("make private temp dir: %w", err)
	}
	return &privateDir{path: p}, nil
}

// write stores content under name (0600) and returns its path.
func (d *privateDir) write(name string, content []byte) (string, error) {
	p := filepath.Join(d.path, name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	return p, nil
}

func (d *privateDir) remove() {
	if d != nil {
		os.RemoveAll(d.path)
	}
}

// kineTLS turns TLS (PEM content or paths) into the file paths KINE takes.
func (d *privateDir) kineTLS(t TLS) (kinetls.Config, error) {
	var c kinetls.Config
	var err error
	if c.CAFile, err = d.pemOrPath("ca.pem", t.CA); err != nil {
		return c, err
	}
	if c.CertFile, err = d.pemOrPath("cert.pem", t.Cert); err != nil {
		return c, err
	}
	if c.KeyFile, err = d.pemOrPath("key.pem", t.Key); err != nil {
		return c, err
	}
	return c, nil
}

func (d *privateDir) pemOrPath(name, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if strings.Contains(v, "-----BEGIN") {
		return d.write(name, []byte(v))
	}
	return v, nil
}

// credsSecrets are the lines of a credentials file that must never be
// shown: the user JWT and the seed.
func credsSecrets(creds []byte) []string {
	var out []string
	for _, l := range strings.Split(string(creds), "\n") {
		l = strings.TrimSpace(l)
		if len(l) >= 16 && !strings.HasPrefix(l, "-") && !strings.Contains(l, " ") {
			out = append(out, l)
		}
	}
	return out
}
