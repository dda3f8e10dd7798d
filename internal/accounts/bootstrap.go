package accounts

import (
	"fmt"
)

// BootstrapOptions name the things Bootstrap makes. Empty names get defaults.
type BootstrapOptions struct {
	// OperatorName defaults to "operator".
	OperatorName string
	// SystemAccountName defaults to "SYS".
	SystemAccountName string
	// SystemUserName defaults to "sys".
	SystemUserName string
	// StrictSigningKeys turns on strict signing-key usage: the operator
	// identity key then signs only the operator JWT.
	StrictSigningKeys bool
}

// Bootstrapped is a new operator with its system account and system user.
// Every Seed and SystemUserCreds are secrets.
type Bootstrapped struct {
	// OperatorJWT is the operator JWT servers trust.
	OperatorJWT string
	// Operator is the identity key; OperatorSigningKey signs accounts.
	Operator, OperatorSigningKey Key
	// SystemAccount is the system account identity key; its signing key
	// signs system users.
	SystemAccount, SystemAccountSigningKey Key
	// SystemAccountJWT is the system account JWT (signed by the operator
	// signing key); it is preloaded into the resolver.
	SystemAccountJWT string
	// SystemUser is the system user's key, SystemUserJWT its JWT and
	// SystemUserCreds both in the decorated .creds format.
	SystemUser      Key
	SystemUserJWT   string
	SystemUserCreds []byte
}

// Bootstrap makes an operator identity and signing key, a system account
// signed by the signing key, and an unrestricted system user, all offline.
func Bootstrap(o BootstrapOptions) (*Bootstrapped, error) {
	if o.OperatorName == "" {
		o.OperatorName = "operator"
	}
	if o.SystemAccountName == "" {
		o.SystemAccountName = "SYS"
	}
	if o.SystemUserName == "" {
		o.SystemUserName = "sys"
	}
	b := &Bootstrapped{}
	var err error
	for _, k := range []struct {
		dst  *Key
		kind KeyKind
	}{
		{&b.Operator, KeyOperator}, {&b.OperatorSigningKey, KeyOperator},
		{&b.SystemAccount, KeyAccount}, {&b.SystemAccountSigningKey, KeyAccount},
		{&b.SystemUser, KeyUser},
	} {
		if *k.dst, err = NewKey(k.kind); err != nil {
			return nil, fmt.Errorf("bootstrap: %w", err)
		}
	}

	op := Operator{
		Name:              o.OperatorName,
		PublicKey:         b.Operator.PublicKey,
		SigningKeys:       []string{b.OperatorSigningKey.PublicKey},
		SystemAccount:     b.SystemAccount.PublicKey,
		StrictSigningKeys: o.StrictSigningKeys,
	}
	if b.OperatorJWT, err = EncodeOperator(op, b.Operator.Seed); err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	signer, err := NewSigner(b.OperatorJWT, b.OperatorSigningKey.Seed)
	if err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	sys := Account{
		Name:        o.SystemAccountName,
		PublicKey:   b.SystemAccount.PublicKey,
		SigningKeys: []string{b.SystemAccountSigningKey.PublicKey},
	}
	if b.SystemAccountJWT, _, err = signer.EncodeAccount(sys, ""); err != nil {
		return nil, fmt.Errorf("bootstrap: system account: %w", err)
	}
	issued, err := IssueUser(User{Name: o.SystemUserName, Account: b.SystemAccount.PublicKey},
		b.SystemAccountSigningKey.Seed, b.SystemUser.Seed)
	if err != nil {
		return nil, fmt.Errorf("bootstrap: system user: %w", err)
	}
	b.SystemUserJWT, b.SystemUserCreds = issued.JWT, issued.Creds
	return b, nil
}

// ServerConfig is the nats-server configuration fragment that makes a server
// trust this operator: see ServerConfig.
func (b *Bootstrapped) ServerConfig(resolverDir string) (string, error) {
	return ServerConfig(ServerConfigOptions{
		OperatorJWT:      b.OperatorJWT,
		SystemAccountJWT: b.SystemAccountJWT,
		ResolverDir:      resolverDir,
		AllowDelete:      true,
	})
}
