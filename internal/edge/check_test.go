package edge

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
)

// checkOpts are generous for a loaded 2-core machine.
var checkOpts = conformance.Options{Profile: conformance.ProfileQuick, Timeout: 2 * time.Minute}

// runCheck runs a check of site on h and returns its report, after
// verifying that nothing was left in the temporary directory or the hub
// account.
func runCheck(t *testing.T, h *hub, site Site, creds []byte, existing bool, opts conformance.Options) *conformance.Report {
	t.Helper()
	tmp := privateTemp(t)
	before := h.accountState(t)
	rep := Check(context.Background(), Target{Site: site, Creds: creds, TLS: h.tlsContent(), Hub: h.conn(t), Existing: existing}, opts)
	for _, s := range rep.Steps {
		t.Logf("%-28s ok=%-5t skipped=%-5t %8s %s %s", s.Name, s.OK, s.Skipped, s.Duration.Round(time.Millisecond), s.Detail, s.Hint)
	}
	nothingLeft(t, tmp)
	after := h.accountState(t)
	if len(after) != len(before) {
		t.Errorf("hub account streams before the check %v, after %v", before, after)
	}
	for name, n := range after {
		if before[name] != n {
			t.Errorf("stream %s of the hub account had %d consumers before the check and %d after", name, before[name], n)
		}
	}
	if last := rep.Steps[len(rep.Steps)-1]; last.Name != StepEdgeStop || !last.OK {
		t.Errorf("the last step is %q (ok %t), want %q passed", last.Name, last.OK, StepEdgeStop)
	}
	return rep
}

// wantSteps fails unless the report has these steps, in this order, each
// passed (not skipped) and timed.
func wantPassed(t *testing.T, rep *conformance.Report, names ...string) {
	t.Helper()
	if !rep.Passed {
		t.Fatalf("check failed: %s", rep.Summary())
	}
	i := 0
	for _, s := range rep.Steps {
		if i < len(names) && s.Name == names[i] {
			if s.Skipped || !s.OK || s.Duration <= 0 {
				t.Errorf("step %q: ok %t, skipped %t, took %s", s.Name, s.OK, s.Skipped, s.Duration)
			}
			i++
		}
	}
	if i < len(names) {
		t.Errorf("steps %q missing or out of order", names[i:])
	}
}

// wantFailed fails unless step is the first failed one and its detail or
// hint mentions each of want.
func wantFailed(t *testing.T, rep *conformance.Report, step string, want ...string) {
	t.Helper()
	f := rep.Failed()
	if rep.Passed || f == nil {
		t.Fatalf("check passed, want step %q to fail", step)
	}
	if f.Name != step {
		t.Fatalf("step %q failed (%s), want %q", f.Name, f.Detail, step)
	}
	for _, w := range want {
		if !strings.Contains(f.Detail+" "+f.Hint, w) {
			t.Errorf("step %q: %q (hint %q) does not mention %q", step, f.Detail, f.Hint, w)
		}
	}
}

var allSteps = []string{
	StepLeafUser, StepEdgeConfig, StepEdgeDomain, StepEdgeServer, StepLeafConnection, StepLeafAccount,
	conformance.StepKineStart, conformance.StepWatch, StepHubView, StepLeafPayload, StepLinkDown, StepLinkBack,
	conformance.StepCleanup, conformance.StepKineStop, StepEdgeStop,
}

func TestCheckPasses(t *testing.T) {
	site := plain.site("store-1")
	rep := runCheck(t, plain, site, plain.leafUser(t, DefaultDomain("store-1"), nil), false, checkOpts)
	wantPassed(t, rep, allSteps...)
	if back := rep.Step(StepLinkBack); !strings.Contains(back.Detail, "the hub saw the 2 writes") {
		t.Errorf("link back: %s", back.Detail)
	}
}

func TestCheckOverTLS(t *testing.T) {
	site := secure.site("store-tls")
	site.Listen = "0.0.0.0:14222" // the check listens on loopback whatever the site says
	site.Bucket, site.RevHistory = "k3s", 20
	rep := runCheck(t, secure, site, secure.leafUser(t, DefaultDomain("store-tls"), nil), false, checkOpts)
	wantPassed(t, rep, allSteps...)
	if d := rep.Step(conformance.StepEndpoint).Detail; !strings.Contains(d, "bucket k3s") || !strings.Contains(d, "revHistory 20") {
		t.Errorf("KINE did not run with the site's bucket and revHistory: %s", d)
	}
}
