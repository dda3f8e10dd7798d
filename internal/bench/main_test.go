package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

// What one small bench run must show, so that the gains of issue 12 cannot
// silently regress.
const (
	smallN = 8
	// The refresh of every bucket in one account: one paged stream listing
	// (one page up to 256 buckets), not one request per bucket.
	maxRefreshRequests = 2
	// Bytes one plain bucket with defaults (and history 5, memory storage)
	// adds to the state as compact JSON: 509 today. As Terraform writes it,
	// indented, it is 984: 21 top-level attributes and the credentials'
	// sensitive path keep that above 600.
	maxStateBytes = 600
)

// Every kind's cycle works end to end at a small N, so `make bench` cannot
// rot unnoticed: apply, a clean plan and destroy for the provider, the
// reference provider's two resources and terraform_data, with the provider
// dialing once in each command's process that does NATS work, refreshing
// every bucket with a constant number of JetStream requests, and keeping
// its state small; minimal_shape's state stays a bucket's.
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

	cycles := map[string]cycle{}
	for _, k := range kinds {
		c, err := runCycle(ctx, o, srv, k, smallN, "")
		if err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		cycles[k.name] = c
		t.Logf("%s x %d: conns %d/%d/%d, JS API requests %d/%d/%d, state %.0f B per resource (%.0f compact), provider peak RSS %.0f MiB",
			k.name, smallN, c["apply"].conns, c["plan"].conns, c["destroy"].conns, c["apply"].api, c["plan"].api, c["destroy"].api,
			c["apply"].state, c["apply"].stateCompact, c.peakRSS())
		if k.name != buckets.name {
			continue
		}
		// Destroy refreshes and deletes in two processes: two connections.
		if c["apply"].conns != 1 || c["plan"].conns != 1 || c["destroy"].conns != 2 {
			t.Errorf("NATS connections apply/plan/destroy = %d/%d/%d, want 1/1/2", c["apply"].conns, c["plan"].conns, c["destroy"].conns)
		}
		if c["plan"].api > maxRefreshRequests {
			t.Errorf("the refresh of %d buckets made %d JetStream API requests, want at most %d (one stream listing)", smallN, c["plan"].api, maxRefreshRequests)
		}
		if c["apply"].stateCompact > maxStateBytes {
			t.Errorf("a bucket adds %.0f bytes to the state (compact JSON), want at most %d", c["apply"].stateCompact, maxStateBytes)
		}
	}
	// minimal_shape is a bucket's floor only while its state is a bucket's.
	b, sh := cycles[buckets.name]["apply"], cycles[shape.name]["apply"]
	if b.state != sh.state || b.stateCompact != sh.stateCompact {
		t.Errorf("minimal_shape adds %.0f/%.0f bytes to the state, a bucket %.0f/%.0f: the shape no longer matches", sh.state, sh.stateCompact, b.state, b.stateCompact)
	}
}
