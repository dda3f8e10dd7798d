// Package provider is the Terraform face of the NATS provider: schemas, plan
// modifiers and diagnostics. It turns Terraform values into plain Go structs
// and hands them to the domain packages; it never talks NATS itself.
package provider

import (
	"context"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/providervalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
)

// Environment variables the provider reads when its configuration is silent.
const (
	envURL     = "NATS_URL"
	envCreds   = "NATS_CREDS"
	envContext = "NATS_CONTEXT"
)

var _ provider.ProviderWithConfigValidators = (*natsProvider)(nil)
var _ provider.ProviderWithFunctions = (*natsProvider)(nil)
var _ provider.ProviderWithEphemeralResources = (*natsProvider)(nil)

type natsProvider struct {
	version string
	pool    *natsconn.Pool
	// configured is the client Configure made, for the requests the
	// server answers without the framework (server.go).
	configured configuredClient
}

type providerModel struct {
	Servers         types.List           `tfsdk:"servers"`
	Credentials     types.String         `tfsdk:"credentials"`
	CredentialsData types.String         `tfsdk:"credentials_data"`
	NKeySeed        types.String         `tfsdk:"nkey_seed"`
	User            types.String         `tfsdk:"user"`
	Password        types.String         `tfsdk:"password"`
	Token           types.String         `tfsdk:"token"`
	Context         types.String         `tfsdk:"context"`
	TLS             *tlsModel            `tfsdk:"tls"`
	Operator        *operatorModel       `tfsdk:"operator"`
	JetStreamDomain types.String         `tfsdk:"jetstream_domain"`
	InboxPrefix     types.String         `tfsdk:"inbox_prefix"`
	Timeout         timetypes.GoDuration `tfsdk:"timeout"`
}

type operatorModel struct {
	JWT             types.String `tfsdk:"jwt"`
	SigningSeed     types.String `tfsdk:"signing_seed"`
	SystemUserCreds types.String `tfsdk:"system_user_creds"`
}

type tlsModel struct {
	CA             types.String `tfsdk:"ca"`
	Cert           types.String `tfsdk:"cert"`
	Key            types.String `tfsdk:"key"`
	HandshakeFirst types.Bool   `tfsdk:"handshake_first"`
}

func (p *natsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "nats"
	resp.Version = p.version
}

func (p *natsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages NATS JetStream key-value buckets and accounts that hold k3s cluster state through KINE. " +
			"At most one identity may be configured: `credentials`, `credentials_data`, `nkey_seed`, `user` with `password`, `token` or `context`.",
		Attributes: map[string]schema.Attribute{
			"servers": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "NATS server URLs, for example `nats://nats-1:4222`. Defaults to the comma-separated URLs in `NATS_URL`, " +
					"then `" + natsconn.DefaultURL + "`.",
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.RegexMatches(serverURLPattern,
						"must be a NATS URL such as nats://host:4222 (schemes nats, tls, ws, wss)")),
				},
			},
			"credentials": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "Path to a `.creds` file (content is accepted too). Defaults to `NATS_CREDS`, which may also hold the content of a `.creds` file.",
			},
			"credentials_data": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Content of a `.creds` file (user JWT and nkey seed). Use this where there are no local files, such as Terraform Cloud.",
			},
			"nkey_seed": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "User nkey seed (starts with `SU`) for nkey authentication.",
			},
			"user": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "User name for user/password authentication. Requires `password`.",
			},
			"password": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Password for user/password authentication. Requires `user`.",
			},
			"token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Authentication token.",
			},
			"context": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "A `nats` CLI context: its name, or the path to its JSON file. Defaults to `NATS_CONTEXT`. Servers configured here take precedence over the context's.",
			},
			"jetstream_domain": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "JetStream domain used by resources that do not set their own.",
				Validators:          []validator.String{domainValidator()},
			},
			"inbox_prefix": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Custom inbox prefix for replies, for accounts whose users may only subscribe below a given prefix.",
				Validators: []validator.String{stringvalidator.RegexMatches(subjectTokenPattern,
					"must be subject tokens separated by dots, without wildcards or spaces, such as _INBOX_k3s")},
			},
			"timeout": schema.StringAttribute{
				CustomType:          timetypes.GoDurationType{},
				Optional:            true,
				MarkdownDescription: "How long to wait for a connection and for each NATS request, as a Go duration such as `10s`. Defaults to `10s`.",
				Validators:          []validator.String{positiveDuration()},
			},
		},
		Blocks: map[string]schema.Block{
			"operator": schema.SingleNestedBlock{
				MarkdownDescription: "The operator whose accounts this configuration manages (operator/JWT mode). Needed by `nats_account`; " +
					"the servers must run the full (directory) account resolver.",
				Attributes: map[string]schema.Attribute{
					"jwt": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "The operator JWT, or the path of a file holding it.",
					},
					"signing_seed": schema.StringAttribute{
						Optional: true, Sensitive: true,
						MarkdownDescription: "Seed of an operator signing key (starts with `SO`), used to sign account JWTs and deletes.",
					},
					"system_user_creds": schema.StringAttribute{
						Optional: true, Sensitive: true,
						MarkdownDescription: "Content of a `.creds` file of a user of the system account, used for `$SYS` requests to the account resolver.",
					},
				},
			},
			"tls": schema.SingleNestedBlock{
				MarkdownDescription: "TLS settings. Each of `ca`, `cert` and `key` is a file path or PEM content.",
				Attributes: map[string]schema.Attribute{
					"ca": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "CA certificate(s) that sign the servers' certificates: a path or PEM content.",
					},
					"cert": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Client certificate: a path or PEM content. Requires `key`.",
						Validators:          []validator.String{stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("key"))},
					},
					"key": schema.StringAttribute{
						Optional:            true,
						Sensitive:           true,
						MarkdownDescription: "Client private key: a path or PEM content. Requires `cert`.",
						Validators:          []validator.String{stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("cert"))},
					},
					"handshake_first": schema.BoolAttribute{
						Optional:            true,
						MarkdownDescription: "Start TLS before the NATS protocol greeting, for servers configured with `handshake_first`.",
					},
				},
			},
		},
	}
}

