package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
)

var (
	_ ephemeral.EphemeralResourceWithConfigure      = (*userCredentialsEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithValidateConfig = (*userCredentialsEphemeral)(nil)
)

// defaultCredentialsTTL is how long minted credentials live when ttl is
// unset: long enough for one apply.
const defaultCredentialsTTL = time.Hour

// userCredentialsEphemeral mints a short-lived user on every open. Nothing
// of it reaches the plan or state, so it can feed provider configurations
// without persisting a secret.
type userCredentialsEphemeral struct{ client *client }

func newUserCredentialsEphemeral() ephemeral.EphemeralResource { return &userCredentialsEphemeral{} }

type userCredentialsModel struct {
	userInputs
	TTL     timetypes.GoDuration `tfsdk:"ttl"`
	Expires timetypes.RFC3339    `tfsdk:"expires"`
	userOutputs
}

func (e *userCredentialsEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_credentials"
}

func (e *userCredentialsEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *userCredentialsEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	permission := func(desc string, queue bool) schema.SingleNestedAttribute {
		return schema.SingleNestedAttribute{
			Optional: true, MarkdownDescription: desc,
			Attributes: map[string]schema.Attribute{
				"allow": schema.SetAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: docPermAllow,
					Validators: subjectSetValidators(queue)},
				"deny": schema.SetAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: docPermDeny,
					Validators: subjectSetValidators(queue)},
			},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Short-lived credentials of a new user of an account, minted offline at every plan and apply (Terraform 1.10 or later). " +
			"Nothing is kept in plan or state, so the result can configure the provider (`credentials_data` of an aliased provider) " +
			"without any credentials being persisted. Each open makes a new user key whose JWT expires after `ttl`.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required: true, MarkdownDescription: "User name, shown in the JWT and in server logs.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"account": schema.StringAttribute{
				Required: true, MarkdownDescription: "Public key of the account the user belongs to (starts with `A`).",
				Validators: []validator.String{accountPublicKey{}},
			},
			"account_signing_seed": schema.StringAttribute{
				Required: true, Sensitive: true, MarkdownDescription: docUserSigningSeed,
				Validators: []validator.String{accountSeed{kind: accounts.KeyAccount}},
			},
			"publish":   permission(docUserPublish, false),
			"subscribe": permission(docUserSubscribe, true),
			"allow_responses": schema.SingleNestedAttribute{
				Optional: true, MarkdownDescription: docUserAllowResponses,
				Attributes: map[string]schema.Attribute{
					"max_msgs": schema.Int64Attribute{Optional: true, MarkdownDescription: docRespMaxMsgs,
						Validators: []validator.Int64{int64validator.AtLeast(-1), int64validator.NoneOf(0)}},
					"ttl": schema.StringAttribute{CustomType: timetypes.GoDurationType{}, Optional: true, MarkdownDescription: docRespTTL,
						Validators: []validator.String{positiveDuration()}},
				},
			},
			"bearer": schema.BoolAttribute{Optional: true, MarkdownDescription: docUserBearer + " Unset: `false`."},
			"allowed_connection_types": schema.SetAttribute{
				ElementType: types.StringType, Optional: true, MarkdownDescription: docUserConnTypes,
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(connectionTypes...))},
			},
			"source_networks": schema.SetAttribute{
				ElementType: types.StringType, Optional: true, MarkdownDescription: docUserSourceNetworks,
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(cidrNetwork{})},
			},
			"kine_bucket": schema.StringAttribute{
				Optional: true, MarkdownDescription: docUserKineBucket,
				Validators: []validator.String{nameValidator()},
			},
			"kine_inbox_prefix": schema.StringAttribute{
				Optional: true, Computed: true, MarkdownDescription: docUserKineInboxPrefix,
				Validators: inboxPrefixValidators(),
			},
			"leafnode":    leafnodeEphemeralAttribute(),
			"max_payload": schema.Int64Attribute{Optional: true, MarkdownDescription: docUserMaxPayload, Validators: maxPayloadValidators()},
			"ttl": schema.StringAttribute{
				CustomType: timetypes.GoDurationType{}, Optional: true,
				MarkdownDescription: "How long the credentials stay valid after they are minted, as a Go duration. Defaults to `1h`.",
				Validators:          []validator.String{positiveDuration()},
			},
			"expires":    schema.StringAttribute{CustomType: timetypes.RFC3339Type{}, Computed: true, MarkdownDescription: "When the JWT stops being valid (RFC 3339)."},
			"public_key": schema.StringAttribute{Computed: true, MarkdownDescription: docUserPublicKey},
			"jwt":        schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: docUserJWT},
			"seed":       schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: docUserSeed},
			"creds":      schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: docUserCreds},
		},
	}
}

// ValidateConfig refuses a leaf node user that could not carry its link.
func (e *userCredentialsEphemeral) ValidateConfig(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	validateLeafnode(ctx, req.Config, &resp.Diagnostics)
}

func (e *userCredentialsEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m userCredentialsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.KineBucket.IsNull() {
		m.KineInboxPrefix = types.StringNull()
	} else if m.KineInboxPrefix.IsNull() {
		if e.client != nil && e.client.unknown {
			resp.Diagnostics.AddAttributeError(path.Root("kine_inbox_prefix"), "KINE inbox prefix not known yet",
				"kine_inbox_prefix defaults to the provider's inbox_prefix, but the provider configuration depends on values not known yet. "+
					"Set kine_inbox_prefix explicitly (\"_INBOX\" unless KINE connects with a custom inbox prefix).")
			return
		}
		m.KineInboxPrefix = types.StringValue(inboxPrefixOf(e.client))
	}
	ttl := defaultCredentialsTTL
	if !m.TTL.IsNull() {
		d, diags := m.TTL.ValueGoDuration()
		resp.Diagnostics.Append(diags...)
		ttl = d
	}
	u, diags := m.user(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A JWT counts expiry in whole seconds: round up, never short of ttl.
	u.Expires = time.Now().Add(ttl).Add(time.Second - 1).Truncate(time.Second).UTC()
	issued, err := accounts.IssueUser(u, []byte(m.AccountSigningSeed.ValueString()), nil)
	if err != nil {
		addIssueError(&resp.Diagnostics, path.Root("account_signing_seed"), err)
		return
	}
	m.Expires = timetypes.NewRFC3339TimeValue(u.Expires)
	m.setIssued(issued)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}
