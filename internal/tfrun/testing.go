package tfrun

import "testing"

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
