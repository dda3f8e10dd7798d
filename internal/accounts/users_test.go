package accounts

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	kvpkg "github.com/natsk3s/terraform-provider-nats/internal/kv"
)

func TestBootstrapServerEndToEnd(t *testing.T) {
	// own was started from Bootstrap's ServerConfig alone: the system user
	// connects, and an account and user made here work on it.
	e := newEnv(t, ownBoot.OperatorJWT, ownBoot.OperatorSigningKey.Seed, ownBoot.SystemUserCreds, own.URL)
	ctx := testCtx(t)
	servers, err := e.resolver.Servers(ctx)
	if err != nil || len(servers) != 1 {
		t.Fatalf("Servers = %v, %v; want the one server", servers, err)
	}
	// The preloaded system account sits in the resolver's store.
	res, err := e.resolver.Lookup(ctx, ownBoot.SystemAccount.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if st := res.State(ownBoot.SystemAccountJWT); st != LookupMatch {
		t.Errorf("system account: %v", st)
	}

	acc := e.createAccount(t, "app", func(a *Account) {
		a.JetStream = &JetStreamLimits{MemoryStorage: Int64(0), DiskStorage: Int64(64 << 20), Streams: Int64(4)}
	})
	nc := connect(t, acc.user(t, User{Name: "app-user"}), own.URL)
	kv, err := kvpkg.CreateExact(ctx, newJS(t, nc), jetstream.KeyValueConfig{Bucket: "config"})
	if err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	if _, err := kv.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	// The JetStream limits apply: memory storage is off.
	if _, err := kvpkg.CreateExact(ctx, newJS(t, nc), jetstream.KeyValueConfig{Bucket: "mem", Storage: jetstream.MemoryStorage}); err == nil {
		t.Error("a memory bucket was created with memory storage 0")
	}
	// Delete works on a bootstrapped resolver (allow_delete is on).
	if _, err := e.resolver.Delete(ctx, e.signer, acc.PublicKey); err != nil {
		t.Errorf("delete: %v", err)
	}
}

func TestUserCredsAndIsolation(t *testing.T) {
	e := clusterEnv(t)
	ctx := testCtx(t)
	a := e.createAccount(t, "iso-a", nil)
	b := e.createAccount(t, "iso-b", nil)

	ncA := connect(t, a.user(t, User{Name: "a"}), cluster.URLs()...)
	ncB := connect(t, b.user(t, User{Name: "b"}), cluster.URLs()...)
	if _, err := kvpkg.CreateExact(ctx, newJS(t, ncB), jetstream.KeyValueConfig{Bucket: "secret", Replicas: 3}); err != nil {
		t.Fatalf("create bucket in B: %v", err)
	}
	jsA := newJS(t, ncA)
	if _, err := jsA.KeyValue(ctx, "secret"); !errors.Is(err, jetstream.ErrBucketNotFound) {
		t.Errorf("A opening B's bucket: err = %v, want ErrBucketNotFound", err)
	}
	names := jsA.KeyValueStoreNames(ctx)
	for n := range names.Name() {
		if n == "secret" {
			t.Error("A lists B's bucket")
		}
	}
	// Plain messages do not cross accounts either.
	sub, err := ncB.SubscribeSync("$KV.secret.>")
	if err != nil {
		t.Fatal(err)
	}
	ncB.Flush()
	ncA.Publish("$KV.secret.x", []byte("intruder"))
	ncA.Flush()
	if _, err := sub.NextMsg(200 * time.Millisecond); err == nil {
		t.Error("a message from A reached B")
	}
}

func TestKineBucketUser(t *testing.T) {
	e := clusterEnv(t)
	ctx := testCtx(t)
	acc := e.createAccount(t, "kine", nil)
	admin := connect(t, acc.user(t, User{Name: "admin"}), cluster.URLs()...)
	if _, err := kvpkg.CreateExact(ctx, newJS(t, admin), jetstream.KeyValueConfig{Bucket: "other"}); err != nil {
		t.Fatal(err)
	}

	creds := acc.user(t, User{Name: "k3s", KineBucket: "k3s", Pub: Permission{Allow: []string{"metrics.k3s"}}})
	tok, _, err := ParseCreds(creds)
	if err != nil {
		t.Fatal(err)
	}
	u, err := UserFromJWT(tok)
	if err != nil {
		t.Fatal(err)
	}
	pub, sub := k3s.Permissions("k3s", "")
	wantPub := append(slices.Clone(pub), "metrics.k3s")
	slices.Sort(wantPub)
	gotPub := slices.Sorted(slices.Values(u.Pub.Allow))
	if !slices.Equal(gotPub, wantPub) || !slices.Equal(u.Sub.Allow, sub) {
		t.Errorf("kine user permissions:\n pub %v\n sub %v\nwant pub %v\n sub %v", gotPub, u.Sub.Allow, wantPub, sub)
	}
	if u.Account != acc.PublicKey {
		t.Errorf("issuer_account = %s, want %s", u.Account, acc.PublicKey)
	}

	// The bucket works the way KINE uses it: create (every start), put, get.
	nc := connect(t, creds, cluster.URLs()...)
	js := newJS(t, nc)
	kineCfg := jetstream.KeyValueConfig{Bucket: "k3s", Description: "Holds kine key/values", History: 10, Storage: jetstream.FileStorage}
	kv, err := kvpkg.CreateExact(ctx, js, kineCfg)
	if err != nil {
		t.Fatalf("kine user creating its bucket: %v", err)
	}
	if _, err := kv.Put(ctx, "registry.pods", []byte("{}")); err != nil {
		t.Fatalf("put: %v", err)
	}
	if _, err := kv.Get(ctx, "registry.pods"); err != nil {
		t.Fatalf("get: %v", err)
	}
	w, err := kv.WatchAll(ctx)
	if err != nil {
		t.Fatalf("watch: %v", err)
	}
	w.Stop()
	if _, err := kvpkg.CreateExact(ctx, js, kineCfg); err != nil {
		t.Errorf("creating the existing bucket again (KINE restart): %v", err)
	}

	// Nothing else in the account.
	short := func() context.Context {
		c, cancel := context.WithTimeout(ctx, time.Second)
		t.Cleanup(cancel)
		return c
	}
	if _, err := js.KeyValue(short(), "other"); err == nil {
		t.Error("kine user opened another bucket")
	}
	if _, err := kvpkg.CreateExact(short(), js, jetstream.KeyValueConfig{Bucket: "mine-too"}); err == nil {
		t.Error("kine user created another bucket")
	}
	errs := make(chan error, 1)
	nc2 := connect(t, creds, cluster.URLs()...)
	nc2.SetErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		select {
		case errs <- err:
		default:
		}
	})
	nc2.Publish("$KV.other.x", []byte("no"))
	nc2.Flush()
	select {
	case err := <-errs:
		if !errors.Is(err, nats.ErrPermissionViolation) {
			t.Errorf("publish to another bucket: %v, want a permissions violation", err)
		}
	case <-time.After(2 * time.Second):
		t.Error("publishing to another bucket's subjects was not refused")
	}
	if _, err := nc.Request("$JS.API.STREAM.DELETE.KV_k3s", nil, 500*time.Millisecond); err == nil {
		t.Error("kine user may delete its stream")
	}
}

