package examples_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var terraformCloud = filepath.Join(examplesDir, "stacks", "terraform-cloud")

// userSeedPattern is any user nkey seed.
var userSeedPattern = regexp.MustCompile(`SU[A-Z2-7]{56}`)

// The Terraform Cloud stack, applied as a remote run would apply it (every
// secret from TF_VAR_*, nothing on disk but the state): KINE's checks pass,
// a second plan is empty, and the raw state file holds none of the secrets
// given (the operator's signing seed, the system user's creds) nor the
// run's ephemeral admin credentials: the only user credentials in it are
// the KINE user's, which k3s needs. Then it is torn down.
func TestTerraformCloudStack(t *testing.T) {
	ctx := testContext(t, 15*time.Minute)

	op := workspace(t, "TF_VAR_resolver_dir="+t.TempDir(), "TF_VAR_operator_name=tfc")
	op.SkipBelow(ctx, t, 1, 11) // write-only attributes
	opOut, srv := applyOperatorStep(ctx, t, op, "tfc")

	w := workspace(t, append(opOut.env(srv.URL), "TF_VAR_cluster_name=cloud")...)
	copyConfig(t, w, terraformCloud)
	run(ctx, t, w, "apply", "-auto-approve", "-input=false", "-no-color")
	run(ctx, t, w, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	checkReportsPassed(ctx, t, w, 2)

	sysSeed := userSeedPattern.FindString(opOut.SystemUserCreds)
	given := map[string]string{
		"operator signing seed":        opOut.SigningSeed,
		"system user creds":            opOut.SystemUserCreds,
		"system user seed":             sysSeed,
		"system user JWT":              strings.Split(strings.TrimSpace(strings.SplitAfter(opOut.SystemUserCreds, "-----BEGIN NATS USER JWT-----")[1]), "\n")[0],
		"operator signing seed (JSON)": jsonString(opOut.SigningSeed),
		"system user creds (JSON)":     jsonString(opOut.SystemUserCreds),
	}
	stateHoldsNoGivenSecret := func(stage string) {
		t.Helper()
		raw, err := os.ReadFile(filepath.Join(w.Dir, "terraform.tfstate"))
		if err != nil {
			t.Fatal(err)
		}
		state := string(raw)
		if sysSeed == "" || !strings.Contains(state, `"nats_user"`) {
			t.Fatalf("%s: nothing to look for (system seed %q) or no state", stage, sysSeed)
		}
		for what, s := range given {
			if strings.Contains(state, s) {
				t.Errorf("%s: the state file holds the %s", stage, what)
			}
		}
		// The KINE user's own seed is the one user seed allowed there.
		var out struct {
			KineCreds string `json:"kine_creds"`
		}
		if err := w.Outputs(ctx, &out); err != nil {
			t.Fatal(err)
		}
		kineSeed := userSeedPattern.FindString(out.KineCreds)
		for _, s := range userSeedPattern.FindAllString(state, -1) {
			if s != kineSeed {
				t.Errorf("%s: the state file holds a user seed that is not the KINE user's (the ephemeral admin's?)", stage)
			}
		}
		if strings.Contains(state, `"account_signing_seed_wo": "`) {
			t.Errorf("%s: the KINE user's write-only seed is in state", stage)
		}
	}
	stateHoldsNoGivenSecret("apply")

	// A new _wo_version re-signs the KINE user in place.
	bump := []string{"TF_VAR_kine_user_version=2"}
	res, err := w.RunEnv(ctx, bump, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Stdout, "0 added, 1 changed, 0 destroyed") {
		t.Errorf("kine_user_version 2: want one change in place:\n%s", res.Stdout)
	}
	stateHoldsNoGivenSecret("update")

	off := []string{"TF_VAR_deletion_protection=false", "TF_VAR_kine_user_version=2"}
	if _, err := w.RunEnv(ctx, off, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RunEnv(ctx, off, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatal(err)
	}
	if res := run(ctx, t, w, "state", "list"); strings.TrimSpace(res.Stdout) != "" {
		t.Errorf("state after destroy:\n%s", res.Stdout)
	}
}

// jsonString is s as the state file spells it inside a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}
