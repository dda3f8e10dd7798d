package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

// What a person reads in plan and refresh output, through the real CLI: a
// source that can never be a k3s datastore (report mode: a warning), the
// split-brain warning after a promotion that left the source writable, the
// seal that seal_source plans, and the warning before a promotion would be
// undone, which deletion protection then refuses.
func TestAccKVMirror_warnings(t *testing.T) {
	ws := newCLIWorkspace(t)
	name := uniqueName(t)
	kineData(t, hubLeaf.Hub.URL, name, 20)
	ttl := name + "_ttl"
	hubJS := testnats.JetStream(t, hubLeaf.Hub.URL, nil, "")
	ctx := context.Background()
	if _, err := hubJS.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: ttl, Description: k3s.KineDescription, History: 10, TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hubJS.DeleteKeyValue(ctx, ttl) })
	config := func(body string) string {
		return providerBlock([]string{hubLeaf.Hub.URL}, "") + fmt.Sprintf(`
resource "nats_kv_mirror" "dr" {
  name             = %[1]q
  jetstream_domain = "leaf"
  source           = { bucket = %[1]q, domain = "hub" }
%[3]s
}

resource "nats_kv_mirror" "plain" {
  name                = %[2]q
  jetstream_domain    = "leaf"
  source              = { bucket = %[2]q, domain = "hub" }
  deletion_protection = false
  conformance         = { mode = "report" }
}
`, name, ttl, body)
	}

	out := ws.apply(config("  seal_source = false"))
	wantIn(t, "the apply of a mirror of a TTL bucket in report mode", out,
		"Warning: Source can never become a k3s datastore", "TTL is 1h0m0s, KINE wants 0s", "plain copy")

	// The source changed behind the mirror's back: every refresh warns.
	setTTL := func(d time.Duration) {
		c, err := streamConfig(t, hubJS, name)
		if err == nil {
			c.MaxAge = d
			_, err = hubJS.UpdateStream(ctx, c)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	setTTL(time.Hour)
	out, _ = planChanges(ws, config("  seal_source = false"))
	wantIn(t, "the refresh after the source got a TTL", out,
		"Warning: Source changed: the mirror can no longer become a k3s datastore", "TTL is 1h0m0s, KINE wants 0s")
	setTTL(0)

	ws.apply(config("  seal_source = false\n  promote = true"))
	if sealed(t, hubJS, name) {
		t.Fatal("seal_source = false sealed the source")
	}
	out, changes := planChanges(ws, config("  seal_source = false\n  promote = true"))
	if changes {
		t.Errorf("a promoted mirror with its source left writable by choice plans changes:\n%s", out)
	}
	wantIn(t, "the refresh after promotion with the source writable", out,
		"Warning: Former source still accepts writes (split brain)", `bucket "`+name+`" in JetStream domain "hub"`, "Seal it")

	out, changes = planChanges(ws, config("  promote = true"))
	if !changes {
		t.Errorf("seal_source = true plans no seal of the writable former source:\n%s", out)
	}
	wantIn(t, "the plan that seals the former source", out, "source_sealed = false -> true")
	ws.apply(config("  promote = true"))
	if !sealed(t, hubJS, name) {
		t.Error("the apply did not seal the former source")
	}
	if out, changes = planChanges(ws, config("  promote = true")); changes || errorLike(`split brain`).MatchString(out) {
		t.Errorf("after sealing, the plan is not empty and quiet:\n%s", out)
	}

	ws.write(config("  promote = false"))
	out, err := ws.run("apply", "-auto-approve", "-input=false")
	if err == nil {
		t.Fatalf("undoing the promotion was applied:\n%s", out)
	}
	wantIn(t, "the apply that would undo the promotion", out,
		"Warning: Promotion cannot be undone", "must be replaced", "Error: Promoted mirror is protected from deletion")

	ws.apply(config("  promote = true\n  deletion_protection = false"))
	ws.must("destroy", "-auto-approve")
}

// planChanges plans config and says whether the plan would change
// anything; a failing plan fails the test.
func planChanges(c *cliWorkspace, config string) (out string, changes bool) {
	c.t.Helper()
	c.write(config)
	out, err := c.run("plan", "-detailed-exitcode", "-input=false")
	var exit *tfrun.ExitError
	switch {
	case err == nil:
		return out, false
	case errors.As(err, &exit) && exit.ExitCode == 2:
		return out, true
	}
	c.t.Fatalf("terraform plan: %v\n%s", err, out)
	return "", false
}

// output is the value of a string output of the workspace's state.
func (c *cliWorkspace) output(name string) string {
	c.t.Helper()
	return strings.TrimSpace(c.must("output", "-raw", name))
}

func sealed(t *testing.T, js jetstream.JetStream, bucket string) bool {
	t.Helper()
	c, err := streamConfig(t, js, bucket)
	if err != nil {
		t.Fatal(err)
	}
	return c.Sealed
}
