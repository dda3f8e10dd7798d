package accounts

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
)

func mustKey(t *testing.T, kind KeyKind) Key {
	t.Helper()
	k, err := NewKey(kind)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func offlineSigner(t *testing.T, strict bool) (*Bootstrapped, *Signer) {
	t.Helper()
	b, err := Bootstrap(BootstrapOptions{StrictSigningKeys: strict})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(b.OperatorJWT, b.OperatorSigningKey.Seed)
	if err != nil {
		t.Fatal(err)
	}
	return b, s
}

// fullAccount sets every field the package models.
func fullAccount(t *testing.T) Account {
	hub := mustKey(t, KeyAccount)
	revoked := mustKey(t, KeyUser)
	return Account{
		Name:        "full",
		PublicKey:   mustKey(t, KeyAccount).PublicKey,
		Description: "every field",
		SigningKeys: []string{mustKey(t, KeyAccount).PublicKey},
		JetStreamTiers: map[string]JetStreamLimits{
			"R1": {MemoryStorage: Int64(1 << 20), DiskStorage: Int64(1 << 30), Streams: Int64(10), Consumers: Int64(100),
				MaxAckPending: Int64(1000), MemoryMaxStreamBytes: Int64(1 << 19), DiskMaxStreamBytes: Int64(1 << 29), MaxBytesRequired: true},
			"R3": {MemoryStorage: Int64(0), DiskStorage: Int64(3 << 30), Streams: Int64(5)},
		},
		Limits: Limits{Connections: Int64(10), LeafNodeConnections: Int64(0), Subscriptions: Int64(1000),
			Data: Int64(1 << 24), Payload: Int64(1 << 21)},
		AllowBearer: true,
		RevokedUsers: map[string]time.Time{
			revoked.PublicKey: time.Unix(1700000000, 0).UTC(),
			jwt.All:           {},
		},
		Exports: []Export{
			{Name: "js", Subject: "$JS.API.>", Kind: KindService, ResponseType: ResponseStream, ResponseThreshold: time.Second, Description: "JetStream API for the hub"},
			{Name: "events", Subject: "events.*.>", Kind: KindStream, TokenRequired: true, AccountTokenPosition: 2, Advertise: true},
		},
		Imports: []Import{
			{Name: "hub-js", Subject: "$JS.hub.API.>", Account: hub.PublicKey, Kind: KindService, LocalSubject: "hub.api.>", Share: true},
			{Name: "feed", Subject: "feed.>", Account: hub.PublicKey, Kind: KindStream, AllowTrace: true},
		},
	}
}

func TestAccountRoundTrip(t *testing.T) {
	_, s := offlineSigner(t, false)
	a := fullAccount(t)
	tok, changed, err := s.EncodeAccount(a, "")
	if err != nil {
		t.Fatal(err)
	}
	if !changed {
		t.Error("a first encode must report a change")
	}
	got, err := AccountFromJWT(tok)
	if err != nil {
		t.Fatal(err)
	}
	// fullAccount lists exports and imports in JWT (subject) order, so the
	// round trip gives back exactly what went in.
	if !reflect.DeepEqual(got, a) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, a)
	}

	ac, err := jwt.DecodeAccountClaims(tok)
	if err != nil {
		t.Fatal(err)
	}
	if ac.IssuedAt == 0 || ac.ID == "" {
		t.Errorf("iat=%d jti=%q: an encoded jwt needs both", ac.IssuedAt, ac.ID)
	}
	if ac.Issuer != s.PublicKey() {
		t.Errorf("issuer %s, want the operator signing key %s", ac.Issuer, s.PublicKey())
	}
	if ac.Limits.DisallowBearer {
		t.Error("AllowBearer did not clear disallow_bearer")
	}
}

func TestAccountDefaults(t *testing.T) {
	a := Account{Name: "plain", PublicKey: mustKey(t, KeyAccount).PublicKey}
	ac, err := AccountClaims(a)
	if err != nil {
		t.Fatal(err)
	}
	if !ac.Limits.DisallowBearer {
		t.Error("bearer tokens must be disallowed by default")
	}
	if ac.Limits.IsJSEnabled() {
		t.Error("JetStream must be off without JetStream limits")
	}
	if ac.Limits.Conn != jwt.NoLimit || ac.Limits.Payload != jwt.NoLimit {
		t.Errorf("unset limits must be unlimited, got conn=%d payload=%d", ac.Limits.Conn, ac.Limits.Payload)
	}
	a.JetStream = &JetStreamLimits{}
	if ac, err = AccountClaims(a); err != nil {
		t.Fatal(err)
	}
	if !ac.Limits.JetStreamLimits.IsUnlimited() {
		t.Errorf("empty JetStream limits must be unlimited, got %+v", ac.Limits.JetStreamLimits)
	}
}

