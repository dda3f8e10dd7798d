package provider

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

// cliWorkspace is a terraform working directory driven through the real
// CLI, with this package's provider served in-process: for what a person
// sees and terraform-plugin-testing does not show (warnings as the CLI
// prints them, plan text). Configurations name the provider as
// natsk3s/nats.
type cliWorkspace struct {
	t  *testing.T
	ws *tfrun.Workspace
}

// requiredProviders is the terraform block every cliWorkspace
// configuration starts with.
const requiredProviders = `terraform {
  required_providers {
    nats = { source = "natsk3s/nats" }
  }
}
`

func newCLIWorkspace(t *testing.T) *cliWorkspace {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	reattach := reattachProviders(t, tfrun.ProviderAddress)
	ws, err := tfrun.New(tfrun.Options{Env: []string{"TF_REATTACH_PROVIDERS=" + reattach}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &cliWorkspace{t: t, ws: ws}
}

// write replaces the configuration with config (requiredProviders first).
func (c *cliWorkspace) write(config string) {
	c.t.Helper()
	if err := c.ws.WriteFile("main.tf", requiredProviders+config); err != nil {
		c.t.Fatal(err)
	}
}

// run runs one terraform command and returns what it printed, stdout then
// stderr; err is set when terraform failed.
func (c *cliWorkspace) run(args ...string) (string, error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := c.ws.RunQuiet(ctx, nil, append(args, "-no-color")...)
	out := res.Stdout + res.Stderr
	var exit *tfrun.ExitError
	if err != nil && !errors.As(err, &exit) {
		c.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	return out, err
}

// must runs a command that has to succeed.
func (c *cliWorkspace) must(args ...string) string {
	c.t.Helper()
	out, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// apply applies config and returns the output.
func (c *cliWorkspace) apply(config string) string {
	c.t.Helper()
	c.write(config)
	return c.must("apply", "-auto-approve", "-input=false")
}

// plan plans config and returns the output and terraform's error.
func (c *cliWorkspace) plan(config string) (string, error) {
	c.t.Helper()
	c.write(config)
	return c.run("plan", "-input=false")
}
