package accounts

import (
	"fmt"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
)

// Signer signs account JWTs and resolver delete requests for an operator,
// with a key the operator trusts.
type Signer struct {
	op  *Operator
	kp  nkeys.KeyPair
	pub string
}

// NewSigner checks that seed is an operator key the operator JWT trusts
// (one of its signing keys, or its identity key unless signing keys are
// strict: then the error wraps ErrStrictSigningKey).
func NewSigner(operatorJWT string, seed []byte) (*Signer, error) {
	op, err := ParseOperator(operatorJWT)
	if err != nil {
		return nil, err
	}
	kp, err := ParseSeed(seed, KeyOperator)
	if err != nil {
		return nil, fmt.Errorf("operator signing key: %w", err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("operator signing key: %w", err)
	}
	if !op.Trusts(pub) {
		kp.Wipe()
		if pub == op.PublicKey {
			return nil, fmt.Errorf("operator signing key: %w", ErrStrictSigningKey)
		}
		return nil, fmt.Errorf("operator signing key %s is not a signing key of operator %s: %w", pub, op.PublicKey, ErrUntrustedIssuer)
	}
	return &Signer{op: op, kp: kp, pub: pub}, nil
}

// Operator is the operator this signer signs for.
func (s *Signer) Operator() *Operator { return s.op }

// PublicKey is the signing key's public key.
func (s *Signer) PublicKey() string { return s.pub }

// EncodeAccount turns a into a signed account JWT. When previous (the JWT
// stored now) already says the same thing (EqualClaims) and its issuer is
// still trusted, previous is returned unchanged with changed false: a new
// JWT for an unchanged account would only churn iat and jti.
func (s *Signer) EncodeAccount(a Account, previous string) (token string, changed bool, err error) {
	ac, err := AccountClaims(a)
	if err != nil {
		return "", false, err
	}
	if previous != "" {
		prev, err := jwt.DecodeAccountClaims(previous)
		if err != nil {
			return "", false, fmt.Errorf("previous jwt of account %s: %w", a.PublicKey, err)
		}
		if prev.Subject != ac.Subject {
			return "", false, fmt.Errorf("previous jwt is for account %s, not %s", prev.Subject, ac.Subject)
		}
		same, err := EqualClaims(prev, ac)
		if err != nil {
			return "", false, err
		}
		if same && s.op.Trusts(prev.Issuer) {
			return previous, false, nil
		}
	}
	token, err = ac.Encode(s.kp)
	if err != nil {
		return "", false, fmt.Errorf("encode account %s: %w", a.PublicKey, err)
	}
	// Encode stamps both; a JWT without them would be unordered and
	// indistinguishable, so make sure rather than trust.
	if ac.IssuedAt == 0 || ac.ID == "" {
		return "", false, fmt.Errorf("encode account %s: no iat or jti was set", a.PublicKey)
	}
	return token, true, nil
}

// deleteRequest is the generic JWT $SYS.REQ.CLAIMS.DELETE wants: self-signed
// by an operator key, listing the accounts.
func (s *Signer) deleteRequest(accountIDs []string) (string, error) {
	gc := jwt.NewGenericClaims(s.pub)
	gc.Data["accounts"] = accountIDs
	tok, err := gc.Encode(s.kp)
	if err != nil {
		return "", fmt.Errorf("encode delete request: %w", err)
	}
	return tok, nil
}