func TestIssueUserFields(t *testing.T) {
	acct := mustKey(t, KeyAccount)
	sk := mustKey(t, KeyAccount)
	exp := time.Now().Add(time.Hour).Truncate(time.Second).UTC()
	in := User{
		Name:            "full",
		Account:         acct.PublicKey,
		Pub:             Permission{Allow: []string{"a.>"}, Deny: []string{"a.secret"}},
		Sub:             Permission{Allow: []string{"b.*"}, Deny: []string{"b.x"}},
		AllowResponses:  &ResponsePermission{MaxMsgs: 2, TTL: time.Minute},
		Bearer:          true,
		Expires:         exp,
		ConnectionTypes: []string{"STANDARD", "WEBSOCKET"},
		SourceNetworks:  []string{"10.0.0.0/8"},
	}
	issued, err := IssueUser(in, sk.Seed, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UserFromJWT(issued.JWT)
	if err != nil {
		t.Fatal(err)
	}
	in.PublicKey = issued.PublicKey
	if got.Name != in.Name || got.PublicKey != in.PublicKey || got.Account != in.Account ||
		!slices.Equal(got.Pub.Allow, in.Pub.Allow) || !slices.Equal(got.Pub.Deny, in.Pub.Deny) ||
		!slices.Equal(got.Sub.Allow, in.Sub.Allow) || !slices.Equal(got.Sub.Deny, in.Sub.Deny) ||
		*got.AllowResponses != *in.AllowResponses || !got.Bearer || !got.Expires.Equal(exp) ||
		!slices.Equal(got.ConnectionTypes, in.ConnectionTypes) || !slices.Equal(got.SourceNetworks, in.SourceNetworks) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, in)
	}
	// The same user seed gives the same identity.
	again, err := IssueUser(in, sk.Seed, issued.Seed)
	if err != nil || again.PublicKey != issued.PublicKey {
		t.Errorf("reissue: %v, key %s vs %s", err, again.PublicKey, issued.PublicKey)
	}
	for name, edit := range map[string]func(*User){
		"connection type": func(u *User) { u.ConnectionTypes = []string{"CARRIER_PIGEON"} },
		"cidr":            func(u *User) { u.SourceNetworks = []string{"10.0.0.0/33"} },
		"expired":         func(u *User) { u.Expires = time.Now().Add(-time.Minute) },
		"bucket":          func(u *User) { u.KineBucket = "a.>" },
		"account":         func(u *User) { u.Account = "nope" },
	} {
		u := in
		u.PublicKey = ""
		edit(&u)
		if _, err := IssueUser(u, sk.Seed, nil); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}
