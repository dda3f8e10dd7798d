package mirror

import (
	"errors"
	"testing"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// A region is lost: the hub goes down with the source, the mirror in the
// leaf is promoted with what it has, and KINE accepts it. When the hub
// returns, its old bucket is writable (split brain) until sealed; failback
// mirrors the promoted bucket into the hub under a new name.
func TestUnplannedFailoverAndFailback(t *testing.T) {
	regions, err := testnats.StartRegions()
	if err != nil {
		t.Fatal(err)
	}
	defer regions.Shutdown()
	ctx := testContext(t)
	// Everything goes through the leaf, as an operator in the surviving
	// region would.
	leaf := testnats.JetStream(t, regions.Leaf.URL, nil, "")
	hub := testnats.JetStream(t, regions.Leaf.URL, nil, testnats.HubDomain)
	kineBucket(t, testnats.JetStream(t, regions.Hub.URL, nil, ""), "kine", 10, 50)
	spec := Spec{Name: "kine", Source: Source{Bucket: "kine", Domain: testnats.HubDomain}}
	before := mustCreate(t, leaf, hub, spec)

	regions.StopHub()
	st, err := Get(ctx, leaf, hub, spec)
	if err != nil {
		t.Fatal(err)
	}
	if st.SourceReachable || st.SourceError == "" || st.Promoted || st.LastSeq != before.LastSeq {
		t.Fatalf("with the hub down: %+v", st)
	}
	if _, err := WaitCaughtUp(ctx, leaf, hub, spec); !errors.Is(err, ErrSourceUnreachable) {
		t.Errorf("WaitCaughtUp with the hub down = %v, want ErrSourceUnreachable", err)
	}
	p, err := Promote(ctx, leaf, hub, spec, PromoteOptions{SealSource: true})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Promoted || p.Sealed || p.SourceReachable || p.LastSeq != before.LastSeq {
		t.Errorf("promotion with the hub down: %+v", p)
	}
	promoted := kineAccepts(t, leaf, "kine", 1, 10)
	if rev, err := promoted.Put(ctx, "written-in-leaf", []byte("x")); err != nil || rev != before.LastSeq+1 {
		t.Fatalf("write after failover: revision %d, %v", rev, err)
	}

	if err := regions.RestartHub(ctx); err != nil {
		t.Fatal(err)
	}
	st, err = Get(ctx, leaf, hub, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !st.SplitBrain() {
		t.Fatalf("the returned hub's unsealed bucket is not reported: %+v", st)
	}
	if err := Seal(ctx, hub, "kine"); err != nil {
		t.Fatal(err)
	}
	if st, err = Get(ctx, leaf, hub, spec); err != nil || st.SplitBrain() || !st.SourceSealed {
		t.Fatalf("after sealing: %+v, %v", st, err)
	}

	// Failback: the hub mirrors the promoted bucket under a new name.
	back := Spec{Name: "kine_back", Domain: testnats.HubDomain, Source: Source{Bucket: "kine", Domain: testnats.LeafDomain}}
	mustCreate(t, hub, leaf, back)
	if _, err := Promote(ctx, hub, leaf, back, PromoteOptions{SealSource: true}); err != nil {
		t.Fatal(err)
	}
	sameEntries(t, promoted, kineAccepts(t, hub, "kine_back", 1, 10))
}
