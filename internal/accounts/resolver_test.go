package accounts

import (
	"errors"
	"strings"
	"testing"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
)

func TestServersCountsTheCluster(t *testing.T) {
	e := clusterEnv(t)
	servers, err := e.resolver.Servers(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(servers) != 3 {
		t.Fatalf("Servers = %v, want the 3 cluster nodes", servers)
	}
	for i, s := range cluster.Servers {
		if servers[i].Name != s.Name() {
			t.Errorf("server %d is %q, want %q", i, servers[i].Name, s.Name())
		}
	}
}

func TestPushReachesEveryServer(t *testing.T) {
	e := clusterEnv(t)
	ctx := testCtx(t)
	acc := e.createAccount(t, "pushed", nil)

	res, err := e.resolver.Lookup(ctx, acc.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if st := res.State(acc.JWT); st != LookupMatch {
		t.Fatalf("after push: %v, want %v", st, LookupMatch)
	}
	if len(res.Servers) != 3 {
		t.Fatalf("lookup covered %d servers, want 3", len(res.Servers))
	}
	for _, s := range res.Servers {
		if !s.Stored || s.JWT != acc.JWT {
			t.Errorf("server %s: stored=%v, jwt matches=%v", s.Server, s.Stored, s.JWT == acc.JWT)
		}
	}
	// Ask each server's own store too (Fetch would ask the others when the
	// local store lacks the account, LoadAcc does not).
	for _, s := range cluster.Servers {
		dr, ok := s.AccountResolver().(*server.DirAccResolver)
		if !ok {
			t.Fatalf("server %s does not run the full resolver", s.Name())
		}
		got, err := dr.LoadAcc(acc.PublicKey)
		if err != nil || got != acc.JWT {
			t.Errorf("server %s store: err=%v, jwt matches=%v", s.Name(), err, got == acc.JWT)
		}
	}
}

func TestUpdateOnlyOnRealChange(t *testing.T) {
	e := clusterEnv(t)
	ctx := testCtx(t)
	acc := e.createAccount(t, "updated", nil)

	same, changed, err := e.signer.EncodeAccount(acc.Account, acc.JWT)
	if err != nil {
		t.Fatal(err)
	}
	if changed || same != acc.JWT {
		t.Fatal("re-encoded an unchanged account")
	}

	acc.Limits.Connections = Int64(5)
	next, changed, err := e.signer.EncodeAccount(acc.Account, acc.JWT)
	if err != nil {
		t.Fatal(err)
	}
	if !changed {
		t.Fatal("a limit change was not re-encoded")
	}
	replies, err := e.resolver.Push(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 3 {
		t.Errorf("push got %d replies, want 3", len(replies))
	}
	res, err := e.resolver.Lookup(ctx, acc.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if st := res.State(acc.JWT); st != LookupDifferent {
		t.Errorf("against the old jwt: %v, want %v", st, LookupDifferent)
	}
	if st := res.State(next); st != LookupMatch {
		t.Errorf("against the new jwt: %v, want %v", st, LookupMatch)
	}
	stored, ok := res.JWT()
	if !ok {
		t.Fatal("no single stored jwt")
	}
	got, err := AccountFromJWT(stored)
	if err != nil {
		t.Fatal(err)
	}
	if got.Limits.Connections == nil || *got.Limits.Connections != 5 {
		t.Errorf("stored connections limit = %v, want 5", got.Limits.Connections)
	}
}

func TestDeleteThenAbsentEverywhere(t *testing.T) {
	e := clusterEnv(t)
	ctx := testCtx(t)
	acc := e.createAccount(t, "doomed", nil)

	// Deleted out of band: by another client, straight on the resolver.
	other := newEnv(t, cluster.JWT, cluster.SigningSeed, cluster.SystemCreds, cluster.Servers[2].URL)
	replies, err := other.resolver.Delete(ctx, other.signer, acc.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range replies {
		if !r.OK {
			t.Errorf("server %s: %s", r.Server, r.Message)
		}
	}
	res, err := e.resolver.Lookup(ctx, acc.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if st := res.State(acc.JWT); st != LookupAbsent {
		t.Fatalf("after delete: %v, want %v", st, LookupAbsent)
	}
	// Deleting again is harmless.
	if _, err := e.resolver.Delete(ctx, e.signer, acc.PublicKey); err != nil {
		t.Errorf("second delete: %v", err)
	}
	// The system account cannot be deleted.
	if _, err := e.resolver.Delete(ctx, e.signer, cluster.SystemAccount); err == nil {
		t.Error("deleting the system account was not refused")
	}
}

func TestUntrustedIssuerRejectedBeforePush(t *testing.T) {
	e := clusterEnv(t)
	ctx := testCtx(t)
	// Another operator's signer makes a well-formed JWT the cluster's
	// servers would store anyway.
	_, stranger := offlineSigner(t, false)
	a := Account{Name: "intruder", PublicKey: mustKey(t, KeyAccount).PublicKey}
	tok, _, err := stranger.EncodeAccount(a, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.resolver.Push(ctx, tok); !errors.Is(err, ErrUntrustedIssuer) {
		t.Fatalf("push = %v, want ErrUntrustedIssuer", err)
	}
	res, err := e.resolver.Lookup(ctx, a.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if st := res.State(""); st != LookupAbsent {
		t.Errorf("the untrusted jwt reached a server: %v", st)
	}
}

func TestServersDisagree(t *testing.T) {
	e := clusterEnv(t)
	ctx := testCtx(t)
	// An account stored on one server only, behind the resolver's back: what
	// servers look like when some missed a push.
	a := Account{Name: "split", PublicKey: mustKey(t, KeyAccount).PublicKey}
	tok, _, err := e.signer.EncodeAccount(a, "")
	if err != nil {
		t.Fatal(err)
	}
	one := cluster.Servers[1]
	if err := one.AccountResolver().Store(a.PublicKey, tok); err != nil {
		t.Fatal(err)
	}
	res, err := e.resolver.Lookup(ctx, a.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if st := res.State(tok); st != LookupDisagree {
		t.Fatalf("stored on one server: %v, want %v", st, LookupDisagree)
	}
	for _, s := range res.Servers {
		if want := s.Server.Name == one.Name(); s.Stored != want {
			t.Errorf("server %s: stored=%v, want %v", s.Server, s.Stored, want)
		}
	}
	if _, ok := res.JWT(); ok {
		t.Error("JWT() picked one while servers disagree")
	}
	// Pushing brings every server in line.
	if _, err := e.resolver.Push(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if res, err = e.resolver.Lookup(ctx, a.PublicKey); err != nil {
		t.Fatal(err)
	}
	if st := res.State(tok); st != LookupMatch {
		t.Errorf("after a push: %v, want %v", st, LookupMatch)
	}
}

func TestDeleteNotAllowed(t *testing.T) {
	e := newEnv(t, noDelete.JWT, noDelete.SigningSeed, noDelete.SystemCreds, noDelete.URLs()...)
	ctx := testCtx(t)
	acc := e.createAccount(t, "kept", nil)
	_, err := e.resolver.Delete(ctx, e.signer, acc.PublicKey)
	if !errors.Is(err, ErrDeleteNotAllowed) {
		t.Fatalf("delete = %v, want ErrDeleteNotAllowed", err)
	}
	if !strings.Contains(err.Error(), "allow_delete") {
		t.Errorf("error %q does not say how to fix it", err)
	}
	res, err := e.resolver.Lookup(ctx, acc.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if st := res.State(acc.JWT); st != LookupMatch {
		t.Errorf("after a refused delete: %v, want %v", st, LookupMatch)
	}
}

func TestMemoryResolverDetected(t *testing.T) {
	e := newEnv(t, memoryBoot.OperatorJWT, memoryBoot.OperatorSigningKey.Seed, memoryBoot.SystemUserCreds, memory.URL)
	ctx := testCtx(t)
	id := mustKey(t, KeyAccount).PublicKey
	if _, err := e.resolver.Lookup(ctx, id); !errors.Is(err, ErrMemoryResolver) {
		t.Errorf("lookup = %v, want ErrMemoryResolver", err)
	}
	if _, err := e.resolver.Delete(ctx, e.signer, id); !errors.Is(err, ErrMemoryResolver) {
		t.Errorf("delete = %v, want ErrMemoryResolver", err)
	}
	tok, _, err := e.signer.EncodeAccount(Account{Name: "m", PublicKey: id}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.resolver.Push(ctx, tok); !errors.Is(err, ErrMemoryResolver) {
		t.Errorf("push = %v, want ErrMemoryResolver", err)
	}
}

func TestStrictOperatorServer(t *testing.T) {
	// own runs in strict mode: the identity key's JWTs are refused here,
	// before the server would have refused them too.
	e := newEnv(t, ownBoot.OperatorJWT, ownBoot.OperatorSigningKey.Seed, ownBoot.SystemUserCreds, own.URL)
	kp, err := ParseSeed(ownBoot.Operator.Seed, KeyOperator)
	if err != nil {
		t.Fatal(err)
	}
	ac := jwt.NewAccountClaims(mustKey(t, KeyAccount).PublicKey)
	tok, err := ac.Encode(kp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.resolver.Push(testCtx(t), tok); !errors.Is(err, ErrStrictSigningKey) {
		t.Errorf("push = %v, want ErrStrictSigningKey", err)
	}
}