func (p *natsProvider) ConfigValidators(context.Context) []provider.ConfigValidator {
	return []provider.ConfigValidator{
		oneIdentity{},
		providervalidator.RequiredTogether(path.MatchRoot("user"), path.MatchRoot("password")),
	}
}

func (p *natsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	c := &client{pool: p.pool}
	resp.ResourceData, resp.DataSourceData, resp.EphemeralResourceData = c, c, c
	defer p.configured.Store(c)
	// A value taken from another resource is unknown at plan time: connect
	// later, when it is known, rather than failing the plan.
	if !req.Config.Raw.IsFullyKnown() {
		c.unknown = true
		return
	}
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := natsconn.Identity{
		CredsData:   m.CredentialsData.ValueString(),
		NKeySeed:    m.NKeySeed.ValueString(),
		User:        m.User.ValueString(),
		Password:    m.Password.ValueString(),
		Token:       m.Token.ValueString(),
		Context:     m.Context.ValueString(),
		InboxPrefix: m.InboxPrefix.ValueString(),
	}
	// credentials takes a path; content (from file() or a secret variable)
	// is taken as content, as NATS_CREDS is, rather than read as a path.
	if creds := m.Credentials.ValueString(); strings.Contains(creds, "BEGIN NATS USER JWT") {
		id.CredsData = creds
	} else {
		id.CredsFile = creds
	}
	resp.Diagnostics.Append(m.Servers.ElementsAs(ctx, &id.Servers, false)...)
	if len(id.Servers) == 0 {
		for _, s := range strings.Split(os.Getenv(envURL), ",") {
			if s = strings.TrimSpace(s); s != "" {
				id.Servers = append(id.Servers, s)
			}
		}
	}
	if id.Kind() == "no credentials" {
		if creds := os.Getenv(envCreds); strings.Contains(creds, "BEGIN NATS USER JWT") {
			id.CredsData = creds
		} else if creds != "" {
			id.CredsFile = creds
		} else {
			id.Context = os.Getenv(envContext)
		}
	}
	if m.TLS != nil {
		id.TLS = natsconn.TLS{
			CA:             m.TLS.CA.ValueString(),
			Cert:           m.TLS.Cert.ValueString(),
			Key:            m.TLS.Key.ValueString(),
			HandshakeFirst: m.TLS.HandshakeFirst.ValueBool(),
		}
	}
	if !m.Timeout.IsNull() {
		d, diags := m.Timeout.ValueGoDuration()
		resp.Diagnostics.Append(diags...)
		id.Timeout = d
	}
	c.identity = id
	c.domain = m.JetStreamDomain.ValueString()
	if o := m.Operator; o != nil {
		c.operator = &operatorSettings{
			jwt:         o.JWT.ValueString(),
			signingSeed: o.SigningSeed.ValueString(),
			systemCreds: o.SystemUserCreds.ValueString(),
		}
	}
}

func (p *natsProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newKVBucketResource,
		newK3sDatastoreResource,
		newKVMirrorResource,
		newOperatorResource,
		newAccountResource,
		newUserResource,
		newK3sEdgeResource,
	}
}

func (p *natsProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newKVBucketDataSource,
		newK3sDatastoreDataSource,
		newKVMirrorDataSource,
	}
}

func (p *natsProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		newUserCredentialsEphemeral,
	}
}

func (p *natsProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		newDatastoreEndpointFunction,
		newParseDatastoreEndpointFunction,
	}
}
