package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// These tests read what the terraform CLI prints, as a person at the
// terminal would: plan-time warnings and refusals that guard stored data,
// on real plans where computed values are unknown.

// wantIn fails when out lacks any of wants (each a phrase as printed, its
// spaces matching any run of white space, since terraform wraps lines).
func wantIn(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !errorLike(regexpQuote(w)).MatchString(out) {
			t.Errorf("%s does not say %q:\n%s", what, w, out)
		}
	}
}

// regexpQuote quotes a phrase for errorLike, keeping its spaces.
func regexpQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			b.WriteRune('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// A datastore's plans: a replacement warns that the cluster state is lost
// (and that deletion_protection stops it); lowering rev_history is refused
// without allow_history_trim and warned about with it; toggling
// deletion_protection keeps the endpoint and config known and unchanged.
func TestAccDataSafety_datastorePlans(t *testing.T) {
	cli := newCLIWorkspace(t)
	bucket := uniqueName(t)
	js := testnats.JetStream(t, single.URL, nil, "")
	config := func(bucket, body string) string {
		return providerBlock([]string{single.URL}, "") + fmt.Sprintf(`
resource "nats_k3s_datastore" "test" {
  bucket      = %q
  conformance = { mode = "off" }
%s
}
`, bucket, body)
	}
	cli.apply(config(bucket, ""))
	t.Cleanup(func() {
		cli.apply(config(bucket, "  deletion_protection = false"))
		cli.must("destroy", "-auto-approve")
	})

	out, err := cli.plan(config(bucket+"_new", ""))
	if err != nil {
		t.Fatalf("a replacing plan failed: %v\n%s", err, out)
	}
	wantIn(t, "the replacing plan", out, "Warning: The k3s cluster state would be lost",
		fmt.Sprintf("bucket %q, which holds the k3s cluster's state, is deleted", bucket),
		"deletion_protection = true on the current datastore stops it at apply")

	out, err = cli.plan(config(bucket, "  rev_history = 5"))
	if err == nil {
		t.Fatalf("lowering rev_history without allow_history_trim planned:\n%s", out)
	}
	wantIn(t, "the trimming plan", out, "Error: Lowering rev_history deletes k3s cluster history",
		"rev_history goes from 10 to 5", "Set allow_history_trim = true")

	out = cli.apply(config(bucket, "  rev_history = 5\n  allow_history_trim = true"))
	wantIn(t, "the allowed trim", out, "Warning: Changing rev_history deletes data of datastore", "rev_history goes from 10 to 5")
	if cfg, err := streamConfig(t, js, bucket); err != nil || cfg.MaxMsgsPerSubject != 5 {
		t.Fatalf("after the allowed trim the bucket keeps %d revisions (err %v), want 5", cfg.MaxMsgsPerSubject, err)
	}

	out, err = cli.plan(config(bucket, "  rev_history = 5\n  allow_history_trim = true\n  deletion_protection = false"))
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	wantIn(t, "the plan that only drops deletion_protection", out, "~ deletion_protection = true -> false")
	if strings.Contains(out, "known after apply") {
		t.Errorf("toggling deletion_protection leaves an output unknown:\n%s", out)
	}
}

// A bucket's in-place changes that delete stored data each warn, on their
// attribute, in the plan a person reads.
func TestAccDataSafety_bucketPlans(t *testing.T) {
	cli := newCLIWorkspace(t)
	name := uniqueName(t)
	config := func(body string) string {
		return providerBlock([]string{single.URL}, "") + fmt.Sprintf(`
resource "nats_kv_bucket" "test" {
  name        = %q
  conformance = { mode = "off" }
%s
}
`, name, body)
	}
	cli.apply(config("  history = 10"))
	t.Cleanup(func() { cli.must("destroy", "-auto-approve") })
	out, err := cli.plan(config("  history = 5\n  ttl = \"1h\"\n  max_bytes = 1048576"))
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	wantIn(t, "the plan", out,
		fmt.Sprintf("Warning: Changing history deletes data of bucket %q", name),
		fmt.Sprintf("Warning: Changing ttl deletes data of bucket %q", name),
		fmt.Sprintf("Warning: Changing max_bytes deletes data of bucket %q", name),
		"history = 5", "history goes from 10 to 5",
		`ttl = "1h"`, "ttl goes from none (values never expire) to 1h0m0s",
		"max_bytes = 1048576", "max_bytes goes from no limit to 1048576")
	// Raising them deletes nothing: no warning.
	out, err = cli.plan(config("  history = 20"))
	if err != nil || strings.Contains(out, "deletes data") {
		t.Errorf("raising history warned or failed (%v):\n%s", err, out)
	}
}

// Replacing an unprotected operator warns what is lost; a protected one is
// refused at plan time (TestAccOperator_lifecycle).
func TestAccDataSafety_operatorReplacement(t *testing.T) {
	cli := newCLIWorkspace(t)
	config := func(name string) string {
		return fmt.Sprintf("resource \"nats_operator\" \"test\" {\n  name = %q\n  deletion_protection = false\n}\n", name)
	}
	cli.apply(config("first"))
	t.Cleanup(func() { cli.must("destroy", "-auto-approve") })
	out, err := cli.plan(config("second"))
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	wantIn(t, "the replacing plan", out, "Warning: The operator's keys would be lost",
		`This plan replaces operator "first"`, "stop trusting every account")
}

// A protected operator refuses `plan -destroy` at plan time and says how to
// keep it: nothing was changed, so the refusal must not ask to undo a change.
func TestAccDataSafety_operatorProtectedDestroy(t *testing.T) {
	cli := newCLIWorkspace(t)
	cli.apply("resource \"nats_operator\" \"test\" {\n  name = \"kept\"\n}\n")
	t.Cleanup(func() {
		cli.apply("resource \"nats_operator\" \"test\" {\n  name = \"kept\"\n  deletion_protection = false\n}\n")
		cli.must("destroy", "-auto-approve")
	})
	out, err := cli.run("plan", "-destroy", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("plan -destroy of a protected operator succeeded:\n%s", out)
	}
	wantIn(t, "the refused destroy", out, "The operator is protected from deletion", `This plan destroys operator "kept"`,
		"take it out of the destroy")
	if strings.Contains(out, "undo the change") {
		t.Errorf("the destroy refusal asks to undo a change that was not made:\n%s", out)
	}
}

// A create cut off by its time limit after the request went out leaves the
// bucket on the server; the state must hold it (tainted), or the next apply
// finds a stranger in its place. The limit is tightened and loosened until
// one apply fails in that window; every apply, whatever its outcome, must
// leave no bucket the state does not hold.
func TestAccDataSafety_cutCreateKeepsState(t *testing.T) {
	js := testnats.JetStream(t, cluster.Servers[0].URL, nil, "")
	cli := newCLIWorkspace(t)
	sawWindow := false
	for i, limit := range []string{"5ms", "10ms", "20ms", "40ms", "80ms", "160ms", "320ms"} {
		name := fmt.Sprintf("%s_%d", uniqueName(t), i)
		cli.write(providerBlock(cluster.URLs(), "") + fmt.Sprintf(`
resource "nats_kv_bucket" "test" {
  name        = %q
  replicas    = 3
  conformance = { mode = "off" }
  timeouts { create = %q }
}
`, name, limit))
		out, err := cli.run("apply", "-auto-approve", "-input=false")
		list, _ := cli.run("state", "list")
		inState := strings.Contains(list, "nats_kv_bucket.test")
		exists := bucketAppears(t, js, name)
		switch {
		case err == nil:
			if !inState || !exists {
				t.Fatalf("limit %s: a successful apply left state %v, bucket %v", limit, inState, exists)
			}
		case exists && !inState:
			t.Fatalf("limit %s: the apply failed, the bucket exists on the server, and the state does not hold it:\n%s", limit, out)
		case inState:
			sawWindow = true
			t.Logf("limit %s cut the create after it reached the servers", limit)
			wantIn(t, "the cut apply", out, "Error: Cannot create bucket", "may have been created on the server")
			show, _ := cli.run("show", "-json")
			if !strings.Contains(show, `"tainted":true`) && !strings.Contains(show, `"status":"tainted"`) {
				t.Errorf("limit %s: the bucket kept in state is not tainted:\n%s", limit, show)
			}
		}
		cli.write(providerBlock(cluster.URLs(), "") + fmt.Sprintf(`
resource "nats_kv_bucket" "test" {
  name        = %q
  replicas    = 3
  conformance = { mode = "off" }
}
`, name))
		cli.must("destroy", "-auto-approve")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = js.DeleteKeyValue(ctx, name)
		cancel()
		if sawWindow {
			return
		}
	}
	t.Skip("no apply was cut between sending the create and its answer")
}

// bucketAppears waits a moment for a create still in flight on the servers.
func bucketAppears(t *testing.T, js jetstream.JetStream, name string) bool {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := js.Stream(ctx, "KV_"+name)
		cancel()
		if err == nil {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// servers from a variable are unknown to `terraform validate`: validation
// waits for the values instead of failing (it did, in a stack that passed
// the servers in).
func TestAccDataSafety_datastoreServersFromVariable(t *testing.T) {
	cli := newCLIWorkspace(t)
	cli.write(providerBlock([]string{single.URL}, "") + `
variable "servers" {
  type = list(string)
}

resource "nats_k3s_datastore" "test" {
  bucket  = "from_variable"
  servers = var.servers
}
`)
	if out, err := cli.run("validate"); err != nil {
		t.Fatalf("validate with servers from a variable: %v\n%s", err, out)
	}
	out, err := cli.run("plan", "-input=false", `-var=servers=["tls://127.0.0.1:4222"]`)
	if err == nil {
		t.Fatalf("a tls:// server from a variable planned:\n%s", out)
	}
	wantIn(t, "the plan", out, "Invalid datastore server", "KINE only dials nats://")
}
