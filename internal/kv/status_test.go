package kv

import (
	"testing"
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
