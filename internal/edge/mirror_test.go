package edge

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// A hub mirror of the edge bucket follows it, keeps its revisions, carries
// a 1.5 MiB value, and catches up with what the edge wrote while the link
// was down. The hub mirror is a plain JetStream mirror here; nats_kv_mirror
// makes the same one.
func TestHubMirrorFollowsEdge(t *testing.T) {
	for _, h := range []*hub{plain, secure} {
		name := "mirror-plain"
		if h.tls != nil {
			name = "mirror-tls"
		}
		t.Run(name, func(t *testing.T) { mirrorFollows(t, h, name) })
	}
}

func mirrorFollows(t *testing.T, h *hub, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	site := h.site(name)
	domain := site.WithDefaults().Domain
	running, kv := startEdge(ctx, t, site, h.leafUser(t, domain, nil), h.tlsContent(), name)
	cfg := k3s.BucketConfig("kine", 1, 10)
	big := make([]byte, 1536<<10)
	_, _ = rand.Read(big)
	for i, v := range [][]byte{[]byte("a"), big, []byte("c")} {
		if _, err := kv.Put(ctx, fmt.Sprintf("k%d", i), v); err != nil {
			t.Fatal(err)
		}
	}

	// The hub's mirror, with the source's history and description.
	hjs, err := jetstream.New(h.conn(t))
	if err != nil {
		t.Fatal(err)
	}
	mirrorName := "KV_kine_" + name
	_, err = hjs.CreateStream(ctx, jetstream.StreamConfig{
		Name: mirrorName, Description: cfg.Description, MaxMsgsPerSubject: int64(cfg.History),
		Mirror: &jetstream.StreamSource{Name: "KV_kine", Domain: domain}, MirrorDirect: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer hjs.DeleteStream(context.Background(), mirrorName)
	caughtUp(ctx, t, hjs, mirrorName, 3)
	// The hub reads the edge's bucket the way nats_k3s_datastore's data
	// source does (consumers across the link), with the preset's subjects.
	djs, err := jetstream.NewWithDomain(h.conn(t), domain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k3s.Inspect(ctx, djs, "kine"); err != nil {
		t.Errorf("the hub cannot read the edge's bucket as KINE does: %v", err)
	}

	// The link drops; the edge goes on; the link returns; the mirror
	// catches up, with the revisions the edge gave.
	if err := running.SetLink(false); err != nil {
		t.Fatal(err)
	}
	for running.Server().NumLeafNodes() > 0 {
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := kv.Put(ctx, "offline", []byte("written while the link was down")); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if err := running.SetLink(true); err != nil {
		t.Fatal(err)
	}
	caughtUp(ctx, t, hjs, mirrorName, 4)
	t.Logf("the hub mirror caught up %s after the link returned", time.Since(began).Round(time.Millisecond))
	s, err := hjs.Stream(ctx, mirrorName)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetLastMsgForSubject(ctx, "$KV.kine.offline")
	if err != nil || m.Sequence != 4 {
		t.Fatalf("the mirror's copy of the offline write: %+v, %v; want revision 4", m, err)
	}
}

// caughtUp waits until the mirror holds last as its last sequence.
func caughtUp(ctx context.Context, t *testing.T, js jetstream.JetStream, name string, last uint64) {
	t.Helper()
	for {
		s, err := js.Stream(ctx, name)
		if err == nil && s.CachedInfo().State.LastSeq == last {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("mirror %s did not reach sequence %d: %v", name, last, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Every subject of the leaf node preset is needed: without it the hub
// cannot reach the edge's JetStream or a hub mirror cannot follow. (Without
// $JS.FC.> a mirror follows at first and stalls for good once the link has
// dropped, which takes longer to show than a test should wait.)
func TestLeafnodePermissionsAreNeeded(t *testing.T) {
	for i, without := range []string{"$JS.edge-need-0.API.>", "_INBOX.>", "$JSC.R.>", "$JS.M.>"} {
		name := fmt.Sprintf("need-%d", i)
		domain := DefaultDomain(name)
		t.Run(without, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			creds := plain.leafUser(t, domain, func(u *accounts.User) {
				u.LeafnodeDomain = ""
				pub, sub := accounts.LeafnodePermissions(domain, "")
				u.Pub.Allow = slices.DeleteFunc(pub, func(s string) bool { return s == without })
				u.Sub.Allow = slices.DeleteFunc(sub, func(s string) bool { return s == without })
				u.ConnectionTypes = []string{"LEAFNODE"}
			})
			_, kv := startEdge(ctx, t, plain.site(name), creds, TLSContent{}, name)
			if _, err := kv.Put(ctx, "k", []byte("v")); err != nil {
				t.Fatal(err)
			}
			hub := plain.conn(t)
			hjs, _ := jetstream.New(hub)
			mirror := "KV_kine_" + name
			_, err := hjs.CreateStream(ctx, jetstream.StreamConfig{Name: mirror, Mirror: &jetstream.StreamSource{Name: "KV_kine", Domain: domain}})
			if err != nil {
				t.Fatal(err)
			}
			defer hjs.DeleteStream(context.Background(), mirror)
			// Both the hub's view and its mirror had a few seconds; with the
			// whole preset either takes well under one.
			time.Sleep(5 * time.Second)
			djs, _ := jetstream.NewWithDomain(hub, domain)
			actx, acancel := context.WithTimeout(ctx, 2*time.Second)
			_, infoErr := djs.AccountInfo(actx)
			acancel()
			s, err := hjs.Stream(ctx, mirror)
			if err != nil {
				t.Fatal(err)
			}
			if infoErr == nil && s.CachedInfo().State.LastSeq == 1 {
				t.Errorf("without %s the hub still reaches domain %s and its mirror follows: the preset grants more than the link needs", without, domain)
			}
		})
	}
}

// startEdge runs site's edge server until the test ends, waits for its leaf
// connection, and makes its bucket as KINE makes it.
func startEdge(ctx context.Context, t *testing.T, site Site, creds []byte, tls TLSContent, name string) (*Local, jetstream.KeyValue) {
	t.Helper()
	running, err := StartLocal(ctx, site, creds, tls, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = running.Stop(context.Background()) })
	waitLeaf(t, running)
	nc, err := nats.Connect("", nats.InProcessServer(running.Server()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.CreateKeyValue(ctx, k3s.BucketConfig("kine", 1, 10))
	if err != nil {
		t.Fatal(err)
	}
	return running, kv
}
