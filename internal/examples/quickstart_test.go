package examples_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

var quickstart = filepath.Join(examplesDir, "stacks", "k3s-quickstart")

// operatorStep is what the quickstart's step 1 (its operator directory)
// outputs: the inputs of step 2, in this stack and in terraform-cloud.
type operatorStep struct {
	ServerConfig    string `json:"server_config"`
	OperatorJWT     string `json:"operator_jwt"`
	SigningSeed     string `json:"operator_signing_seed"`
	SystemUserCreds string `json:"system_user_creds"`
}

// applyOperatorStep applies step 1 in op and starts a nats-server named
// name from its server_config; the server stops with the test.
func applyOperatorStep(ctx context.Context, t *testing.T, op *tfrun.Workspace, name string) (operatorStep, *testnats.Server) {
	t.Helper()
	copyConfig(t, op, filepath.Join(quickstart, "operator"))
	run(ctx, t, op, "apply", "-auto-approve", "-input=false", "-no-color")
	var out operatorStep
	if err := op.Outputs(ctx, &out); err != nil {
		t.Fatal(err)
	}
	srv, err := testnats.Start(testnats.Config{Name: name, Extra: out.ServerConfig})
	if err != nil {
		t.Fatalf("start a server from the operator's server_config: %v", err)
	}
	t.Cleanup(srv.Shutdown)
	return out, srv
}

// env is step 2's variables for the server at url.
func (o operatorStep) env(url string) []string {
	return []string{
		`TF_VAR_nats_servers=["` + url + `"]`,
		"TF_VAR_operator_jwt=" + o.OperatorJWT,
		"TF_VAR_operator_signing_seed=" + o.SigningSeed,
		"TF_VAR_system_user_creds=" + o.SystemUserCreds,
	}
}

