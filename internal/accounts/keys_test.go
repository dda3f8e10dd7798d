package accounts

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// assertNoLeak fails when err's message contains the secret or any long
// piece of it.
func assertNoLeak(t *testing.T, err error, secret []byte) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got none")
	}
	msg := err.Error()
	s := string(bytes.TrimSpace(secret))
	for i := 0; i+8 <= len(s); i++ {
		if strings.Contains(msg, s[i:i+8]) {
			t.Fatalf("error %q contains part of the secret", msg)
		}
	}
}

func TestParseSeedRejectsWithoutEcho(t *testing.T) {
	user, err := NewKey(KeyUser)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := NewKey(KeyAccount)
	if err != nil {
		t.Fatal(err)
	}
	good := string(acct.Seed)
	flipped := []byte(good)
	flipped[10] ^= 1 // still base32 when lucky, but the checksum breaks
	cases := []struct {
		name string
		seed []byte
		want error
	}{
		{"empty", nil, ErrInvalidSeed},
		{"garbage", []byte("SAnot-a-seed-at-all-but-long-enough-to-look-like-one"), ErrInvalidSeed},
		{"truncated", []byte(good[:len(good)-5]), ErrInvalidSeed},
		{"flipped", flipped, ErrInvalidSeed},
		{"public key", []byte(acct.PublicKey), ErrInvalidSeed},
		{"user seed", user.Seed, ErrWrongSeedKind},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSeed(c.seed, KeyAccount)
			assertNoLeak(t, err, c.seed)
			if !errors.Is(err, c.want) {
				t.Errorf("error %q does not wrap %v", err, c.want)
			}
			if !strings.Contains(err.Error(), "account seed") {
				t.Errorf("error %q does not say what was expected", err)
			}
		})
	}
	// White space around a valid seed is fine (files end in newlines).
	if pub, err := PublicKeyOf(append(append([]byte(" "), acct.Seed...), '\n'), KeyAccount); err != nil || pub != acct.PublicKey {
		t.Errorf("PublicKeyOf(padded seed) = %q, %v", pub, err)
	}
}

func TestMalformedSeedsInCallers(t *testing.T) {
	b, err := Bootstrap(BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(b.OperatorSigningKey.Seed)
	bad[len(bad)-3] ^= 1 // breaks the checksum
	if _, err := NewSigner(b.OperatorJWT, bad); !errors.Is(err, ErrInvalidSeed) {
		t.Errorf("NewSigner(bad seed) = %v, want ErrInvalidSeed", err)
	} else {
		assertNoLeak(t, err, bad)
	}
	// An account seed where an operator seed belongs.
	_, err = NewSigner(b.OperatorJWT, b.SystemAccountSigningKey.Seed)
	assertNoLeak(t, err, b.SystemAccountSigningKey.Seed)
	if !errors.Is(err, ErrWrongSeedKind) {
		t.Errorf("NewSigner(account seed) = %v, want ErrWrongSeedKind", err)
	}
	// An operator seed where an account signing seed belongs.
	_, err = IssueUser(User{Name: "u", Account: b.SystemAccount.PublicKey}, b.OperatorSigningKey.Seed, nil)
	assertNoLeak(t, err, b.OperatorSigningKey.Seed)
	if !errors.Is(err, ErrWrongSeedKind) {
		t.Errorf("IssueUser(operator seed) = %v, want ErrWrongSeedKind", err)
	}
	badUser := bytes.Clone(b.SystemUser.Seed)
	badUser[len(badUser)-3] ^= 1
	_, err = IssueUser(User{Name: "u", Account: b.SystemAccount.PublicKey}, b.SystemAccountSigningKey.Seed, badUser)
	assertNoLeak(t, err, badUser)

	// Creds whose seed is damaged.
	broken := bytes.Replace(b.SystemUserCreds, b.SystemUser.Seed[:20], []byte("SUAAAAAAAAAAAAAAAAAA"), 1)
	_, _, err = ParseCreds(broken)
	assertNoLeak(t, err, b.SystemUser.Seed)
	_, _, err = ParseCreds(b.SystemUser.Seed)
	assertNoLeak(t, err, b.SystemUser.Seed)
}

func TestCredsRoundTrip(t *testing.T) {
	b, err := Bootstrap(BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	creds := string(b.SystemUserCreds)
	for _, marker := range []string{"-----BEGIN NATS USER JWT-----", "------END NATS USER JWT------", "-----BEGIN USER NKEY SEED-----", "------END USER NKEY SEED------"} {
		if !strings.Contains(creds, marker) {
			t.Errorf("creds lack %q", marker)
		}
	}
	tok, seed, err := ParseCreds(b.SystemUserCreds)
	if err != nil {
		t.Fatal(err)
	}
	if tok != b.SystemUserJWT || !bytes.Equal(seed, b.SystemUser.Seed) {
		t.Error("ParseCreds did not return the jwt and seed FormatCreds was given")
	}
}
