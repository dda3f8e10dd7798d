package kv

import (
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

func TestStatusSingle(t *testing.T) {
	t.Parallel()
	js, ctx := singleJS(t), testContext(t)
	cfg := mustCreate(t, js, Config{Name: bucketName(t), History: 3})
	kv, err := js.KeyValue(ctx, cfg.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1", "2", "3"} {
		if _, err := kv.Put(ctx, "key", []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := kv.Put(ctx, "other", []byte("x")); err != nil {
		t.Fatal(err)
	}
	got, st, err := Status(ctx, js, cfg.Name)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	expect(t, "config", got, cfg)
	expect(t, "Values", st.Values, uint64(4))
	expect(t, "LastSequence", st.LastSequence, uint64(4))
	if st.Bytes == 0 {
		t.Error("Bytes = 0")
	}
	if st.Cluster != "" || len(st.Replicas) != 0 {
		t.Errorf("cluster info on a lone server: %+v", st)
	}
}

func TestStatusCluster(t *testing.T) {
	t.Parallel()
	js, ctx := clusterJS(t), testContext(t)
	cfg := mustCreate(t, js, Config{Name: bucketName(t), Replicas: 3})
	_, st, err := Status(ctx, js, cfg.Name)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	expect(t, "Cluster", st.Cluster, clusterName)
	if st.Leader == "" || len(st.Replicas) != 2 {
		t.Errorf("want a leader and two followers: %+v", st)
	}
	for _, r := range st.Replicas {
		if r.Name == "" || r.Name == st.Leader || r.Offline {
			t.Errorf("follower %+v (leader %s)", r, st.Leader)
		}
	}
}

func TestPeersOf(t *testing.T) {
	info := func(leader string, peers ...jetstream.PeerInfo) *jetstream.StreamInfo {
		ci := &jetstream.ClusterInfo{Leader: leader}
		for i := range peers {
			ci.Replicas = append(ci.Replicas, &peers[i])
		}
		return &jetstream.StreamInfo{Cluster: ci}
	}
	tests := []struct {
		name    string
		si      *jetstream.StreamInfo
		want    Peers
		settled bool
	}{
		{"all current", info("a", jetstream.PeerInfo{Current: true}, jetstream.PeerInfo{Current: true}), Peers{Leader: "a", Current: 3}, true},
		// One entry behind the leader: online, not current, not a fault.
		{"one lagging", info("a", jetstream.PeerInfo{Current: true}, jetstream.PeerInfo{}), Peers{Leader: "a", Current: 2, Lagging: 1}, false},
		{"one offline", info("a", jetstream.PeerInfo{Current: true}, jetstream.PeerInfo{Offline: true}), Peers{Leader: "a", Current: 2, Offline: 1}, false},
		{"no leader", info("", jetstream.PeerInfo{}, jetstream.PeerInfo{}), Peers{Lagging: 2}, false},
	}
	for _, tt := range tests {
		h := PeersOf(tt.si.Cluster)
		if h != tt.want || h.Settled() != tt.settled {
			t.Errorf("%s: PeersOf = %+v (settled %v), want %+v (settled %v)", tt.name, h, h.Settled(), tt.want, tt.settled)
		}
	}
	if p := PeersOf(nil); p != (Peers{}) || p.Settled() {
		t.Errorf("PeersOf(nil) = %+v, want no peers and not settled", p)
	}
}
