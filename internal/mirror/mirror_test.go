package mirror

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// The usual cross-region shape: the source in the hub domain, a mirror of
// the same name in the leaf domain, made through the hub's connection. A
// planned switchover seals the source, then promotes the mirror with every
// revision, and KINE accepts the result.
func TestAcrossDomainsPlannedSwitchover(t *testing.T) {
	ctx := testContext(t)
	hub := testnats.JetStream(t, hubLeaf.Hub.URL, nil, "")
	leaf := testnats.JetStream(t, hubLeaf.Hub.URL, nil, testnats.LeafDomain)
	name := uniq("kine")
	source := kineBucket(t, hub, name, 20, 60)
	t.Cleanup(func() { _ = hub.DeleteKeyValue(ctx, name) })
	spec := Spec{Name: name, Domain: testnats.LeafDomain, Source: Source{Bucket: name, Domain: testnats.HubDomain}}

	st := mustCreate(t, leaf, hub, spec)
	if st.Promoted || st.Lag != 0 || !st.SourceReachable || st.Source != spec.Source || st.LastSeq != st.SourceLastSeq {
		t.Fatalf("after catching up: %+v", st)
	}
	if st.Config.MirrorDirect {
		t.Error("a mirror in another domain has mirror-direct on: it would answer reads meant for its source")
	}
	if st.Config.MaxMsgsPerSubject != 20 || st.Config.Description != "Holds kine key/values" {
		t.Errorf("history %d, description %q: not copied from the source", st.Config.MaxMsgsPerSubject, st.Config.Description)
	}

	p, err := Promote(ctx, leaf, hub, spec, PromoteOptions{SealSource: true})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Promoted || !p.Sealed || !p.SourceSealed || p.Lost != 0 || p.SplitBrain() {
		t.Errorf("promotion: %+v", p)
	}
	if _, err := source.Put(ctx, "after", []byte("x")); err == nil {
		t.Error("the sealed source still takes writes")
	}
	promoted := kineAccepts(t, leaf, name, 1, 20)
	sameEntries(t, source, promoted)
	if rev, err := promoted.Put(ctx, "new", []byte("n")); err != nil || rev != st.LastSeq+1 {
		t.Errorf("first write to the promoted bucket: revision %d (%v), want %d", rev, err, st.LastSeq+1)
	}
	// Promoting again changes nothing.
	if again, err := Promote(ctx, leaf, hub, spec, PromoteOptions{SealSource: true}); err != nil || !again.Promoted || again.Sealed {
		t.Errorf("second promotion: %+v, %v", again, err)
	}
}

// In the source's own account and domain the server makes every mirror
// answer the source's direct gets; a mirror under another name then
// answers "not found" for the source's keys. Create refuses such a mirror
// unless told that the source may be disturbed, and this test keeps
// checking that the server still behaves so.
func TestSameDomainDisruptsSource(t *testing.T) {
	ctx := testContext(t)
	js := testnats.JetStream(t, single.URL, nil, "")
	name := uniq("src")
	source := kineBucket(t, js, name, 10, 30)
	t.Cleanup(func() { _ = js.DeleteKeyValue(ctx, name) })
	spec := Spec{Name: uniq("copy"), Source: Source{Bucket: name}}

	_, err := Create(ctx, js, js, spec)
	if !errors.Is(err, ErrSourceDisruption) {
		t.Fatalf("Create = %v, want ErrSourceDisruption", err)
	}
	noStream(t, js, spec.Name)

	spec.AllowSourceDisruption = true
	st := mustCreate(t, js, js, spec)
	if !st.Config.MirrorDirect {
		t.Log("the server no longer forces mirror-direct on a same-domain mirror: ErrSourceDisruption may be obsolete")
	}
	missed := 0
	for range 100 {
		if _, err := source.Get(ctx, "k1"); errors.Is(err, jetstream.ErrKeyNotFound) {
			missed++
		}
	}
	if missed == 0 {
		t.Error("no get on the source missed while a same-domain mirror exists: the server changed, revisit ErrSourceDisruption")
	}
	t.Logf("%d of 100 gets on the source answered \"not found\" by the mirror", missed)

	// Promotion ends it: the bucket stops answering for the source.
	if _, err := Promote(ctx, js, js, spec, PromoteOptions{}); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if _, err := source.Get(ctx, "k1"); err != nil {
			t.Fatalf("get on the source after the mirror's promotion: %v", err)
		}
	}
	sameEntries(t, source, kineAccepts(t, js, spec.Name, 1, 10))
}

