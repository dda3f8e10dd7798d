package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/mirror"
	"github.com/natsk3s/terraform-provider-nats/internal/testkine"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// A leaf connection between two regions as the region-link grant allows it
// (RegionLinkPermissions), on real servers: KINE's buckets mirror both ways
// and pass the mirror check, each mirror is promoted with its source sealed
// across the link, and neither side can send the other anything else: no
// stream delete through the other's domain, no plain subject of the
// account; the link stays up through the attempts.
func TestRegionLink(t *testing.T) {
	r, err := testnats.StartOperatorRegions()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Shutdown)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	acc, err := r.CreateAccount(ctx, "K3S")
	if err != nil {
		t.Fatal(err)
	}
	link, err := accounts.IssueUser(accounts.User{Name: "link", Account: acc.PublicKey,
		LeafnodeDomain: testnats.RegionBDomain, LeafnodeHubDomain: testnats.RegionADomain}, acc.SigningSeed, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.LinkAccount(ctx, acc.PublicKey, link.Creds); err != nil {
		t.Fatal(err)
	}
	// Every client below is the account's unrestricted user: only the
	// link's grant stands between the regions.
	credsPath := filepath.Join(t.TempDir(), "admin.creds")
	if err := os.WriteFile(credsPath, acc.Creds, 0o600); err != nil {
		t.Fatal(err)
	}
	for url, bucket := range map[string]string{r.A.URL: "alpha", r.B.URL: "beta"} {
		k, err := conformance.StartKine(ctx, k3s.Endpoint{Servers: []string{strings.TrimPrefix(url, "nats://")}, Bucket: bucket, CredsFile: credsPath, NoEmbed: true}.String())
		if err != nil {
			t.Fatal(err)
		}
		_, err = testkine.Write(ctx, k.Client(), "/registry/configmaps/default/", 30)
		if stopErr := k.Stop(); err == nil {
			err = stopErr
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	a := testnats.JetStream(t, r.A.URL, acc.Creds, testnats.RegionADomain)
	b := testnats.JetStream(t, r.B.URL, acc.Creds, testnats.RegionBDomain)
	aFromB := testnats.JetStream(t, r.B.URL, acc.Creds, testnats.RegionADomain)
	bFromA := testnats.JetStream(t, r.A.URL, acc.Creds, testnats.RegionBDomain)

	// Region B mirrors alpha (leaf from hub), region A mirrors beta (hub
	// from leaf), each made and checked through its own region's server.
	ways := []struct {
		mirror, source jetstream.JetStream
		spec           mirror.Spec
		home           string // the source's region
	}{
		{b, aFromB, mirror.Spec{Name: "alpha", Domain: testnats.RegionBDomain, Source: mirror.Source{Bucket: "alpha", Domain: testnats.RegionADomain}}, r.A.URL},
		{a, bFromA, mirror.Spec{Name: "beta", Domain: testnats.RegionADomain, Source: mirror.Source{Bucket: "beta", Domain: testnats.RegionBDomain}}, r.B.URL},
	}
	for _, w := range ways {
		if _, err := mirror.Create(ctx, w.mirror, w.source, w.spec); err != nil {
			t.Fatalf("mirror %s into %s: %v", w.spec.Source, w.spec.Domain, err)
		}
		rep := conformance.RunMirror(ctx, conformance.MirrorTarget{Mirror: w.mirror, Source: w.source, Spec: w.spec, SampleSize: 20}, conformance.Options{Timeout: 30 * time.Second})
		if !rep.Passed || rep.Step(conformance.StepMirrorSample).Skipped {
			t.Fatalf("mirror check of %s in %s: %s", w.spec.Name, w.spec.Domain, rep.Summary())
		}
	}

	// Flow control crosses both ways: 4 MiB written into each source, more
	// than a mirror consumer sends (2 MiB) before it waits for the answer
	// to its flow control, reach the mirror; and the source's region sees
	// the mirror's answers.
	for _, w := range ways {
		fc, err := connect(t, w.home, acc.Creds).SubscribeSync("$JS.FC.>")
		if err != nil {
			t.Fatal(err)
		}
		bucket, err := testnats.JetStream(t, w.home, acc.Creds, "").KeyValue(ctx, w.spec.Source.Bucket)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 8 {
			if _, err := bucket.Put(ctx, fmt.Sprintf("bulk.%d", i), make([]byte, 512<<10)); err != nil {
				t.Fatal(err)
			}
		}
		// Without the answers the mirror stalls for good: a minute is plenty.
		wctx, wcancel := context.WithTimeout(ctx, time.Minute)
		_, err = mirror.WaitCaughtUp(wctx, w.mirror, w.source, w.spec)
		wcancel()
		if err != nil {
			t.Fatalf("mirror %s in %s after 4 MiB: %v", w.spec.Name, w.spec.Domain, err)
		}
		if _, err := fc.NextMsg(5 * time.Second); err != nil {
			t.Errorf("no flow control answer from the mirror of %s reached its source's region: %v", w.spec.Source.Bucket, err)
		}
	}

	// Neither side reaches beyond the grant. A stream delete through the
	// other's domain finds no responder (the spoke does not forward it;
	// the hub would drop the link if it did); a plain subject of the
	// account does not arrive.
	for _, c := range []struct {
		from, to string
		other    jetstream.JetStream
		bucket   string
	}{{r.B.URL, r.A.URL, aFromB, "alpha"}, {r.A.URL, r.B.URL, bFromA, "beta"}} {
		if err := c.other.DeleteStream(ctx, kv.StreamName(c.bucket)); err == nil {
			t.Errorf("the link carried a delete of %s", c.bucket)
		}
		if _, err := c.other.Stream(ctx, kv.StreamName(c.bucket)); err != nil {
			t.Errorf("%s after a denied delete: %v", c.bucket, err)
		}
		sub := connect(t, c.to, acc.Creds)
		got, err := sub.SubscribeSync("orders.new")
		if err != nil {
			t.Fatal(err)
		}
		if err := sub.Flush(); err != nil {
			t.Fatal(err)
		}
		pub := connect(t, c.from, acc.Creds)
		if err := pub.Publish("orders.new", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if m, err := got.NextMsg(500 * time.Millisecond); !errors.Is(err, nats.ErrTimeout) {
			t.Errorf("a plain subject crossed the link from %s: %v, %v", c.from, m, err)
		}
	}

	if lz, err := r.A.Leafz(&server.LeafzOptions{Account: acc.PublicKey}); err != nil || len(lz.Leafs) != 1 {
		t.Errorf("the account's link after the denied attempts: %+v, %v", lz, err)
	}

	// Promotion with the source sealed across the link, both ways.
	for _, w := range ways {
		p, err := mirror.Promote(ctx, w.mirror, w.source, w.spec, mirror.PromoteOptions{SealSource: true})
		if err != nil || !p.Promoted || !p.Sealed || p.Lost != 0 {
			t.Errorf("promote %s in %s: %+v, %v", w.spec.Name, w.spec.Domain, p, err)
		}
	}
}

func connect(t *testing.T, url string, creds []byte) *nats.Conn {
	t.Helper()
	opt, err := testnats.CredsOption(creds)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(url, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}
