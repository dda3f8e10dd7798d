package k3s

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/k3s-io/kine/pkg/drivers"
	kinenats "github.com/k3s-io/kine/pkg/drivers/nats"
	kineserver "github.com/k3s-io/kine/pkg/server"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sirupsen/logrus"
	"go.uber.org/goleak"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// inspectKine is KINE's NATS driver backend running in-process, without
// its gRPC front: the test drives it through the backend API.
type inspectKine struct {
	kineserver.Backend
	cancel context.CancelFunc
	wg     *sync.WaitGroup
}

// startInspectKine starts KINE on endpoint. Its context is only ever
// cancelled (KINE spins on a deadline context); a timer cancels it if the
// test forgets or hangs.
func startInspectKine(t *testing.T, endpoint string) *inspectKine {
	t.Helper()
	level := logrus.GetLevel()
	logrus.SetLevel(logrus.ErrorLevel) // KINE warns about the undecodable value it must skip
	t.Cleanup(func() { logrus.SetLevel(level) })

	kctx, cancel := context.WithCancel(context.Background())
	safety := time.AfterFunc(3*time.Minute, cancel)
	k := &inspectKine{cancel: func() { safety.Stop(); cancel() }, wg: &sync.WaitGroup{}}
	t.Cleanup(func() { k.stop(t) })

	// No compaction interval: the test compacts once, by hand.
	_, b, err := kinenats.New(kctx, k.wg, &drivers.Config{Endpoint: endpoint})
	if err != nil {
		t.Fatalf("KINE: %v", err)
	}
	if err := b.Start(kctx); err != nil {
		t.Fatalf("KINE start: %v", err)
	}
	k.Backend = b
	return k
}

// stop cancels KINE and waits a bounded time for the goroutines it counts.
func (k *inspectKine) stop(t *testing.T) {
	t.Helper()
	k.cancel()
	done := make(chan struct{})
	go func() { k.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Error("KINE did not stop within 5s of being cancelled")
	}
}