// A mirror in another account reaches its source through the API prefix
// the accounts share; one that can see the source but not read from it
// falls behind, and promotion refuses it until lagging is allowed.
func TestOtherAccount(t *testing.T) {
	ctx := testContext(t)
	srcJS := testnats.JetStreamAs(t, accounts.URL, testnats.AccountUser(testnats.SourceAccount), "")
	name := uniq("kine")
	source := kineBucket(t, srcJS, name, 10, 25)
	t.Cleanup(func() { _ = srcJS.DeleteKeyValue(ctx, name) })
	spec := Spec{Name: name, Source: Source{Bucket: name, APIPrefix: testnats.CrossAPIPrefix, DeliverPrefix: testnats.CrossDeliverPrefix}}

	t.Run("mirror", func(t *testing.T) {
		js := testnats.JetStreamAs(t, accounts.URL, testnats.AccountUser(testnats.MirrorAccount), "")
		via := testnats.JetStreamPrefix(t, accounts.URL, testnats.AccountUser(testnats.MirrorAccount), testnats.CrossAPIPrefix)
		st := mustCreate(t, js, via, spec)
		if st.Source != spec.Source {
			t.Errorf("source read back as %+v", st.Source)
		}
		if _, err := Promote(ctx, js, via, spec, PromoteOptions{}); err != nil {
			t.Fatal(err)
		}
		sameEntries(t, source, kineAccepts(t, js, name, 1, 10))
	})
	t.Run("blind", func(t *testing.T) {
		js := testnats.JetStreamAs(t, accounts.URL, testnats.AccountUser(testnats.BlindAccount), "")
		via := testnats.JetStreamPrefix(t, accounts.URL, testnats.AccountUser(testnats.BlindAccount), testnats.CrossAPIPrefix)
		if _, err := Create(ctx, js, via, spec); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = Delete(ctx, js, name) })
		short, cancel := context.WithTimeout(ctx, caughtUpPoll*4)
		defer cancel()
		_, err := WaitCaughtUp(short, js, via, spec)
		var lag *LagError
		if !errors.As(err, &lag) || lag.SourceSeq == 0 || lag.MirrorSeq != 0 || lag.LastActivity >= 0 {
			t.Fatalf("WaitCaughtUp = %v, want a lag of the whole source, never heard from", err)
		}
		if msg := lag.Error(); !strings.Contains(msg, fmt.Sprintf("%d messages behind", lag.SourceSeq)) || !strings.Contains(msg, "not heard from the source") {
			t.Errorf("lag message %q", msg)
		}
		_, err = Promote(ctx, js, via, spec, PromoteOptions{SealSource: true, Grace: time.Second})
		if !errors.As(err, &lag) {
			t.Fatalf("Promote of a lagging mirror = %v, want a *LagError", err)
		}
		if sealed := sourceSealed(t, srcJS, name); sealed {
			t.Error("a refused promotion sealed the source")
		}
		p, err := Promote(ctx, js, via, spec, PromoteOptions{AllowLagging: true, Grace: time.Second})
		if err != nil || !p.Promoted || p.Lost != lag.SourceSeq {
			t.Errorf("Promote allowing the lag: %+v, %v; want %d messages lost", p, err, lag.SourceSeq)
		}
	})
}

func sourceSealed(t *testing.T, js jetstream.JetStream, bucket string) bool {
	t.Helper()
	s, err := js.Stream(testContext(t), kv.StreamName(bucket))
	if err != nil {
		t.Fatal(err)
	}
	return s.CachedInfo().Config.Sealed
}

