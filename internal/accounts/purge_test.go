package accounts

import (
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/kv"
)

func TestPurgeStreams(t *testing.T) {
	e := clusterEnv(t)
	ctx := testCtx(t)
	acc := e.createAccount(t, "purged", nil)
	nc := connect(t, acc.user(t, User{Name: "admin"}), cluster.URLs()...)
	js := newJS(t, nc)
	for _, b := range []string{"one", "two"} {
		if _, err := kv.CreateExact(ctx, js, jetstream.KeyValueConfig{Bucket: b}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"events.>"}, Replicas: 3}); err != nil {
		t.Fatal(err)
	}

	dial := DialURLs(cluster.URLs(), nats.MaxReconnects(0))
	deleted, err := PurgeStreams(ctx, dial, PurgeRequest{Account: acc.PublicKey, SigningSeed: acc.SigningSeed})
	if err != nil {
		t.Fatal(err)
	}
	if len(deleted) != 3 {
		t.Errorf("deleted %v, want 3 streams", deleted)
	}
	names := js.StreamNames(ctx)
	for n := range names.Name() {
		t.Errorf("stream %s survived the purge", n)
	}
	if err := names.Err(); err != nil {
		t.Fatal(err)
	}
	// An account without JetStream has nothing to purge.
	plain := e.createAccount(t, "no-js", func(a *Account) { a.JetStream = nil })
	if deleted, err := PurgeStreams(ctx, dial, PurgeRequest{Account: plain.PublicKey, SigningSeed: plain.SigningSeed}); err != nil || len(deleted) != 0 {
		t.Errorf("purge without JetStream = %v, %v", deleted, err)
	}
}
