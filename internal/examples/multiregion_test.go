package examples_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/examples"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/testkine"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

// The multi-region stack as its README tells it, on two in-process regions
// of one operator-mode system: the first apply makes accounts, users and
// datastores; region B's servers get a leaf remote per account; the second
// apply mirrors each region's datastore into the other, every conformance
// check passing. KINE writes into alpha's datastore in region A; region A
// is lost; an apply in region B alone promotes alpha's mirror, and KINE
// there serves every key with its revisions. Region A returns, the next
// apply seals its stale bucket, and destroy (protection switched off by the
// variable) leaves nothing in either region.
func TestMultiRegion(t *testing.T) {
	ctx := testContext(t, 20*time.Minute)
	regions := startRegions(t)
	w := stackWorkspace(ctx, t, "multi-region",
		`TF_VAR_region_a_servers=["`+regions.A.URL+`"]`,
		`TF_VAR_region_b_servers=["`+regions.B.URL+`"]`,
		"TF_VAR_operator_jwt="+regions.JWT,
		"TF_VAR_operator_signing_seed="+string(regions.SigningSeed),
		"TF_VAR_system_user_creds="+string(regions.SystemCreds),
	)
	apply := []string{"apply", "-auto-approve", "-input=false", "-no-color"}

	// 1. Without mirrors: nothing carries the accounts between regions yet.
	if _, err := w.RunEnv(ctx, []string{"TF_VAR_mirroring=false"}, apply...); err != nil {
		t.Fatal(err)
	}
	var out examples.MultiRegion
	if err := w.Outputs(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Accounts) != 2 || out.Accounts["alpha"] == out.Accounts["beta"] {
		t.Fatalf("accounts: %v", out.Accounts)
	}
	// 2. Region B's servers get the leaf remotes the stack describes.
	for name, acc := range out.Accounts {
		if !strings.Contains(out.Remotes, acc) || !strings.Contains(out.Remotes, "/etc/nats/links/"+name+".creds") {
			t.Errorf("region_b_leaf_remotes lacks %s's account or creds file:\n%s", name, out.Remotes)
		}
		if err := regions.LinkAccount(ctx, acc, []byte(out.LinkCreds[name])); err != nil {
			t.Fatalf("link %s: %v", name, err)
		}
	}
	// 3. Mirrors, each region's into the other, checked; then nothing to do.
	run(ctx, t, w, apply...)
	run(ctx, t, w, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if err := w.Outputs(ctx, &out); err != nil {
		t.Fatal(err)
	}
	for name, reports := range out.Conformance {
		for _, what := range []string{"datastore", "kine_user", "mirror"} {
			if r := reports[what]; r == nil || !r.Passed {
				t.Errorf("%s: %s conformance: %+v", name, what, r)
			}
		}
		if m := out.Mirrors[name]; m == nil || m.History != 10 || m.Promote || !m.SourceReachable {
			t.Errorf("%s: mirror %+v", name, m)
		}
	}
	if out.ActiveRegion["alpha"] != testnats.RegionADomain || out.ActiveRegion["beta"] != testnats.RegionBDomain {
		t.Errorf("active regions before failover: %v", out.ActiveRegion)
	}
	// Protection off through the variable, while both regions answer, so
	// that the test can tear everything down at the end. (Switched after
	// region A returns instead, the update of beta's mirror there waits
	// some 40 s for the server to resume it, as a returning server does.)
	off := []string{"TF_VAR_deletion_protection=false"}
	if res, err := w.RunEnv(ctx, off, apply...); err != nil {
		t.Fatalf("%v\n%s", err, res.Stdout)
	}

	// 4. k3s state written through KINE into region A; the mirror catches up.
	creds := credsFile(t, out.KineCreds["alpha"])
	var ds testkine.Dataset
	withKine(ctx, t, out.Endpoints["alpha"], creds, func(c *clientv3.Client) {
		var err error
		if ds, err = testkine.Write(ctx, c, "/registry/configmaps/default/", 60); err != nil {
			t.Fatal(err)
		}
	})
	waitMirrored(ctx, t, regions, []byte(out.KineCreds["alpha"]), "k3s-alpha")

	// 5. Region A is lost. The failover apply plans from the last state
	// (refreshing region A's resources cannot work) and changes region B only.
	regions.StopA()
	failover := append(off, `TF_VAR_failover=["alpha"]`)
	if res, err := w.RunEnv(ctx, failover, append(apply, "-refresh=false")...); err != nil {
		t.Fatalf("failover apply with region A down: %v\n%s", err, res.Stdout)
	}
	if err := w.Outputs(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if out.ActiveRegion["alpha"] != testnats.RegionBDomain || !out.Mirrors["alpha"].Promote || out.Mirrors["alpha"].SourceReachable {
		t.Errorf("after failover: active %v, mirror %+v", out.ActiveRegion, out.Mirrors["alpha"])
	}
	if r := out.Conformance["alpha"]["standby"]; r == nil || !r.Passed {
		t.Errorf("standby conformance after failover: %+v", r)
	}
	e, err := k3s.ParseEndpoint(out.Endpoints["alpha"])
	if err != nil || len(e.Servers) != 1 || !strings.HasSuffix(regions.B.URL, e.Servers[0]) {
		t.Fatalf("alpha's endpoint after failover: %q (%v), want region B's server", out.Endpoints["alpha"], err)
	}
	// 6. KINE in region B serves every key with its revisions, and writes on.
	withKine(ctx, t, out.Endpoints["alpha"], creds, func(c *clientv3.Client) {
		if err := testkine.Check(ctx, c, ds); err != nil {
			t.Fatalf("KINE in region B after failover: %v", err)
		}
		if _, err := c.Put(ctx, "/registry/configmaps/default/after-failover", "{}"); err != nil {
			t.Fatal(err)
		}
	})

	// 7. Region A returns: the next apply seals its stale bucket (split
	// brain guard); destroy removes everything from both regions.
	if err := regions.RestartA(ctx); err != nil {
		t.Fatal(err)
	}
	if res, err := w.RunEnv(ctx, failover, apply...); err != nil {
		t.Fatalf("%v\n%s", err, res.Stdout)
	}
	if err := w.Outputs(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if m := out.Mirrors["alpha"]; !m.SourceReachable || !m.SourceSealed {
		t.Errorf("alpha's former source once region A returned: %+v, want reachable and sealed", m)
	}
	if res, err := w.RunEnv(ctx, failover, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("%v\n%s", err, res.Stdout)
	}
	if res := run(ctx, t, w, "state", "list"); strings.TrimSpace(res.Stdout) != "" {
		t.Errorf("state after destroy:\n%s", res.Stdout)
	}
	for name, acc := range out.Accounts {
		for _, s := range []*testnats.Server{regions.A, regions.B} {
			if left, _ := filepath.Glob(filepath.Join(s.StoreDir(), "*", acc, "streams", "*")); len(left) > 0 {
				t.Errorf("%s: streams left in %s after destroy: %v", name, s.Name(), left)
			}
		}
	}
}

// stackWorkspace copies examples/ into a workspace and runs commands in
// examples/stacks/<stack>, so that its module sources resolve; the modules
// are installed from their local paths.
func stackWorkspace(ctx context.Context, t *testing.T, stack string, env ...string) *tfrun.Workspace {
	t.Helper()
	w := workspace(t, env...)
	root := filepath.Join(w.Dir, "examples")
	copyTree(t, examplesDir, root)
	w.Dir = filepath.Join(root, "stacks", stack)
	run(ctx, t, w, "get", "-no-color")
	return w
}

// credsFile writes creds where KINE can read them (credsFile), for the
// test's length.
func credsFile(t *testing.T, creds string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kine.creds")
	if err := os.WriteFile(p, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// withKine runs KINE on a k3s endpoint with its credsFile replaced by
// creds, as k3s on a server of that region would, and hands f its client.
func withKine(ctx context.Context, t *testing.T, endpoint, creds string, f func(*clientv3.Client)) {
	t.Helper()
	e, err := k3s.ParseEndpoint(endpoint)
	if err != nil {
		t.Fatalf("endpoint %q: %v", endpoint, err)
	}
	e.CredsFile = creds
	k, err := conformance.StartKine(ctx, e.String())
	if err != nil {
		t.Fatalf("KINE on %s: %v", endpoint, err)
	}
	defer func() {
		if err := k.Stop(); err != nil {
			t.Error(err)
		}
	}()
	f(k.Client())
}

// waitMirrored waits until the mirror of bucket in region B has every
// message the bucket has in region A.
func waitMirrored(ctx context.Context, t *testing.T, r *testnats.OperatorRegions, creds []byte, bucket string) {
	t.Helper()
	last := func(url string) uint64 {
		s, err := testnats.JetStream(t, url, creds, "").Stream(ctx, kv.StreamName(bucket))
		if err != nil {
			t.Fatal(err)
		}
		return s.CachedInfo().State.LastSeq
	}
	want := last(r.A.URL)
	for last(r.B.URL) < want {
		select {
		case <-ctx.Done():
			t.Fatalf("the mirror of %s in region B never reached revision %d", bucket, want)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Wrong inputs are refused at plan time, each with a message that says
// what to give instead, and nothing is made.
func TestMultiRegionRefusesBadInput(t *testing.T) {
	ctx := testContext(t, 5*time.Minute)
	w := stackWorkspace(ctx, t, "multi-region",
		`TF_VAR_region_a_servers=["nats-1:4222"]`,
		`TF_VAR_region_b_servers=["nats://nats-b:4222"]`,
		"TF_VAR_operator_jwt=not-a-jwt",
		"TF_VAR_operator_signing_seed=SAAB",
		"TF_VAR_system_user_creds=/etc/nats/sys.creds",
		`TF_VAR_clusters={"Prod_1": {"region": "c"}}`,
		`TF_VAR_region_a_leaf_urls=["https://a:7422"]`,
		"TF_VAR_region_link_creds_dir=links",
	)
	res, err := w.Run(ctx, "plan", "-input=false", "-no-color")
	if err == nil {
		t.Fatal("plan with wrong inputs succeeded")
	}
	said := strings.Join(strings.Fields(res.Stderr), " ")
	for _, want := range []string{
		"region_a_servers must list", "operator_jwt must be a JWT", "operator_signing_seed must be an operator seed",
		"system_user_creds must be the content", `each with region "a" or "b"`, "region_a_leaf_urls must list",
		"region_link_creds_dir must be an absolute path",
	} {
		if !strings.Contains(said, want) {
			t.Errorf("plan errors lack %q:\n%s", want, res.Stderr)
		}
	}

	// Checks across variables fail the plan too.
	w = stackWorkspace(ctx, t, "multi-region",
		`TF_VAR_region_a_servers=["nats://127.0.0.1:1"]`,
		`TF_VAR_region_b_servers=["nats://127.0.0.1:1"]`,
		"TF_VAR_operator_jwt=eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJPIn0.c2ln",
		"TF_VAR_operator_signing_seed=SOAB",
		"TF_VAR_system_user_creds=-----BEGIN NATS USER JWT----- -----BEGIN USER NKEY SEED-----",
		"TF_VAR_region_b_domain=region-a",
		`TF_VAR_failover=["gamma"]`,
		"TF_VAR_mirroring=false",
	)
	res, err = w.Run(ctx, "plan", "-input=false", "-no-color")
	if err == nil {
		t.Fatal("plan with inconsistent inputs succeeded")
	}
	said = strings.Join(strings.Fields(res.Stderr), " ")
	for _, want := range []string{"region_b_domain must differ", "failover may name only clusters", "failover needs mirroring = true"} {
		if !strings.Contains(said, want) {
			t.Errorf("plan errors lack %q:\n%s", want, res.Stderr)
		}
	}
}