// Nothing is created for a source that is missing, that can never become a
// KINE bucket, or a mirror that would be its own source.
func TestCreateRefuses(t *testing.T) {
	ctx := testContext(t)
	hub := testnats.JetStream(t, hubLeaf.Hub.URL, nil, "")
	leaf := testnats.JetStream(t, hubLeaf.Hub.URL, nil, testnats.LeafDomain)
	ttl := uniq("ttl")
	if _, err := hub.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: ttl, Description: "Holds kine key/values", History: 10, TTL: 3600e9}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hub.DeleteKeyValue(ctx, ttl) })
	missing := uniq("missing")
	for _, tc := range []struct {
		name string
		spec Spec
		want error
		text string
	}{
		{"missing source", Spec{Name: missing, Domain: testnats.LeafDomain, Source: Source{Bucket: missing, Domain: testnats.HubDomain}},
			ErrSourceNotFound, `bucket "` + missing + `" in JetStream domain "hub"`},
		{"unpromotable source", Spec{Name: ttl, Domain: testnats.LeafDomain, Source: Source{Bucket: ttl, Domain: testnats.HubDomain}},
			nil, "TTL is 1h0m0s, KINE wants 0s"},
		{"its own source", Spec{Name: ttl, Domain: testnats.HubDomain, Source: Source{Bucket: ttl}}, ErrSameStream, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Create(ctx, leaf, hub, tc.spec)
			var blocked *BlockedError
			switch {
			case err == nil:
				t.Fatal("created")
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Errorf("error %v, want %v", err, tc.want)
			case tc.want == nil && !errors.As(err, &blocked):
				t.Errorf("error %v, want a *BlockedError", err)
			case !strings.Contains(err.Error(), tc.text):
				t.Errorf("error %q does not say %q", err, tc.text)
			}
		})
	}
	noStream(t, leaf, missing)
	noStream(t, leaf, ttl)
	// Told that it need not become a KINE bucket, it is a plain copy.
	plain := Spec{Name: ttl, Domain: testnats.LeafDomain, Source: Source{Bucket: ttl, Domain: testnats.HubDomain}, AllowBlocked: true}
	st := mustCreate(t, leaf, hub, plain)
	if st.Config.MaxAge != time.Hour || len(KineDifferences(st.Config)) == 0 || len(st.SourceBlockers) == 0 {
		t.Errorf("mirror of a TTL bucket: max age %s, KINE differences %v, source blockers %v", st.Config.MaxAge, KineDifferences(st.Config), st.SourceBlockers)
	}
	// An existing mirror is not adopted.
	name := uniq("twice")
	kineBucket(t, hub, name, 10, 3)
	t.Cleanup(func() { _ = hub.DeleteKeyValue(ctx, name) })
	spec := Spec{Name: name, Domain: testnats.LeafDomain, Source: Source{Bucket: name, Domain: testnats.HubDomain}}
	mustCreate(t, leaf, hub, spec)
	if _, err := Create(ctx, leaf, hub, spec); !errors.Is(err, kv.ErrExists) {
		t.Errorf("second Create = %v, want kv.ErrExists", err)
	}
}

// On a cluster: a mirror with three replicas and a placement, resized in
// place, promoted into KINE's bucket for replicas 3 (placement dropped).
func TestClusterReplicasAndPlacement(t *testing.T) {
	ctx := testContext(t)
	js := testnats.JetStream(t, cluster.Servers[0].URL, nil, "")
	name := uniq("src")
	source := kineBucket(t, js, name, 10, 40)
	t.Cleanup(func() { _ = js.DeleteKeyValue(ctx, name) })
	spec := Spec{Name: uniq("r3"), Source: Source{Bucket: name}, AllowSourceDisruption: true,
		Placement: &kv.Placement{Cluster: cluster.Servers[0].ClusterName()}}
	st := mustCreate(t, js, js, spec)
	// A clustered server drops a mirror's duplicate window; promoted, the
	// bucket gets KINE's back.
	if d := KineDifferences(st.Config); len(d) > 0 {
		t.Errorf("KINE would refuse the mirror once promoted: %v", d)
	}
	if st.Config.Replicas != 1 || st.Config.Placement == nil {
		t.Fatalf("created with replicas %d, placement %+v", st.Config.Replicas, st.Config.Placement)
	}
	spec.Replicas = 3
	if err := Resize(ctx, js, spec); err != nil {
		t.Fatal(err)
	}
	p, err := Promote(ctx, js, js, spec, PromoteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Config.Replicas != 3 || p.Config.Placement != nil {
		t.Errorf("promoted with replicas %d, placement %+v", p.Config.Replicas, p.Config.Placement)
	}
	if peers := kv.PeersOf(mustInfo(t, js, spec.Name).Cluster); !peers.Settled() || peers.Current != 3 {
		t.Errorf("promoted bucket's peers: %+v", peers)
	}
	sameEntries(t, source, kineAccepts(t, js, spec.Name, 3, 10))
}

func mustInfo(t *testing.T, js jetstream.JetStream, bucket string) *jetstream.StreamInfo {
	t.Helper()
	s, err := js.Stream(testContext(t), kv.StreamName(bucket))
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	return info
}
