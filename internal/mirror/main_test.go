package mirror

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// Servers shared by the package's tests. Tests that stop servers start
// their own testnats.Regions.
var (
	single  *testnats.Server
	cluster *testnats.Cluster
	hubLeaf *testnats.HubLeaf
	// accounts has a source account, a mirror account importing its
	// JetStream API, and a blind one that only sees its stream info.
	accounts *testnats.Server
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	var err error
	defer func() {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}()
	if single, err = testnats.Start(testnats.Config{}); err != nil {
		return 1
	}
	defer single.Shutdown()
	if cluster, err = testnats.StartCluster(3, ""); err != nil {
		return 1
	}
	defer cluster.Shutdown()
	if hubLeaf, err = testnats.StartHubLeaf(); err != nil {
		return 1
	}
	defer hubLeaf.Shutdown()
	if accounts, err = testnats.StartCrossAccount(); err != nil {
		return 1
	}
	defer accounts.Shutdown()
	for _, a := range []struct {
		url  string
		opts []nats.Option
	}{
		{single.URL, nil}, {cluster.Servers[0].URL, nil}, {hubLeaf.Hub.URL, nil}, {hubLeaf.Leaf.URL, nil},
		{accounts.URL, []nats.Option{testnats.AccountUser(testnats.SourceAccount)}},
		{accounts.URL, []nats.Option{testnats.AccountUser(testnats.MirrorAccount)}},
		{accounts.URL, []nats.Option{testnats.AccountUser(testnats.BlindAccount)}},
	} {
		if err = testnats.Anchor(a.url, a.opts...); err != nil {
			return 1
		}
	}
	return m.Run()
}

func testContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

// uniq is a bucket name unique to this run.
func uniq(base string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return base + "_" + hex.EncodeToString(b)
}

// kineBucket makes bucket exactly as KINE does (replicas 1, history) and
// writes n keys to it, some twice, and deletes one: revisions with gaps.
func kineBucket(tb testing.TB, js jetstream.JetStream, bucket string, history, n int) jetstream.KeyValue {
	tb.Helper()
	ctx := testContext(tb)
	b, err := js.CreateKeyValue(ctx, k3s.BucketConfig(bucket, 1, history))
	if err != nil {
		tb.Fatalf("create source bucket %s: %v", bucket, err)
	}
	write(tb, b, n)
	return b
}

// write puts n keys, updates every third and deletes the first.
func write(tb testing.TB, b jetstream.KeyValue, n int) {
	tb.Helper()
	ctx := testContext(tb)
	for i := range n {
		if _, err := b.Put(ctx, fmt.Sprintf("k%d", i), []byte(fmt.Sprintf("v%d", i))); err != nil {
			tb.Fatal(err)
		}
	}
	for i := 0; i < n; i += 3 {
		if _, err := b.Put(ctx, fmt.Sprintf("k%d", i), []byte(fmt.Sprintf("v%d-2", i))); err != nil {
			tb.Fatal(err)
		}
	}
	if n > 0 {
		if err := b.Delete(ctx, "k0"); err != nil {
			tb.Fatal(err)
		}
	}
}

// mustCreate creates and waits for a mirror, and removes it after the test.
func mustCreate(tb testing.TB, js, src jetstream.JetStream, spec Spec) Status {
	tb.Helper()
	ctx := testContext(tb)
	if _, err := Create(ctx, js, src, spec); err != nil {
		tb.Fatalf("create mirror: %v", err)
	}
	tb.Cleanup(func() { _ = Delete(context.Background(), js, spec.Name) })
	st, err := WaitCaughtUp(ctx, js, src, spec)
	if err != nil {
		tb.Fatalf("wait for mirror: %v", err)
	}
	return st
}

// sameEntries checks that every key of source reads the same, value and
// revision, from the bucket promoted from a mirror.
func sameEntries(tb testing.TB, source, promoted jetstream.KeyValue) {
	tb.Helper()
	ctx := testContext(tb)
	keys, err := source.ListKeys(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for k := range keys.Keys() {
		n++
		want, err := source.Get(ctx, k)
		if err != nil {
			tb.Fatal(err)
		}
		got, err := promoted.Get(ctx, k)
		if err != nil {
			tb.Fatalf("promoted bucket, key %s: %v", k, err)
		}
		if string(got.Value()) != string(want.Value()) || got.Revision() != want.Revision() {
			tb.Errorf("key %s: promoted has %q at revision %d, source %q at %d", k, got.Value(), got.Revision(), want.Value(), want.Revision())
		}
	}
	if n == 0 {
		tb.Fatal("the source has no keys: the comparison says nothing")
	}
	if _, err := promoted.Get(ctx, "k0"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		tb.Errorf("deleted key k0 on the promoted bucket: %v, want not found", err)
	}
}

// kineAccepts does what KINE does on every start against the bucket, with
// an endpoint carrying these replicas and history.
func kineAccepts(tb testing.TB, js jetstream.JetStream, bucket string, replicas, history int) jetstream.KeyValue {
	tb.Helper()
	b, err := js.CreateKeyValue(testContext(tb), jetstream.KeyValueConfig{
		Bucket: bucket, Description: "Holds kine key/values", History: uint8(history), Replicas: replicas,
	})
	if err != nil {
		tb.Fatalf("KINE's CreateKeyValue on bucket %s: %v", bucket, err)
	}
	return b
}

func noStream(tb testing.TB, js jetstream.JetStream, name string) {
	tb.Helper()
	if _, err := js.Stream(testContext(tb), kv.StreamName(name)); !errors.Is(err, jetstream.ErrStreamNotFound) {
		tb.Errorf("stream %s: %v, want none", kv.StreamName(name), err)
	}
}
