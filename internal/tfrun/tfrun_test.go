package tfrun_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

// workspace skips the test when there is no terraform. provider is the
// provider binary or a directory; a directory without the binary is enough
// for configurations that use only builtins.
func workspace(t *testing.T, provider string, env ...string) *tfrun.Workspace {
	t.Helper()
	if provider == "" {
		provider = t.TempDir()
	}
	return tfrun.ForTest(t, tfrun.Options{Provider: provider, Env: env})
}

// cliConfig is the text of the workspace's CLI configuration.
func cliConfig(t *testing.T, w *tfrun.Workspace) string {
	t.Helper()
	b, err := os.ReadFile(w.CLIConfig())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestVersionAndCLIConfig(t *testing.T) {
	w := workspace(t, "")
	v, err := w.Version(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v, "1.") {
		t.Errorf("version %q", v)
	}
	if b := cliConfig(t, w); !strings.Contains(b, `"`+tfrun.ProviderAddress+`"`) || !strings.Contains(b, "direct {}") {
		t.Errorf("CLI config:\n%s", b)
	}
}

// Overrides add dev_overrides beside ours; one that does not exist is an
// error naming its address.
func TestOverrides(t *testing.T) {
	tf, err := tfrun.FindTerraform()
	if err != nil {
		t.Skip(err)
	}
	other := t.TempDir()
	w := tfrun.ForTest(t, tfrun.Options{Terraform: tf, Provider: t.TempDir(), Overrides: map[string]string{"example.com/x/other": other}})
	b := cliConfig(t, w)
	for _, want := range []string{`"` + tfrun.ProviderAddress + `" = `, `"example.com/x/other" = "` + other + `"`} {
		if !strings.Contains(b, want) {
			t.Errorf("CLI config lacks %s:\n%s", want, b)
		}
	}
	_, err = tfrun.New(tfrun.Options{Terraform: tf, Provider: t.TempDir(), Overrides: map[string]string{"example.com/x/gone": filepath.Join(other, "nope")}})
	if err == nil || !strings.Contains(err.Error(), "example.com/x/gone") {
		t.Errorf("missing override: err = %v, want one naming the address", err)
	}
}

// terraform_data needs no init, even with dev_overrides in effect; the
// workspace and per-command environments both reach terraform.
func TestApplyPlanDestroyWithoutInit(t *testing.T) {
	ctx := testContext(t)
	w := workspace(t, "", "TF_VAR_greeting=hello")
	err := w.WriteFile("main.tf", `
variable "greeting" { type = string }
variable "name" { type = string }
resource "terraform_data" "x" { input = "${var.greeting} ${var.name}" }
output "said" { value = terraform_data.x.output }
`)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"TF_VAR_name=world"}
	res, err := w.RunEnv(ctx, env, "apply", "-auto-approve", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	if res.Duration <= 0 || !strings.Contains(res.Stdout, "1 added") {
		t.Errorf("apply: duration %v, output:\n%s", res.Duration, res.Stdout)
	}
	res, err = w.RunEnv(ctx, env, "output", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]struct{ Value string }
	if err := json.Unmarshal([]byte(res.Stdout), &out); err != nil {
		t.Fatalf("output -json: %v\n%s", err, res.Stdout)
	}
	if out["said"].Value != "hello world" {
		t.Errorf("said = %q", out["said"].Value)
	}
	if _, err := w.RunEnv(ctx, env, "plan", "-detailed-exitcode", "-no-color"); err != nil {
		t.Fatalf("plan after apply must show no changes: %v", err)
	}
	if _, err := w.RunEnv(ctx, env, "destroy", "-auto-approve", "-no-color"); err != nil {
		t.Fatal(err)
	}
}

func TestExitErrorCarriesOutput(t *testing.T) {
	w := workspace(t, "")
	if err := w.WriteFile("main.tf", `resource "terraform_data" "x" { input = var.missing }`); err != nil {
		t.Fatal(err)
	}
	res, err := w.Run(testContext(t), "plan", "-no-color")
	var exitErr *tfrun.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode != 1 || res.ExitCode != 1 {
		t.Fatalf("want exit 1, got %v (result %d)", err, res.ExitCode)
	}
	if !strings.Contains(err.Error(), "undeclared input variable") {
		t.Errorf("error does not carry terraform's message: %v", err)
	}
}

func TestNewRefusesMissingProvider(t *testing.T) {
	if _, err := tfrun.FindTerraform(); err != nil {
		t.Skip(err)
	}
	_, err := tfrun.New(tfrun.Options{Provider: filepath.Join(t.TempDir(), "nope")})
	if err == nil || !strings.Contains(err.Error(), "make build") {
		t.Fatalf("want an error pointing at make build, got %v", err)
	}
}

// With the real provider built from this module, a configuration mixing it
// with terraform_data applies without `terraform init`. It builds the
// provider, so it runs with the acceptance tests only.
func TestLocalProviderWithoutInit(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1: builds the provider")
	}
	if _, err := tfrun.FindTerraform(); err != nil {
		t.Skip(err)
	}
	ctx := testContext(t)
	bin := filepath.Join(t.TempDir(), "terraform-provider-nats")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/natsk3s/terraform-provider-nats")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build provider: %v\n%s", err, out)
	}
	s, err := testnats.Start(testnats.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()

	w := workspace(t, bin, "NATS_URL="+s.URL)
	err = w.WriteFile("main.tf", `
terraform {
  required_providers {
    nats = { source = "natsk3s/nats" }
  }
}
resource "nats_kv_bucket" "b" { name = "tfrun" }
resource "terraform_data" "d" { input = nats_kv_bucket.b.stream_name }
output "stream" { value = terraform_data.d.output }
`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.Run(ctx, "apply", "-auto-approve", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Stdout, `stream = "KV_tfrun"`) {
		t.Errorf("apply output:\n%s", res.Stdout)
	}
	if _, err := w.Run(ctx, "destroy", "-auto-approve", "-no-color"); err != nil {
		t.Fatal(err)
	}
}

// A mirror workspace has no dev_overrides: `terraform init` must find the
// provider in the mirror, and with an empty mirror says so without asking
// a registry.
func TestMirrorWithoutProvider(t *testing.T) {
	tf, err := tfrun.FindTerraform()
	if err != nil {
		t.Skip(err)
	}
	mirror := t.TempDir()
	w := tfrun.ForTest(t, tfrun.Options{Terraform: tf, Mirror: mirror})
	b := cliConfig(t, w)
	for _, want := range []string{"filesystem_mirror", `path    = "` + mirror + `"`, `include = ["` + tfrun.ProviderAddress + `"]`, `exclude = ["` + tfrun.ProviderAddress + `"]`} {
		if !strings.Contains(b, want) {
			t.Errorf("CLI config lacks %s:\n%s", want, b)
		}
	}
	if strings.Contains(b, "dev_overrides") {
		t.Errorf("a mirror workspace has dev_overrides:\n%s", b)
	}
	err = w.WriteFile("main.tf", `
terraform {
  required_providers {
    nats = { source = "natsk3s/nats" }
  }
}
`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Run(testContext(t), "init", "-input=false", "-no-color")
	if err == nil || !strings.Contains(err.Error(), mirror) {
		t.Errorf("init with an empty mirror: err = %v, want one naming the mirror", err)
	}

	if _, err := tfrun.New(tfrun.Options{Terraform: tf, Mirror: mirror, Provider: t.TempDir()}); err == nil {
		t.Error("a mirror and a provider binary together must be refused")
	}
	if _, err := tfrun.New(tfrun.Options{Terraform: tf, Mirror: filepath.Join(mirror, "nope")}); err == nil {
		t.Error("a missing mirror directory must be refused")
	}
}
