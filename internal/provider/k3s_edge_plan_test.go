package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The plan's warnings, read from what the terraform CLI prints (the
// testing framework does not hand warnings out): moving the site to
// another bucket or domain leaves the edge's state behind, and a listener
// beyond loopback serves the cluster state without authentication.
func TestAccK3sEdge_planWarnings(t *testing.T) {
	c := newCLIWorkspace(t)
	t.Parallel()
	h := newEdgeHub(t, opCluster, nil)
	name := fmt.Sprintf("warn-%d", time.Now().UnixNano()%1e6)
	config := func(userBody, edgeBody string) string { return h.config(name, userBody, edgeBody) }
	c.apply(config("", ""))
	t.Cleanup(func() { c.must("destroy", "-auto-approve", "-input=false") })
	plan := func(userBody, edgeBody string) string {
		t.Helper()
		out, err := c.plan(config(userBody, edgeBody))
		if err != nil {
			t.Fatalf("plan: %v\n%s", err, out)
		}
		return strings.Join(strings.Fields(out), " ")
	}

	// The leaf user follows the domain: it may serve only the edge's.
	out := plan(`  leafnode = { jetstream_domain = "edge-moved" }`, `  bucket           = "k3s"
  jetstream_domain = "edge-moved"`)
	for _, want := range []string{"Warning: The edge's state stays where it was", fmt.Sprintf("domain edge-%s to edge-moved and bucket kine to k3s", name)} {
		if !strings.Contains(out, want) {
			t.Errorf("moving the site: the plan does not say %q:\n%s", want, out)
		}
	}
	out = plan("", `  listen = "0.0.0.0:14222"`)
	if !strings.Contains(out, "Warning: The edge's NATS accepts clients without authentication") || strings.Contains(out, "state stays where it was") {
		t.Errorf("listening on every address: the plan warns otherwise:\n%s", out)
	}
	if out = plan("", `  listen = "127.0.0.1:14222"`); strings.Contains(out, "Warning:") {
		t.Errorf("listening on loopback: the plan warns:\n%s", out)
	}
}
