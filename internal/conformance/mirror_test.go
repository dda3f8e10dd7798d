package conformance_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/mirror"
	"github.com/natsk3s/terraform-provider-nats/internal/testkine"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// The mirror check on a hub and leaf of its own: KINE writes a cluster's
// worth of keys (updates, deletes, a lease) into the hub; mirrors in the
// leaf pass; a mirror that cannot sync, one compared with the wrong source
// and one made with nats.go's defaults fail at the step that says why.
func TestMirrorCheck(t *testing.T) {
	hl, err := testnats.StartHubLeaf()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hl.Shutdown)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	hub := testnats.JetStream(t, hl.Hub.URL, nil, "")
	leaf := testnats.JetStream(t, hl.Hub.URL, nil, testnats.LeafDomain)
	writeThroughKine(t, ctx, hl.Hub.URL, "kine", "/registry/configmaps/default/", 150)
	// As many revisions, other keys; and one revision fewer.
	writeThroughKine(t, ctx, hl.Hub.URL, "forged", "/registry/secrets/default/", 150)
	writeThroughKine(t, ctx, hl.Hub.URL, "shorter", "/registry/configmaps/default/", 149)
	source := mirror.Source{Bucket: "kine", Domain: testnats.HubDomain}
	opts := conformance.Options{Timeout: 60 * time.Second}

	for _, name := range []string{"kine", "renamed"} {
		t.Run("mirror named "+name, func(t *testing.T) {
			spec := mirror.Spec{Name: name, Domain: testnats.LeafDomain, Source: source}
			if _, err := mirror.Create(ctx, leaf, hub, spec); err != nil {
				t.Fatal(err)
			}
			// Small windows, so both the latest and the oldest are read.
			r := conformance.RunMirror(ctx, conformance.MirrorTarget{Mirror: leaf, Source: hub, Spec: spec, SampleSize: 40}, opts)
			if !r.Passed {
				t.Fatal(r.Summary())
			}
			for _, s := range r.Steps {
				t.Logf("%-14s %8s %s", s.Name, s.Duration.Round(time.Millisecond), s.Detail)
			}
			if d := r.Step(conformance.StepMirrorSample).Detail; !strings.Contains(d, "80 revisions") {
				t.Errorf("sample step: %s", d)
			}
		})
	}

	t.Run("never syncs", func(t *testing.T) {
		// A mirror reaching for a domain that does not exist, checked as
		// the mirror of the real source.
		cfg := mirrorStream(t, ctx, hub, mirror.Spec{Name: "stuck", Source: mirror.Source{Bucket: "kine", Domain: "nowhere"}})
		if _, err := leaf.CreateStream(ctx, cfg); err != nil {
			t.Fatal(err)
		}
		spec := mirror.Spec{Name: "stuck", Domain: testnats.LeafDomain, Source: source}
		r := conformance.RunMirror(ctx, conformance.MirrorTarget{Mirror: leaf, Source: hub, Spec: spec}, conformance.Options{Timeout: 2 * time.Second})
		failsAt(t, r, conformance.StepMirrorSync, "messages behind", "not heard from the source")
	})
	// The first differing revision may be a key or its tombstone, as the
	// writes fell: both name the source's key.
	for source, says := range map[string][]string{"forged": {"differs: the source has ", "/registry/secrets/"}, "shorter": {"not a copy of this source"}} {
		t.Run("checked against "+source, func(t *testing.T) {
			spec := mirror.Spec{Name: "kine", Domain: testnats.LeafDomain, Source: mirror.Source{Bucket: source, Domain: testnats.HubDomain}}
			r := conformance.RunMirror(ctx, conformance.MirrorTarget{Mirror: leaf, Source: hub, Spec: spec}, opts)
			failsAt(t, r, conformance.StepMirrorSample, says...)
		})
	}
	t.Run("nats.go defaults", func(t *testing.T) {
		// What nats.go (and the CLI) make of a KV mirror: history 1, no
		// description, mirror-direct on.
		if _, err := leaf.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "natsgo", Mirror: &jetstream.StreamSource{Name: "kine", Domain: testnats.HubDomain}}); err != nil {
			t.Fatal(err)
		}
		spec := mirror.Spec{Name: "natsgo", Domain: testnats.LeafDomain, Source: source}
		r := conformance.RunMirror(ctx, conformance.MirrorTarget{Mirror: leaf, Source: hub, Spec: spec}, opts)
		failsAt(t, r, conformance.StepMirrorConfig, "History", "Description")
	})
	t.Run("source down", func(t *testing.T) {
		spec := mirror.Spec{Name: "kine", Domain: testnats.LeafDomain, Source: source}
		unreachable := testnats.JetStream(t, hl.Leaf.URL, nil, "nowhere")
		r := conformance.RunMirror(ctx, conformance.MirrorTarget{Mirror: testnats.JetStream(t, hl.Leaf.URL, nil, ""), Source: unreachable, Spec: spec}, opts)
		if !r.Passed || !r.Step(conformance.StepMirrorSync).Skipped || !r.Step(conformance.StepMirrorSample).Skipped {
			t.Errorf("with the source unreachable: %s", r.Summary())
		}
	})
}

// writeThroughKine writes n keys under prefix into bucket through an
// embedded KINE.
func writeThroughKine(t *testing.T, ctx context.Context, url, bucket, prefix string, n int) testkine.Dataset {
	t.Helper()
	k, err := conformance.StartKine(ctx, k3s.Endpoint{Servers: []string{strings.TrimPrefix(url, "nats://")}, Bucket: bucket, NoEmbed: true}.String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := k.Stop(); err != nil {
			t.Error(err)
		}
	}()
	ds, err := testkine.Write(ctx, k.Client(), prefix, n)
	if err != nil {
		t.Fatal(err)
	}
	if err := testkine.Check(ctx, k.Client(), ds); err != nil {
		t.Fatal(err)
	}
	return ds
}

// mirrorStream is the stream config the provider would give a mirror.
func mirrorStream(t *testing.T, ctx context.Context, src jetstream.JetStream, spec mirror.Spec) jetstream.StreamConfig {
	t.Helper()
	s, err := src.Stream(ctx, kv.StreamName(spec.Source.Bucket))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := mirror.StreamConfig(spec, s.CachedInfo().Config, false)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func failsAt(t *testing.T, r *conformance.Report, step string, says ...string) {
	t.Helper()
	f := r.Failed()
	if f == nil || f.Name != step {
		t.Fatalf("want a failure at %q: %s", step, r.Summary())
	}
	for _, s := range says {
		if !strings.Contains(f.Detail, s) {
			t.Errorf("step %q says %q, want %q in it", step, f.Detail, s)
		}
	}
	if f.Hint == "" {
		t.Errorf("step %q failed without a hint", step)
	}
}
