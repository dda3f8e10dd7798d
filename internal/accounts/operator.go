package accounts

import (
	"fmt"
	"slices"

	"github.com/nats-io/jwt/v2"
)

// Operator is what an operator JWT says about trust: who the operator is,
// which keys may sign for it, and which account is the system account.
type Operator struct {
	Name string
	// PublicKey is the operator identity key (the JWT subject).
	PublicKey string
	// SigningKeys are the operator signing keys, sorted.
	SigningKeys []string
	// SystemAccount is the public key of the system account.
	SystemAccount string
	// StrictSigningKeys is strict signing-key usage: accounts must be signed
	// by a signing key, never by the identity key.
	StrictSigningKeys bool
}

// ParseOperator decodes and checks an operator JWT (self-signed, valid).
func ParseOperator(operatorJWT string) (*Operator, error) {
	oc, err := jwt.DecodeOperatorClaims(operatorJWT)
	if err != nil {
		return nil, fmt.Errorf("operator jwt: %w", err)
	}
	if err := validate(oc); err != nil {
		return nil, fmt.Errorf("operator jwt: %w", err)
	}
	if oc.Issuer != oc.Subject {
		return nil, fmt.Errorf("operator jwt: issued by %s, not self-signed by %s", oc.Issuer, oc.Subject)
	}
	sk := slices.Clone([]string(oc.SigningKeys))
	slices.Sort(sk)
	return &Operator{
		Name:              oc.Name,
		PublicKey:         oc.Subject,
		SigningKeys:       sk,
		SystemAccount:     oc.SystemAccount,
		StrictSigningKeys: oc.StrictSigningKeyUsage,
	}, nil
}

// EncodeOperator signs op with the operator identity seed; op.PublicKey must
// match the seed (it is filled in when empty).
func EncodeOperator(op Operator, identitySeed []byte) (string, error) {
	kp, err := ParseSeed(identitySeed, KeyOperator)
	if err != nil {
		return "", fmt.Errorf("operator identity: %w", err)
	}
	defer kp.Wipe()
	pub, err := kp.PublicKey()
	if err != nil {
		return "", fmt.Errorf("operator identity: %w", err)
	}
	if op.PublicKey != "" && op.PublicKey != pub {
		return "", fmt.Errorf("operator identity seed is for %s, not %s", pub, op.PublicKey)
	}
	oc := jwt.NewOperatorClaims(pub)
	oc.Name = op.Name
	oc.SigningKeys.Add(op.SigningKeys...)
	oc.SystemAccount = op.SystemAccount
	oc.StrictSigningKeyUsage = op.StrictSigningKeys
	if err := validate(oc); err != nil {
		return "", fmt.Errorf("operator %q: %w", op.Name, err)
	}
	tok, err := oc.Encode(kp)
	if err != nil {
		return "", fmt.Errorf("encode operator %q: %w", op.Name, err)
	}
	return tok, nil
}

// Trusts reports whether key may sign accounts for the operator: a signing
// key always, the identity key unless signing keys are strict.
func (o *Operator) Trusts(key string) bool {
	if slices.Contains(o.SigningKeys, key) {
		return true
	}
	return key == o.PublicKey && !o.StrictSigningKeys
}

// CheckIssuer verifies the signature of an account (or generic) JWT and that
// the operator trusts its issuer. Servers store JWTs from untrusted issuers
// and answer "jwt updated", so this runs before every push.
func (o *Operator) CheckIssuer(token string) error {
	c, err := jwt.Decode(token)
	if err != nil {
		return fmt.Errorf("check issuer: %w", err)
	}
	cd := c.Claims()
	if o.Trusts(cd.Issuer) {
		return nil
	}
	if cd.Issuer == o.PublicKey {
		return fmt.Errorf("jwt for %s: signed by the operator identity key: %w", cd.Subject, ErrStrictSigningKey)
	}
	return fmt.Errorf("jwt for %s: issuer %s is neither operator %s nor one of its signing keys: %w",
		cd.Subject, cd.Issuer, o.PublicKey, ErrUntrustedIssuer)
}

// validate runs the jwt library's checks and turns blocking issues into an
// error.
func validate(c jwt.Claims) error {
	vr := jwt.CreateValidationResults()
	c.Validate(vr)
	if errs := vr.Errors(); len(errs) > 0 {
		return fmt.Errorf("invalid claims: %w", joinErrs(errs))
	}
	return nil
}
