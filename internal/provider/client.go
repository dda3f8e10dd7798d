package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
)

// errConfigUnknown means the provider configuration is not known yet (it
// comes from another resource): there is nothing to connect to at plan time.
var errConfigUnknown = errors.New("the provider configuration depends on values not known until apply: " +
	"create what it depends on first (terraform apply -target=...), or give this data source its inputs directly")

// client is what Configure hands to resources and data sources: the shared
// connection pool and the provider's identity. Resources never dial.
type client struct {
	pool     *natsconn.Pool
	identity natsconn.Identity
	domain   string // default JetStream domain
	operator *operatorSettings
	unknown  bool
}

// operatorSettings is the provider's operator block, as configured.
type operatorSettings struct {
	jwt, signingSeed, systemCreds string
}

// errNoOperator explains what account resources need from the provider.
var errNoOperator = errors.New("account resources need the provider's operator block: " +
	"operator { jwt = ..., signing_seed = ..., system_user_creds = ... }, for servers in operator mode with the full account resolver")

// operatorJWT is the operator JWT, read from a file when the setting is a path.
func (o *operatorSettings) operatorJWT() (string, error) {
	v := strings.TrimSpace(o.jwt)
	if v == "" || strings.HasPrefix(v, "eyJ") || strings.Contains(v, "BEGIN NATS OPERATOR JWT") {
		return v, nil
	}
	b, err := os.ReadFile(v)
	if err != nil {
		return "", fmt.Errorf("read operator JWT file %s: %w", v, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// resolver is the account resolver client and the operator's signer, over
// the system user's pooled connection.
func (c *client) resolver(ctx context.Context) (*accounts.Resolver, *accounts.Signer, error) {
	if c.unknown {
		return nil, nil, errConfigUnknown
	}
	o := c.operator
	if o == nil || o.jwt == "" || o.signingSeed == "" || o.systemCreds == "" {
		return nil, nil, errNoOperator
	}
	opJWT, err := o.operatorJWT()
	if err != nil {
		return nil, nil, err
	}
	signer, err := accounts.NewSigner(opJWT, []byte(o.signingSeed))
	if err != nil {
		return nil, nil, fmt.Errorf("operator: %w", err)
	}
	conn, err := c.pool.Get(ctx, c.identity.WithCreds(o.systemCreds))
	if err != nil {
		return nil, nil, fmt.Errorf("connect as the system user: %w", err)
	}
	res, err := accounts.NewResolver(conn.NC, signer.Operator(), accounts.ResolverOptions{})
	if err != nil {
		return nil, nil, err
	}
	return res, signer, nil
}

// clientFrom takes the provider data given to a resource's Configure. It is
// nil before the provider is configured (during validation).
func clientFrom(data any, diags *diag.Diagnostics) *client {
	if data == nil {
		return nil
	}
	c, ok := data.(*client)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *client, got %T: this is a bug in the provider", data))
		return nil
	}
	return c
}

// identityFor is the provider identity, or the resource's credentials
// override when set.
func (c *client) identityFor(creds types.String) natsconn.Identity {
	if creds.ValueString() != "" {
		return c.identity.WithCreds(creds.ValueString())
	}
	return c.identity
}

// conn returns the pooled connection for the identity a resource uses.
func (c *client) conn(ctx context.Context, creds types.String) (*natsconn.Conn, error) {
	if c.unknown {
		return nil, errConfigUnknown
	}
	return c.pool.Get(ctx, c.identityFor(creds))
}

// domainFor is the resource's JetStream domain, or the provider default.
func (c *client) domainFor(domain types.String) string {
	if domain.ValueString() != "" {
		return domain.ValueString()
	}
	return c.domain
}

// jetStream returns the JetStream context a resource uses.
func (c *client) jetStream(ctx context.Context, creds, domain types.String) (jetstream.JetStream, error) {
	conn, err := c.conn(ctx, creds)
	if err != nil {
		return nil, err
	}
	return conn.JetStream(c.domainFor(domain))
}

// serverURLs are the provider's servers (a context's, when it names the
// servers), or the default.
func (c *client) serverURLs() []string {
	if id, err := c.identity.Resolved(); err == nil && len(id.Servers) > 0 {
		return id.Servers
	}
	return []string{natsconn.DefaultURL}
}

// endpointServers are the servers a KINE endpoint names by default: the
// provider's, tls:// ones as KINE dials them.
func (c *client) endpointServers() []string {
	if c == nil {
		return []string{natsconn.DefaultURL}
	}
	return k3s.KineServers(c.serverURLs())
}

// refreshJetStream is jetStream for a resource's Read. While the provider
// configuration is not known there is nothing to refresh against: ok is
// false with no diagnostic, and the caller keeps its state as it is.
func (c *client) refreshJetStream(ctx context.Context, creds, domain types.String, diags *diag.Diagnostics) (js jetstream.JetStream, ok bool) {
	js, err := c.jetStream(ctx, creds, domain)
	if errors.Is(err, errConfigUnknown) {
		return nil, false
	}
	if err != nil {
		addConnError(diags, err)
		return nil, false
	}
	return js, true
}

// refuseProtected reports a destroy refused by deletion_protection, on that
// attribute, and says whether it was refused.
func refuseProtected(protection types.Bool, what, why string, diags *diag.Diagnostics) bool {
	if !protection.ValueBool() {
		return false
	}
	diags.AddAttributeError(path.Root("deletion_protection"), what+" is protected from deletion",
		why+" To delete it for good, set deletion_protection = false, apply, and destroy again. "+
			"If a failed apply left it tainted, `terraform untaint` it first.")
	return true
}
