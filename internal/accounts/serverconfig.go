package accounts

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/jwt/v2"
)

// ServerConfigOptions describe the operator-mode part of a nats-server
// configuration.
type ServerConfigOptions struct {
	OperatorJWT string
	// SystemAccountJWT is preloaded into the resolver, so the system account
	// exists before anything is pushed. Its subject must be the operator's
	// system account.
	SystemAccountJWT string
	// ResolverDir is where the full resolver keeps account JWTs. Required.
	ResolverDir string
	// AllowDelete lets the resolver delete accounts ($SYS.REQ.CLAIMS.DELETE).
	AllowDelete bool
	// SyncInterval is how often servers compare their stores; the server
	// default (2m) when zero.
	SyncInterval time.Duration
}

// ServerConfig renders a nats-server configuration fragment: operator,
// system_account, a full (directory) resolver and the preloaded system
// account. Append it to a configuration that has the listen, cluster and
// jetstream blocks.
func ServerConfig(o ServerConfigOptions) (string, error) {
	op, err := ParseOperator(o.OperatorJWT)
	if err != nil {
		return "", fmt.Errorf("server config: %w", err)
	}
	if op.SystemAccount == "" {
		return "", errors.New("server config: the operator jwt names no system account")
	}
	sys, err := jwt.DecodeAccountClaims(o.SystemAccountJWT)
	if err != nil {
		return "", fmt.Errorf("server config: system account jwt: %w", err)
	}
	if sys.Subject != op.SystemAccount {
		return "", fmt.Errorf("server config: system account jwt is for %s, the operator names %s", sys.Subject, op.SystemAccount)
	}
	if err := op.CheckIssuer(o.SystemAccountJWT); err != nil {
		return "", fmt.Errorf("server config: system account: %w", err)
	}
	if strings.TrimSpace(o.ResolverDir) == "" {
		return "", errors.New("server config: the resolver directory is required")
	}
	dir, err := confString(o.ResolverDir)
	if err != nil {
		return "", fmt.Errorf("server config: resolver directory: %w", err)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "operator: %q\n", o.OperatorJWT)
	fmt.Fprintf(&b, "system_account: %q\n", op.SystemAccount)
	b.WriteString("resolver {\n  type: full\n")
	fmt.Fprintf(&b, "  dir: %s\n", dir)
	fmt.Fprintf(&b, "  allow_delete: %t\n", o.AllowDelete)
	if o.SyncInterval > 0 {
		fmt.Fprintf(&b, "  interval: %q\n", o.SyncInterval.String())
	}
	b.WriteString("}\n")
	fmt.Fprintf(&b, "resolver_preload {\n  %s: %q\n}\n", op.SystemAccount, o.SystemAccountJWT)
	return b.String(), nil
}

// confString quotes s for the nats-server configuration language, whose
// double-quoted strings know only a few escapes (not Go's full set).
func confString(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			return "", fmt.Errorf("control character %U not allowed", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}
