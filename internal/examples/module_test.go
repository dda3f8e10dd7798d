package examples_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

var k3sClusterModule = filepath.Join(examplesDir, "modules", "k3s-cluster")

// The k3s-cluster module's own `terraform test` files, run by the real CLI
// against an in-process operator-mode system of two regions: plans for
// its inputs, a cluster applied with an account of its own, and one
// mirrored into region B and promoted there, in an account linked between
// the regions beforehand. terraform test destroys what each file made.
func TestK3sClusterModuleTests(t *testing.T) {
	ctx := testContext(t, 15*time.Minute)
	regions := startRegions(t)
	linked, err := regions.CreateAccount(ctx, "k3s-paired")
	if err != nil {
		t.Fatal(err)
	}
	if err := regions.LinkAccount(ctx, linked.PublicKey, linked.Creds); err != nil {
		t.Fatal(err)
	}
	// The module does not declare these: terraform test reads their values
	// as expressions, so strings are quoted.
	w := workspace(t,
		`TF_VAR_region_a_servers=["`+regions.A.URL+`"]`,
		`TF_VAR_region_b_servers=["`+regions.B.URL+`"]`,
		"TF_VAR_operator_jwt="+hclString(regions.JWT),
		"TF_VAR_operator_signing_seed="+hclString(string(regions.SigningSeed)),
		"TF_VAR_system_user_creds="+hclString(string(regions.SystemCreds)),
		"TF_VAR_linked_account="+hclString(linked.PublicKey),
		"TF_VAR_linked_account_signing_seed="+hclString(string(linked.SigningSeed)),
	)
	needTerraform(ctx, t, w, 1, 7)
	copyModule(t, w, k3sClusterModule)
	res, err := w.Run(ctx, "test", "-no-color")
	if err != nil {
		t.Fatalf("terraform test: %v\n%s", err, res.Stdout)
	}
	// Every file and run passed, none was skipped.
	for _, want := range []string{"tests/inputs.tftest.hcl... pass", "tests/cluster.tftest.hcl... pass", "tests/mirror.tftest.hcl... pass", "run \"promoted\"... pass"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("terraform test output lacks %q:\n%s", want, res.Stdout)
		}
	}
	if strings.Contains(res.Stdout, "skip") {
		t.Errorf("terraform test skipped something:\n%s", res.Stdout)
	}
	// Destroyed: no stream of the linked account is left in either region.
	for _, s := range []*testnats.Server{regions.A, regions.B} {
		if left := testnats.Streams(t, s.URL, linked.Creds); len(left) > 0 {
			t.Errorf("%s: streams left after terraform test: %v", s.Name(), left)
		}
	}
}

// needTerraform skips the test when the terraform CLI is older than
// major.minor: `terraform test` with provider blocks that read variables
// came with 1.7.
func needTerraform(ctx context.Context, t *testing.T, w *tfrun.Workspace, major, minor int) {
	t.Helper()
	v, err := w.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var gotMajor, gotMinor int
	if _, err := fmt.Sscanf(v, "%d.%d", &gotMajor, &gotMinor); err != nil {
		t.Fatalf("terraform version %q: %v", v, err)
	}
	if gotMajor < major || gotMajor == major && gotMinor < minor {
		t.Skipf("terraform %s: this test needs %d.%d or newer", v, major, minor)
	}
}

// startRegions starts an operator-mode system of two regions for one test.
func startRegions(t *testing.T) *testnats.OperatorRegions {
	t.Helper()
	r, err := testnats.StartOperatorRegions()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Shutdown)
	return r
}

// hclString quotes s as an HCL string: JSON's escapes are HCL's, and
// what goes in here (keys, JWTs, creds) holds no ${ or %{.
func hclString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// copyModule copies a module's .tf files and its tests/ into the workspace.
func copyModule(t *testing.T, w *tfrun.Workspace, dir string) {
	t.Helper()
	copyConfig(t, w, dir)
	if err := os.Mkdir(filepath.Join(w.Dir, "tests"), 0o700); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "tests", "*.tftest.hcl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no tests in %s (%v)", dir, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteFile(filepath.Join("tests", filepath.Base(f)), string(b)); err != nil {
			t.Fatal(err)
		}
	}
}
