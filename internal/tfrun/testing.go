package tfrun

import (
	"context"
	"fmt"
	"testing"
)

// ForTest makes a workspace for a test: the test is skipped when there is
// no terraform (o.Terraform empty and none found), fails when the workspace
// cannot be made, and the workspace is removed when it ends.
func ForTest(t testing.TB, o Options) *Workspace {
	t.Helper()
	if o.Terraform == "" {
		tf, err := FindTerraform()
		if err != nil {
			t.Skip(err)
		}
		o.Terraform = tf
	}
	w, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Error(err)
		}
	})
	return w
}

// SkipBelow skips t when the workspace's terraform is older than
// major.minor: configurations with write-only attributes or ephemeral
// values need a recent one, and `make test` may run the 1.5.7 it builds.
func (w *Workspace) SkipBelow(ctx context.Context, t testing.TB, major, minor int) {
	t.Helper()
	have, err := w.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var hMajor, hMinor int
	if _, err := fmt.Sscanf(have, "%d.%d", &hMajor, &hMinor); err != nil {
		t.Fatalf("terraform version %q: %v", have, err)
	}
	if hMajor < major || hMajor == major && hMinor < minor {
		t.Skipf("needs terraform %d.%d or newer, have %s", major, minor, have)
	}
}
