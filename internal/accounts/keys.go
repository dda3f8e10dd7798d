package accounts

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
)

// KeyKind is the role of an nkey.
type KeyKind int

// Key kinds this package deals with.
const (
	KeyOperator KeyKind = iota + 1
	KeyAccount
	KeyUser
)

func (k KeyKind) String() string {
	switch k {
	case KeyOperator:
		return "operator"
	case KeyAccount:
		return "account"
	case KeyUser:
		return "user"
	}
	return fmt.Sprintf("KeyKind(%d)", int(k))
}

// prefix is the nkeys prefix of the kind; ok is false for unknown kinds
// (nkeys' account prefix is 0, so 0 cannot mean unknown).
func (k KeyKind) prefix() (p nkeys.PrefixByte, ok bool) {
	switch k {
	case KeyOperator:
		return nkeys.PrefixByteOperator, true
	case KeyAccount:
		return nkeys.PrefixByteAccount, true
	case KeyUser:
		return nkeys.PrefixByteUser, true
	}
	return 0, false
}

func kindOf(p nkeys.PrefixByte) string {
	switch p {
	case nkeys.PrefixByteOperator:
		return "an operator"
	case nkeys.PrefixByteAccount:
		return "an account"
	case nkeys.PrefixByteUser:
		return "a user"
	case nkeys.PrefixByteServer:
		return "a server"
	case nkeys.PrefixByteCluster:
		return "a cluster"
	case nkeys.PrefixByteCurve:
		return "a curve (xkey)"
	}
	return "an unknown"
}

// Key is an nkey: its public key and its seed. Treat Seed as a secret.
type Key struct {
	PublicKey string
	Seed      []byte
}

// NewKey makes a fresh random key of kind.
func NewKey(kind KeyKind) (Key, error) {
	p, ok := kind.prefix()
	if !ok {
		return Key{}, fmt.Errorf("new key: unknown kind %v", kind)
	}
	kp, err := nkeys.CreatePair(p)
	if err != nil {
		return Key{}, fmt.Errorf("new %s key: %w", kind, err)
	}
	defer kp.Wipe()
	pub, err := kp.PublicKey()
	if err != nil {
		return Key{}, fmt.Errorf("new %s key: public key: %w", kind, err)
	}
	seed, err := kp.Seed()
	if err != nil {
		return Key{}, fmt.Errorf("new %s key: seed: %w", kind, err)
	}
	// kp.Wipe clears the slice Seed returned: keep our own copy.
	return Key{PublicKey: pub, Seed: bytes.Clone(seed)}, nil
}

// ParseSeed reads a seed of kind. Surrounding white space is ignored. Errors
// wrap ErrInvalidSeed or ErrWrongSeedKind and never contain the seed.
func ParseSeed(seed []byte, kind KeyKind) (nkeys.KeyPair, error) {
	want, ok := kind.prefix()
	if !ok {
		return nil, fmt.Errorf("parse seed: unknown kind %v", kind)
	}
	s := bytes.TrimSpace(seed)
	if len(s) == 0 {
		return nil, fmt.Errorf("%s seed: empty: %w", kind, ErrInvalidSeed)
	}
	p, _, err := nkeys.DecodeSeed(s)
	if err != nil {
		// A public key is the most common mix-up; say so without echoing it.
		if nkeys.IsValidPublicKey(string(s)) {
			return nil, fmt.Errorf("%s seed: got a public key, want a seed (starts with S): %w", kind, ErrInvalidSeed)
		}
		return nil, fmt.Errorf("%s seed: %s: %w", kind, seedProblem(err), ErrInvalidSeed)
	}
	if p != want {
		return nil, fmt.Errorf("%s seed: got %s seed: %w", kind, kindOf(p), ErrWrongSeedKind)
	}
	kp, err := nkeys.FromSeed(s)
	if err != nil {
		return nil, fmt.Errorf("%s seed: %s: %w", kind, seedProblem(err), ErrInvalidSeed)
	}
	return kp, nil
}

// seedProblem names what is wrong with a seed using only nkeys' fixed error
// texts, so nothing of the input can leak into a message.
func seedProblem(err error) string {
	switch {
	case errors.Is(err, nkeys.ErrInvalidChecksum):
		return "bad checksum (truncated or mistyped?)"
	case errors.Is(err, nkeys.ErrInvalidSeedLen):
		return "wrong length"
	case errors.Is(err, nkeys.ErrInvalidEncoding):
		return "not base32"
	case errors.Is(err, nkeys.ErrInvalidPrefixByte):
		return "bad prefix"
	}
	return "malformed"
}

// PublicKeyOf returns the public key of a seed of kind.
func PublicKeyOf(seed []byte, kind KeyKind) (string, error) {
	kp, err := ParseSeed(seed, kind)
	if err != nil {
		return "", err
	}
	defer kp.Wipe()
	pub, err := kp.PublicKey()
	if err != nil {
		return "", fmt.Errorf("%s seed: public key: %w", kind, err)
	}
	return pub, nil
}

// FormatCreds writes user credentials in the standard decorated format (the
// .creds file nats CLI and client libraries read). The seed must belong to
// the JWT's subject.
func FormatCreds(userJWT string, userSeed []byte) ([]byte, error) {
	uc, err := jwt.DecodeUserClaims(userJWT)
	if err != nil {
		return nil, fmt.Errorf("format creds: user jwt: %w", err)
	}
	pub, err := PublicKeyOf(userSeed, KeyUser)
	if err != nil {
		return nil, fmt.Errorf("format creds: %w", err)
	}
	if pub != uc.Subject {
		return nil, fmt.Errorf("format creds: the user seed is for %s, the jwt for %s", pub, uc.Subject)
	}
	creds, err := jwt.FormatUserConfig(userJWT, bytes.TrimSpace(userSeed))
	if err != nil {
		// jwt's own messages do not carry the seed, but keep ours fixed anyway.
		return nil, errors.New("format creds: cannot decorate jwt and seed")
	}
	return creds, nil
}

// ParseCreds reads decorated user credentials back into the JWT and seed.
// Errors never contain the seed.
func ParseCreds(creds []byte) (userJWT string, userSeed []byte, err error) {
	tok, err := jwt.ParseDecoratedJWT(creds)
	if err != nil {
		return "", nil, errors.New("creds: no user jwt found")
	}
	uc, err := jwt.DecodeUserClaims(tok)
	if err != nil {
		// ParseDecoratedJWT returns the whole input when it finds no
		// decoration: do not wrap errors that could quote it.
		return "", nil, errors.New("creds: no valid user jwt found")
	}
	kp, err := jwt.ParseDecoratedUserNKey(creds)
	if err != nil {
		return "", nil, fmt.Errorf("creds: no valid user seed found: %w", ErrInvalidSeed)
	}
	defer kp.Wipe()
	pub, _ := kp.PublicKey()
	if pub != uc.Subject {
		return "", nil, fmt.Errorf("creds: the seed is for %s, the jwt for %s", pub, uc.Subject)
	}
	seed, err := kp.Seed()
	if err != nil {
		return "", nil, fmt.Errorf("creds: no valid user seed found: %w", ErrInvalidSeed)
	}
	return tok, bytes.Clone(seed), nil
}
