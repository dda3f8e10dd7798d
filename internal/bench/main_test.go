package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

// Every kind's cycle works end to end at a small N, so `make bench` cannot
// rot unnoticed: apply, a clean plan and destroy for the provider, the
// reference provider and terraform_data, with the provider dialing once in
// each command's process that does NATS work.
func TestSmallCycles(t *testing.T) {
	tf, err := tfrun.FindTerraform()
	if err != nil {
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	o := options{terraform: tf, parallelism: 10, timeout: 2 * time.Minute, provider: filepath.Join(dir, "terraform-provider-nats")}
	if err := goBuild(ctx, o.provider, "github.com/natsk3s/terraform-provider-nats"); err != nil {
		t.Fatal(err)
	}
	if o.minimal, err = buildMinimal(ctx, dir); err != nil {
		t.Fatal(err)
	}
	srv, err := testnats.Start(testnats.Config{Name: "bench-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()

	for _, k := range kinds {
		c, err := runCycle(ctx, o, srv, k, 3, "")
		if err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		if k.name != buckets.name {
			continue
		}
		// Destroy refreshes and deletes in two processes: two connections.
		if c["apply"].conns != 1 || c["plan"].conns != 1 || c["destroy"].conns != 2 {
			t.Errorf("NATS connections apply/plan/destroy = %d/%d/%d, want 1/1/2", c["apply"].conns, c["plan"].conns, c["destroy"].conns)
		}
	}
}
