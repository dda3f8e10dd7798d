package provider

import (
	"strings"
	"testing"
)

// An update whose check fails in enforce mode has already changed the
// bucket, and its failed report is in state. The next plan must not be
// empty: it says the last check failed and runs it again, until the check
// passes or the mode says otherwise. Seen through the CLI, where the
// warning and the planned update are what the user reads.
func TestAccRecheck_failedEnforceCheckRunsAgain(t *testing.T) {
	s := smallPayloadServer(t)
	prov := providerBlock([]string{s.URL}, "")
	bucket := uniqueName(t)
	config := func(mode string) string {
		return datastoreConfig(prov, bucket, `  deletion_protection = false
  conformance = { profile = "full", mode = "`+mode+`" }`)
	}
	cli := newCLIWorkspace(t)
	t.Cleanup(func() { cli.must("destroy", "-auto-approve", "-input=false") })

	// Report mode: the failure (1 MiB max_payload) is a warning, and an
	// unchanged configuration plans nothing.
	out := cli.apply(config("report"))
	wantIn(t, "the apply in report mode", out, "KINE conformance check failed")
	if out, err := cli.plan(config("report")); err != nil || !strings.Contains(out, "No changes") {
		t.Fatalf("report mode: an unchanged configuration plans changes (%v):\n%s", err, out)
	}

	// Enforce mode: the update goes through, its check fails the apply.
	cli.write(config("enforce"))
	if out, err := cli.run("apply", "-auto-approve", "-input=false"); err == nil {
		t.Fatalf("the update to enforce mode passed a failing check:\n%s", out)
	}

	// The next plan runs the check again and says why.
	out, err := cli.plan(config("enforce"))
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	wantIn(t, "the plan after a failed check", out, "Warning: The last KINE conformance check failed", "max_payload",
		"This plan runs the check again", "1 to change")
	if _, err := cli.run("apply", "-auto-approve", "-input=false"); err == nil {
		t.Fatal("the re-run check passed on a server that still refuses large objects")
	}

	// Back to report mode: the failure is a warning again, and the plan
	// after it is empty.
	cli.apply(config("report"))
	if out, err := cli.plan(config("report")); err != nil || !strings.Contains(out, "No changes") {
		t.Fatalf("report mode after enforce: an unchanged configuration plans changes (%v):\n%s", err, out)
	}
}
