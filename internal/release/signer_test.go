package release_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// signer is a throwaway GPG key in a private keyring, standing in for the
// release key that GPG_FINGERPRINT names.
type signer struct {
	home, fingerprint string
}

// newSigner makes the key, or returns nil when there is no gpg: the release
// is then built as without a key, and the signature step must be skipped.
func newSigner(ctx context.Context, t *testing.T) *signer {
	t.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Log("no gpg on PATH: building the snapshot unsigned")
		return nil
	}
	// gpg-agent's socket lives in the home: keep its path short.
	home, err := os.MkdirTemp("", "gpg-")
	if err != nil {
		t.Fatal(err)
	}
	s := &signer{home: home}
	t.Cleanup(func() {
		// gpg started an agent for this keyring (and only this one, by
		// GNUPGHOME): stop it, then remove the key.
		kill := exec.Command("gpgconf", "--kill", "all")
		kill.Env = append(os.Environ(), "GNUPGHOME="+home)
		_ = kill.Run()
		os.RemoveAll(home)
	})
	s.gpg(ctx, t, "--passphrase", "", "--pinentry-mode", "loopback",
		"--quick-generate-key", "terraform-provider-nats release test <release-test@example.invalid>", "ed25519", "sign", "1d")
	for _, line := range strings.Split(s.gpg(ctx, t, "--with-colons", "--list-secret-keys"), "\n") {
		if f := strings.Split(line, ":"); f[0] == "fpr" && len(f) > 9 {
			s.fingerprint = f[9]
			break
		}
	}
	if s.fingerprint == "" {
		t.Fatal("no fingerprint for the test key")
	}
	return s
}

// env is what goreleaser's signing step needs.
func (s *signer) env() []string {
	return []string{"GNUPGHOME=" + s.home, "GPG_FINGERPRINT=" + s.fingerprint}
}

// verify checks that sig is a good signature of file by the test key.
func (s *signer) verify(ctx context.Context, t *testing.T, sig, file string) {
	t.Helper()
	out := s.gpg(ctx, t, "--status-fd", "1", "--verify", sig, file)
	if !strings.Contains(out, "[GNUPG:] VALIDSIG "+s.fingerprint) {
		t.Errorf("%s is not a valid signature by %s:\n%s", sig, s.fingerprint, out)
	}
}

func (s *signer) gpg(ctx context.Context, t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, "gpg", append([]string{"--batch"}, args...)...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+s.home)
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return string(out)
}
