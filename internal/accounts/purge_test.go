package accounts

import (
	"strings"
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

	deleted, err := PurgeStreams(ctx, purgeJS(t, acc.PublicKey, acc.SigningSeed, "_INBOX_purge"))
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
	if deleted, err := PurgeStreams(ctx, purgeJS(t, plain.PublicKey, plain.SigningSeed, "")); err != nil || len(deleted) != 0 {
		t.Errorf("purge without JetStream = %v, %v", deleted, err)
	}
}

// purgeJS connects as the purge user of account, with the inbox prefix the
// user is minted for.
func purgeJS(t *testing.T, account string, seed []byte, inboxPrefix string) jetstream.JetStream {
	t.Helper()
	user, err := PurgeUser(account, seed, "", inboxPrefix)
	if err != nil {
		t.Fatal(err)
	}
	opts := []nats.Option{nats.UserJWTAndSeed(user.JWT, string(user.Seed)), nats.MaxReconnects(0)}
	if inboxPrefix != "" {
		opts = append(opts, nats.CustomInboxPrefix(inboxPrefix))
	}
	nc, err := nats.Connect(strings.Join(cluster.URLs(), ","), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}