// The quickstart as its README tells it: the operator made offline, a
// nats-server started from its server_config, then two k3s clusters, each
// in its own account, whose datastores real KINE has used through the
// endpoints. Destroy is refused while deletion protection is on, and once
// it is switched off through the variable, everything goes, data included.
func TestK3sQuickstart(t *testing.T) {
	ctx := testContext(t, 20*time.Minute)

	op := workspace(t, "TF_VAR_resolver_dir="+t.TempDir(), "TF_VAR_operator_name=quickstart")
	opOut, srv := applyOperatorStep(ctx, t, op, "quickstart")

	w := workspace(t, append(opOut.env(srv.URL),
		// beta names the servers k3s dials itself, as host:port.
		`TF_VAR_clusters={"alpha": {}, "beta": {"rev_history": 5, "servers": ["`+strings.TrimPrefix(srv.URL, "nats://")+`"]}}`,
	)...)
	copyConfig(t, w, quickstart)
	run(ctx, t, w, "apply", "-auto-approve", "-input=false", "-no-color")
	// A second plan must find nothing to do.
	run(ctx, t, w, "plan", "-detailed-exitcode", "-input=false", "-no-color")

	var out struct {
		Endpoints map[string]string `json:"datastore_endpoints"`
		K3sConfig map[string]string `json:"k3s_config"`
		KineCreds map[string]string `json:"kine_creds"`
		Accounts  map[string]string `json:"accounts"`
	}
	if err := w.Outputs(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if out.Accounts["alpha"] == "" || out.Accounts["alpha"] == out.Accounts["beta"] {
		t.Errorf("each cluster must have an account of its own: %v", out.Accounts)
	}
	checkReportsPassed(ctx, t, w, 4)
	clusters := map[string]struct{ other, bucket string }{
		"alpha": {other: "k3s-beta", bucket: "k3s-alpha"},
		"beta":  {other: "k3s-alpha", bucket: "k3s-beta"},
	}
	for name, c := range clusters {
		e, err := k3s.ParseEndpoint(out.Endpoints[name])
		if err != nil {
			t.Fatalf("%s: endpoint %q: %v", name, out.Endpoints[name], err)
		}
		if e.Bucket != c.bucket || e.CredsFile != "/etc/rancher/k3s/nats.creds" || len(e.Servers) != 1 || !strings.HasSuffix(srv.URL, e.Servers[0]) {
			t.Errorf("%s: endpoint %q: bucket %q, credsFile %q, servers %q", name, out.Endpoints[name], e.Bucket, e.CredsFile, e.Servers)
		}
		if !strings.Contains(out.K3sConfig[name], "datastore-endpoint") || !strings.Contains(out.K3sConfig[name], c.bucket) {
			t.Errorf("%s: k3s_config:\n%s", name, out.K3sConfig[name])
		}
		checkKineUser(ctx, t, srv.URL, out.KineCreds[name], e, c.other)
		checkAccountHolds(t, srv, out.Accounts[name], c.bucket, c.other)
	}

	// Protection on (the default): destroy is refused and the state stays.
	_, err := w.Run(ctx, "destroy", "-auto-approve", "-input=false", "-no-color")
	if err == nil || !strings.Contains(err.Error(), "protected from deletion") {
		t.Fatalf("destroy with deletion_protection on: err = %v, want a refusal", err)
	}
	for name, c := range clusters {
		// Destroying a nats_user revokes nothing: its creds still work.
		js := testnats.JetStream(t, srv.URL, []byte(out.KineCreds[name]), "")
		if _, err := js.Stream(ctx, "KV_"+c.bucket); err != nil {
			t.Errorf("%s: bucket %s after a refused destroy: %v", name, c.bucket, err)
		}
	}

	// Off through the variable: the next apply switches it, destroy removes
	// everything, and the accounts' data is gone from the server's disk.
	off := []string{"TF_VAR_deletion_protection=false"}
	if _, err := w.RunEnv(ctx, off, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RunEnv(ctx, off, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatal(err)
	}
	res := run(ctx, t, w, "state", "list")
	if strings.TrimSpace(res.Stdout) != "" {
		t.Errorf("state after destroy:\n%s", res.Stdout)
	}
	for name, acc := range out.Accounts {
		if left, _ := filepath.Glob(filepath.Join(srv.StoreDir(), "*", acc, "streams", "*")); len(left) > 0 {
			t.Errorf("%s: streams left on disk after destroy: %v", name, left)
		}
	}
	// The operator exists only in step 1's state, which the workspace takes
	// with it: nothing of it is on a server to destroy.
}

// copyConfig copies the .tf files of dir into the workspace.
func copyConfig(t *testing.T, w *tfrun.Workspace, dir string) {
	t.Helper()
	if _, err := w.CopyFiles(filepath.Join(dir, "*.tf")); err != nil {
		t.Fatal(err)
	}
}

// run runs a terraform command that must succeed.
func run(ctx context.Context, t *testing.T, w *tfrun.Workspace, args ...string) tfrun.Result {
	t.Helper()
	res, err := w.Run(ctx, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, res.Stdout)
	}
	return res
}

// checkReportsPassed reads the state and wants want conformance reports,
// every one passed.
func checkReportsPassed(ctx context.Context, t *testing.T, w *tfrun.Workspace, want int) {
	t.Helper()
	res, err := w.RunQuiet(ctx, nil, "show", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Values struct {
			Root struct {
				Resources []struct {
					Address string `json:"address"`
					Values  struct {
						Report *struct {
							Passed  bool   `json:"passed"`
							Summary string `json:"summary"`
						} `json:"conformance_report"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &state); err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}
	got := 0
	for _, r := range state.Values.Root.Resources {
		if rep := r.Values.Report; rep != nil && (strings.Contains(r.Address, "nats_k3s_datastore") || strings.Contains(r.Address, "nats_user.kine")) {
			got++
			if !rep.Passed {
				t.Errorf("%s: conformance failed: %s", r.Address, rep.Summary)
			}
		}
	}
	if got != want {
		t.Errorf("%d conformance reports of datastores and KINE users in state, want %d", got, want)
	}
}

// checkKineUser connects as a cluster's KINE user: it sees its bucket,
// made exactly as KINE makes it for the endpoint, and not the bucket of
// another cluster.
func checkKineUser(ctx context.Context, t *testing.T, url, creds string, e k3s.Endpoint, otherBucket string) {
	t.Helper()
	js := testnats.JetStream(t, url, []byte(creds), "")
	s, err := js.Stream(ctx, "KV_"+e.Bucket)
	if err != nil {
		t.Fatalf("the KINE user cannot see its bucket %s: %v", e.Bucket, err)
	}
	if diffs := k3s.Compare(s.CachedInfo().Config, e.Replicas, e.RevHistory); len(diffs) > 0 {
		t.Errorf("bucket %s is not what KINE makes for its endpoint: %v", e.Bucket, diffs)
	}
	// A denied request draws no reply: bound the wait on its own.
	denyCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := js.Stream(denyCtx, "KV_"+otherBucket); err == nil {
		t.Errorf("the KINE user of %s could look up %s", e.Bucket, otherBucket)
	}
}

// checkAccountHolds looks on the server's disk: the account's streams are
// its cluster's bucket and not the other's.
func checkAccountHolds(t *testing.T, srv *testnats.Server, account, bucket, otherBucket string) {
	t.Helper()
	streams := func(b string) []string {
		m, _ := filepath.Glob(filepath.Join(srv.StoreDir(), "*", account, "streams", "KV_"+b))
		return m
	}
	if len(streams(bucket)) != 1 {
		t.Errorf("account %s does not hold bucket %s on disk", account, bucket)
	}
	if len(streams(otherBucket)) != 0 {
		t.Errorf("account %s holds the other cluster's bucket %s", account, otherBucket)
	}
}

// Wrong inputs stop the quickstart at plan time, each with its own message,
// before anything is created.
func TestK3sQuickstartRefusesBadInput(t *testing.T) {
	ctx := testContext(t, 5*time.Minute)
	w := workspace(t,
		`TF_VAR_nats_servers=["nats-1:4222"]`,
		"TF_VAR_operator_jwt=not-a-jwt",
		"TF_VAR_operator_signing_seed=SAAB",
		"TF_VAR_system_user_creds=/etc/nats/sys.creds",
		`TF_VAR_clusters={"Prod_1": {"replicas": 7, "rev_history": 1}}`,
		"TF_VAR_k3s_creds_path=nats.creds",
		"TF_VAR_conformance_profile=thorough",
	)
	copyConfig(t, w, quickstart)
	res, err := w.Run(ctx, "plan", "-input=false", "-no-color")
	if err == nil {
		t.Fatal("plan with wrong inputs succeeded")
	}
	said := strings.Join(strings.Fields(res.Stderr), " ")
	for _, want := range []string{
		"nats_servers must list", "operator_jwt must be a JWT", "operator_signing_seed must be an operator seed",
		"system_user_creds must be the content", "lowercase letters", "replicas must be a whole number from 1 to 5",
		"rev_history must be a whole number from 2 to 64", "k3s_creds_path must be an absolute path", "conformance_profile must be",
	} {
		if !strings.Contains(said, want) {
			t.Errorf("plan errors lack %q:\n%s", want, res.Stderr)
		}
	}
	if res, _ := w.RunQuiet(ctx, nil, "state", "list"); strings.TrimSpace(res.Stdout) != "" {
		t.Errorf("state after a refused plan:\n%s", res.Stdout)
	}
}
