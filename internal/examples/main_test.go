package examples_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

// examplesDir is examples/ of this repository, from this package's directory.
const examplesDir = "../../examples"

// provider is the provider binary, built once for the whole package by the
// first test that needs it and removed by TestMain.
var provider struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if provider.dir != "" {
		os.RemoveAll(provider.dir)
	}
	os.Exit(code)
}

// providerBinary builds the provider from this module. Building takes a
// while, so tests that need it run with the acceptance tests only.
func providerBinary(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1: builds the provider")
	}
	provider.once.Do(func() {
		if provider.dir, provider.err = os.MkdirTemp("", "examples-provider-"); provider.err != nil {
			return
		}
		provider.bin = filepath.Join(provider.dir, "terraform-provider-nats")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", provider.bin, "github.com/natsk3s/terraform-provider-nats").CombinedOutput()
		if err != nil {
			provider.err = fmt.Errorf("build provider: %v\n%s", err, out)
		}
	})
	if provider.err != nil {
		t.Fatal(provider.err)
	}
	return provider.bin
}

// workspace is a terraform work dir with dev_overrides for the provider,
// removed when the test ends; the test is skipped without terraform.
func workspace(t *testing.T, env ...string) *tfrun.Workspace {
	t.Helper()
	return tfrun.ForTest(t, tfrun.Options{Provider: providerBinary(t), Env: env})
}

func testContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