// compactRevision is the compact revision KINE itself reports: a watch from
// before it fails as compacted and carries it. KINE learns it from its own
// watcher, so this polls until it equals want or the wait ends.
func (k *inspectKine) compactRevision(t *testing.T, ctx context.Context, want int64) int64 {
	t.Helper()
	var got int64
	for range 250 {
		wctx, cancel := context.WithCancel(ctx)
		got = k.Watch(wctx, 2).CompactRevision
		cancel()
		if got == want {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return got
}

// waitCaughtUp waits until KINE has read everything in the stream, so its
// own counts include writes made behind its back, and returns its revision.
func (k *inspectKine) waitCaughtUp(t *testing.T, ctx context.Context, js jetstream.JetStream, stream string) int64 {
	t.Helper()
	last := int64(streamInfo(t, js, stream).State.LastSeq)
	for range 250 {
		if rev, _ := k.CurrentRevision(ctx); rev == last {
			return rev
		}
		time.Sleep(20 * time.Millisecond)
	}
	rev, _ := k.CurrentRevision(ctx)
	t.Fatalf("KINE at revision %d, stream at %d", rev, last)
	return 0
}

// scanConsumers counts the stream's consumers that look like Inspect's:
// KINE makes and drops its own at any time, so the total says nothing.
func scanConsumers(t *testing.T, js jetstream.JetStream, stream string) int {
	t.Helper()
	ctx := testContext(t)
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	n := 0
	list := s.ListConsumers(ctx)
	for ci := range list.Info() {
		if ci.Config.InactiveThreshold == scanIdle && ci.Config.AckPolicy == jetstream.AckNonePolicy {
			n++
		}
	}
	if err := list.Err(); err != nil {
		t.Fatalf("list consumers: %v", err)
	}
	return n
}

func streamInfo(t *testing.T, js jetstream.JetStream, stream string) *jetstream.StreamInfo {
	t.Helper()
	s, err := js.Stream(testContext(t), stream)
	if err != nil {
		t.Fatalf("stream info: %v", err)
	}
	return s.CachedInfo()
}

// TestInspectKINE fills a bucket through real KINE (creates, updates,
// deletes, a re-create, a key without leading '/', a value spanning s2
// blocks, one compaction) plus raw writes KINE must read (a copied
// tombstone, a copied live record) or skip (an undecodable value, a key it
// cannot decode), then checks Inspect against KINE's own answers and the
// stream.
func TestInspectKINE(t *testing.T) {
	srv, err := testnats.Start(testnats.Config{})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	t.Cleanup(srv.Shutdown)
	js := testnats.JetStream(t, srv.URL, nil, "")
	ctx := testContext(t)
	bucket := bucketName()
	stream, prefix := "KV_"+bucket, "$KV."+bucket+"."

	k := startInspectKine(t, srv.URL+"?bucket="+bucket+"&noEmbed=true")

	const n = 300
	key := func(i int) string { return fmt.Sprintf("/registry/configmaps/ns%d/cm-%03d", i%3, i) }
	revs := make([]int64, n)
	for i := range n {
		value := fmt.Appendf(nil, `{"kind":"ConfigMap","data":{"i":"%d"}}`, i)
		if i == 7 {
			// Incompressible and over s2's 1 MiB block: two blocks to decode.
			r := rand.New(rand.NewPCG(1, 2))
			value = make([]byte, 1200<<10)
			for j := range value {
				value[j] = byte(r.Uint32())
			}
		}
		if revs[i], err = k.Create(ctx, key(i), value, 0); err != nil {
			t.Fatalf("create %s: %v", key(i), err)
		}
	}
	// KINE's codec and ours must agree on where keys live.
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := s.GetLastMsgForSubject(ctx, prefix+encodeKey(key(1))); err != nil || int64(m.Sequence) != revs[1] {
		t.Fatalf("KINE's key %s not at subject %s: %v", key(1), prefix+encodeKey(key(1)), err)
	}
	compactAt, _ := k.CurrentRevision(ctx)

	wantLive := int64(n)
	var tombstone int64
	for i := 0; i < n; i += 4 {
		_, _, ok, err := k.Update(ctx, key(i), []byte(`{"updated":true}`), revs[i], 0)
		if err != nil || !ok {
			t.Fatalf("update %s: ok=%t err=%v", key(i), ok, err)
		}
	}
	for i := 0; i < n; i += 5 {
		rev, _, ok, err := k.Delete(ctx, key(i), 0)
		if err != nil || !ok {
			t.Fatalf("delete %s: ok=%t err=%v", key(i), ok, err)
		}
		tombstone = rev
		wantLive--
	}
	if _, err := k.Create(ctx, key(0), []byte(`{"again":true}`), 0); err != nil {
		t.Fatalf("re-create %s: %v", key(0), err)
	}
	wantLive++
	if _, err := k.Create(ctx, "no-leading-slash", []byte("x"), 0); err != nil {
		t.Fatalf("create key without '/': %v", err)
	}
	wantLive++

	if _, err := k.Compact(ctx, compactAt); err != nil {
		t.Fatalf("compact: %v", err)
	}
	if got := k.compactRevision(t, ctx, compactAt); got != compactAt {
		t.Fatalf("KINE reports compact revision %d after compacting at %d", got, compactAt)
	}

	// Behind KINE's back: what KINE cannot decode, which it skips; then
	// records only KINE wrote: a tombstone not followed by a delete marker
	// reads as deleted, a copied live record as live.
	raw := func(subject string, data []byte) {
		t.Helper()
		if _, err := js.Publish(ctx, subject, data); err != nil {
			t.Fatalf("publish %s: %v", subject, err)
		}
	}
	ts, err := s.GetMsg(ctx, uint64(tombstone))
	if err != nil {
		t.Fatalf("tombstone at %d: %v", tombstone, err)
	}
	if op := ts.Header.Get(kvOperation); op != "" {
		t.Fatalf("message %d is a %s marker, not KINE's tombstone", tombstone, op)
	}
	liveMsg, err := s.GetLastMsgForSubject(ctx, prefix+encodeKey(key(1)))
	if err != nil {
		t.Fatal(err)
	}
	// KINE's revision stays at the last message it could read, so the
	// skipped ones go first: the stream's last sequence is then KINE's.
	raw(prefix+encodeKey("/registry/configmaps/garbage"), []byte("not s2"))
	raw(prefix+"not-base58.0OIl", liveMsg.Data)
	raw(prefix+encodeKey("/registry/configmaps/orphan-tombstone"), ts.Data)
	raw(prefix+encodeKey("/registry/configmaps/copied"), liveMsg.Data)
	wantLive++

	kineRev := k.waitCaughtUp(t, ctx, js, stream)
	// KINE's own count of keys under '/': it includes the health key and
	// leaves out the one without '/', one each way.
	_, kineCount, err := k.Count(ctx, "/", "0", 0)
	if err != nil {
		t.Fatalf("KINE count: %v", err)
	}
	if kineCount != wantLive {
		t.Fatalf("KINE counts %d keys under '/' (its health key in, the key without '/' out), the test expects %d", kineCount, wantLive)
	}
	if _, kv, err := k.Get(ctx, "no-leading-slash", 0, false); err != nil || kv == nil {
		t.Fatalf("KINE does not see the key without '/': %v", err)
	}
	if _, kv, err := k.Get(ctx, kineserver.HealthKey, 0, false); err != nil || kv == nil {
		t.Fatalf("KINE does not see its health key: %v", err)
	}

	want := func(rev int64) Stats {
		info := streamInfo(t, js, stream)
		if int64(info.State.LastSeq) != rev {
			t.Fatalf("stream last sequence %d, KINE's revision %d", info.State.LastSeq, rev)
		}
		return Stats{LiveKeys: wantLive, Revision: rev, CompactRevision: compactAt, Bytes: info.State.Bytes, HealthKey: true}
	}
	check := func(step string, want Stats) {
		t.Helper()
		got, err := Inspect(ctx, js, bucket)
		if err != nil {
			t.Fatalf("%s: Inspect: %v", step, err)
		}
		if got != want {
			t.Errorf("%s: Inspect =\n  %+v\nwant\n  %+v", step, got, want)
		}
		if last := streamInfo(t, js, stream).State.LastSeq; int64(last) != want.Revision {
			t.Errorf("%s: Inspect moved the stream from %d to %d", step, want.Revision, last)
		}
		if n := scanConsumers(t, js, stream); n != 0 {
			t.Errorf("%s: Inspect left %d consumers", step, n)
		}
	}
	// KINE is idle: no compactor, no leases, so nothing writes meanwhile.
	check("compact key intact", want(kineRev))

	// Deleting the compact key leaves a tombstone and a delete marker; KINE
	// keeps the revision it had, and Inspect must find it in the history.
	if _, _, ok, err := k.Delete(ctx, compactKey, 0); err != nil || !ok {
		t.Fatalf("delete compact key: ok=%t err=%v", ok, err)
	}
	kineRev = k.waitCaughtUp(t, ctx, js, stream)
	if got := k.compactRevision(t, ctx, compactAt); got != compactAt {
		t.Fatalf("KINE reports compact revision %d after its key was deleted, want %d", got, compactAt)
	}
	k.stop(t)
	check("compact key deleted, KINE stopped", want(kineRev))
}

// Buckets KINE never touched: an empty one gives all zeros without waiting
// for messages that will not come; plain KV values are not KINE keys.
// Inspect leaves no consumer and no goroutine behind.
func TestInspectNotKINE(t *testing.T) {
	js := testnats.JetStream(t, single.URL, nil, "")
	ctx := testContext(t)

	empty, plain := bucketName(), bucketName()
	for _, b := range []string{empty, plain} {
		if _, err := js.CreateKeyValue(ctx, BucketConfig(b, 0, 0)); err != nil {
			t.Fatalf("create bucket: %v", err)
		}
		t.Cleanup(func() { _ = js.DeleteKeyValue(context.Background(), b) })
	}
	kv, err := js.KeyValue(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b.c", "d"} {
		if _, err := kv.PutString(ctx, k, "plain"); err != nil {
			t.Fatal(err)
		}
	}
	if err := kv.Delete(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	// The connection sets up its request plumbing on first use: not a leak.
	if _, err := Inspect(ctx, js, empty); err != nil {
		t.Fatal(err)
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	if got, err := Inspect(ctx, js, empty); err != nil || got != (Stats{}) {
		t.Errorf("empty bucket: Inspect = %+v, %v; want zero Stats", got, err)
	}
	info := streamInfo(t, js, "KV_"+plain)
	want := Stats{Revision: int64(info.State.LastSeq), Bytes: info.State.Bytes}
	if got, err := Inspect(ctx, js, plain); err != nil || got != want {
		t.Errorf("plain KV bucket: Inspect = %+v, %v; want %+v", got, err, want)
	}
	if n := scanConsumers(t, js, "KV_"+plain); n != 0 {
		t.Errorf("Inspect left %d consumers", n)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Inspect(cancelled, js, plain); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}

	_, err = Inspect(ctx, js, "no_such_bucket")
	if !errors.Is(err, ErrNoBucket) || !strings.Contains(err.Error(), "no_such_bucket") {
		t.Errorf("missing bucket: err = %v, want ErrNoBucket naming the bucket", err)
	}
	_, err = Inspect(ctx, js, "a.b")
	if !errors.Is(err, jetstream.ErrInvalidBucketName) {
		t.Errorf("invalid bucket name: err = %v, want ErrInvalidBucketName", err)
	}
}

func TestIsKineKey(t *testing.T) {
	for tokens, want := range map[string]bool{
		encodeKey("/registry/pods/ns/p"): true,
		encodeKey("compact_rev_key"):     true,
		"meta":                           false, // nothing after the marker
		"abc.0OIl":                       false, // 0, O, I, l are not base58
		"foo-bar":                        false,
	} {
		if got := isKineKey(tokens); got != want {
			t.Errorf("isKineKey(%q) = %t, want %t", tokens, got, want)
		}
	}
}