func TestAccountRejects(t *testing.T) {
	base := func() Account {
		return Account{Name: "bad", PublicKey: mustKey(t, KeyAccount).PublicKey}
	}
	t.Run("tiered and untiered", func(t *testing.T) {
		a := base()
		a.JetStream = &JetStreamLimits{}
		a.JetStreamTiers = map[string]JetStreamLimits{"R1": {}}
		_, err := AccountClaims(a)
		if !errors.Is(err, ErrTieredAndUntiered) {
			t.Fatalf("err = %v, want ErrTieredAndUntiered", err)
		}
		for _, name := range []string{"JetStream", "JetStreamTiers"} {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name %s", err, name)
			}
		}
	})
	for name, edit := range map[string]func(*Account){
		"tier name":      func(a *Account) { a.JetStreamTiers = map[string]JetStreamLimits{"R7": {}} },
		"zero streams":   func(a *Account) { a.JetStream = &JetStreamLimits{Streams: Int64(0)} },
		"negative disk":  func(a *Account) { a.JetStream = &JetStreamLimits{DiskStorage: Int64(-5)} },
		"export kind":    func(a *Account) { a.Exports = []Export{{Subject: "a.>", Kind: "queue"}} },
		"import account": func(a *Account) { a.Imports = []Import{{Subject: "a.>", Kind: KindStream, Account: "nope"}} },
		"revoked key":    func(a *Account) { a.RevokedUsers = map[string]time.Time{"nope": {}} },
		"overlapping": func(a *Account) {
			a.Exports = []Export{{Subject: "a.>", Kind: KindStream}, {Subject: "a.b", Kind: KindStream}}
		},
		"public key": func(a *Account) { a.PublicKey = "nope" },
	} {
		t.Run(name, func(t *testing.T) {
			a := base()
			edit(&a)
			if _, err := AccountClaims(a); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func TestEncodeOnlyOnChange(t *testing.T) {
	_, s := offlineSigner(t, false)
	a := fullAccount(t)
	first, _, err := s.EncodeAccount(a, "")
	if err != nil {
		t.Fatal(err)
	}
	// Same spec, exports listed in another order: nothing changed.
	a.Exports[0], a.Exports[1] = a.Exports[1], a.Exports[0]
	again, changed, err := s.EncodeAccount(a, first)
	if err != nil {
		t.Fatal(err)
	}
	if changed || again != first {
		t.Error("an unchanged account was re-encoded")
	}
	a.Limits.Connections = Int64(11)
	next, changed, err := s.EncodeAccount(a, first)
	if err != nil {
		t.Fatal(err)
	}
	if !changed || next == first {
		t.Fatal("a changed account was not re-encoded")
	}

	// EqualClaims ignores iat, jti and iss, nothing else.
	c1, _ := jwt.DecodeAccountClaims(first)
	c2, _ := jwt.DecodeAccountClaims(first)
	c2.IssuedAt, c2.ID, c2.Issuer = c2.IssuedAt+100, "other", mustKey(t, KeyOperator).PublicKey
	if eq, err := EqualClaims(c1, c2); err != nil || !eq {
		t.Errorf("EqualClaims with other iat/jti/iss = %v, %v; want true", eq, err)
	}
	c2.Name = "renamed"
	if eq, _ := EqualClaims(c1, c2); eq {
		t.Error("EqualClaims missed a name change")
	}

	// A previous JWT from a key the operator no longer trusts is re-signed.
	_, other := offlineSigner(t, false)
	foreign, _, err := other.EncodeAccount(a, "")
	if err != nil {
		t.Fatal(err)
	}
	resigned, changed, err := s.EncodeAccount(a, foreign)
	if err != nil {
		t.Fatal(err)
	}
	if !changed || resigned == foreign {
		t.Error("a jwt from an untrusted issuer was kept")
	}
}

func TestStrictSigningKeys(t *testing.T) {
	b, err := Bootstrap(BootstrapOptions{StrictSigningKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSigner(b.OperatorJWT, b.Operator.Seed); !errors.Is(err, ErrStrictSigningKey) {
		t.Errorf("signing with the identity key in strict mode: err = %v, want ErrStrictSigningKey", err)
	}
	// Without strict mode the identity key may sign.
	loose, err := Bootstrap(BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSigner(loose.OperatorJWT, loose.Operator.Seed); err != nil {
		t.Errorf("identity key without strict mode: %v", err)
	}
	// A JWT signed by the identity key is refused before any push.
	op, err := ParseOperator(b.OperatorJWT)
	if err != nil {
		t.Fatal(err)
	}
	ac := jwt.NewAccountClaims(mustKey(t, KeyAccount).PublicKey)
	kp, _ := ParseSeed(b.Operator.Seed, KeyOperator)
	tok, err := ac.Encode(kp)
	if err != nil {
		t.Fatal(err)
	}
	if err := op.CheckIssuer(tok); !errors.Is(err, ErrStrictSigningKey) {
		t.Errorf("CheckIssuer(identity-signed) = %v, want ErrStrictSigningKey", err)
	}
}

func TestServerConfigRejects(t *testing.T) {
	b, err := Bootstrap(BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.ServerConfig(""); err == nil {
		t.Error("an empty resolver dir was accepted")
	}
	if _, err := b.ServerConfig("/tmp/a\nb"); err == nil {
		t.Error("a newline in the resolver dir was accepted")
	}
	other, _ := Bootstrap(BootstrapOptions{})
	if _, err := ServerConfig(ServerConfigOptions{OperatorJWT: b.OperatorJWT, SystemAccountJWT: other.SystemAccountJWT, ResolverDir: "/x"}); err == nil {
		t.Error("another operator's system account was accepted")
	}
	frag, err := b.ServerConfig(`/tmp/with "quotes" and \ back`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(frag, `dir: "/tmp/with \"quotes\" and \\ back"`) {
		t.Errorf("resolver dir not quoted for the server config language:\n%s", frag)
	}
}
