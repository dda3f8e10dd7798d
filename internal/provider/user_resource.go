package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/nats-io/jwt/v2"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

var (
	_ resource.ResourceWithConfigure      = (*userResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*userResource)(nil)
	_ resource.ResourceWithValidateConfig = (*userResource)(nil)
)

// userResource issues a user JWT offline: signed by an account signing key,
// it is valid without being stored on any server. Only the KINE check talks
// to NATS.
type userResource struct{ client *client }

func newUserResource() resource.Resource { return &userResource{} }

// userInputs are what nats_user and nats_user_credentials share: everything
// that goes into the user JWT except its expiry.
type userInputs struct {
	Name               types.String `tfsdk:"name"`
	Account            types.String `tfsdk:"account"`
	AccountSigningSeed types.String `tfsdk:"account_signing_seed"`
	Publish            types.Object `tfsdk:"publish"`
	Subscribe          types.Object `tfsdk:"subscribe"`
	AllowResponses     types.Object `tfsdk:"allow_responses"`
	Bearer             types.Bool   `tfsdk:"bearer"`
	ConnectionTypes    types.Set    `tfsdk:"allowed_connection_types"`
	SourceNetworks     types.Set    `tfsdk:"source_networks"`
	KineBucket         types.String `tfsdk:"kine_bucket"`
	KineInboxPrefix    types.String `tfsdk:"kine_inbox_prefix"`
	Leafnode           types.Object `tfsdk:"leafnode"`
	MaxPayload         types.Int64  `tfsdk:"max_payload"`
}

// userOutputs are the issued user.
type userOutputs struct {
	PublicKey types.String `tfsdk:"public_key"`
	JWT       types.String `tfsdk:"jwt"`
	Seed      types.String `tfsdk:"seed"`
	Creds     types.String `tfsdk:"creds"`
}

type userModel struct {
	ID types.String `tfsdk:"id"`
	userInputs
	AccountSigningSeedWO        types.String      `tfsdk:"account_signing_seed_wo"`
	AccountSigningSeedWOVersion types.Int64       `tfsdk:"account_signing_seed_wo_version"`
	Timeouts                    timeouts.Value    `tfsdk:"timeouts"`
	Expires                     timetypes.RFC3339 `tfsdk:"expires"`
	Conformance                 types.Object      `tfsdk:"conformance"`
	ConformanceReport           types.Object      `tfsdk:"conformance_report"`
	userOutputs
}

type permissionModel struct {
	Allow types.Set `tfsdk:"allow"`
	Deny  types.Set `tfsdk:"deny"`
}

type responsesModel struct {
	MaxMsgs types.Int64          `tfsdk:"max_msgs"`
	TTL     timetypes.GoDuration `tfsdk:"ttl"`
}

// Descriptions shared by the resource and the ephemeral resource.
const (
	docUserName        = "User name, shown in the JWT and in server logs. Changes in place."
	docUserAccount     = "Public key of the account the user belongs to (starts with `A`). Changing it replaces the user (a new key)."
	docUserSigningSeed = "Seed of the account's identity key or of one of its signing keys (starts with `SA`); it signs the user JWT. " +
		"The provider cannot check offline that the account really lists this key: servers reject users signed by any other key."
	docUserPublish   = "Subjects the user may publish to. Without `allow`, everything not denied is allowed."
	docUserSubscribe = "Subjects the user may subscribe to; an entry may name a queue group after one space (`orders.> workers`). " +
		"Without `allow`, everything not denied is allowed."
	docPermAllow          = "Subjects allowed. `*` matches one token and `>` the rest; both only as whole tokens."
	docPermDeny           = "Subjects denied, even when `allow` matches them."
	docUserAllowResponses = "Lets the user publish replies to requests it received, without a publish permission for the reply subject. " +
		"Unset: no such replies. Note that servers then deny every other publish unless `publish.allow` is set."
	docRespMaxMsgs   = "Replies allowed per request; `-1` for no limit. Unset: the server default, 1."
	docRespTTL       = "How long after a request replies are allowed, as a Go duration. Unset: the server default, `2m`."
	docUserBearer    = "Make the JWT a bearer token: it authenticates without the seed, so treat `jwt` as a secret. The account must allow bearer tokens."
	docUserConnTypes = "Ways the user may connect (`STANDARD`, `WEBSOCKET`, `LEAFNODE`, `LEAFNODE_WS`, `MQTT`, `MQTT_WS`, `IN_PROCESS`). " +
		"Unset: all."
	docUserSourceNetworks = "Networks the user may connect from, as CIDRs (`10.0.0.0/8`). Unset: any."
	docUserKineBucket     = "A KV bucket this user runs KINE (k3s' datastore) against. The user then gets exactly the permissions KINE needs " +
		"for that bucket (JetStream API subjects of stream `KV_<bucket>`, `$KV.<bucket>.>`, and its inbox), merged with `publish` and `subscribe`. " +
		"Note that this makes the allow lists non-empty: the user may use nothing else unless `allow` names it."
	docUserKineInboxPrefix = "Inbox prefix of the KINE client, whose `<prefix>.>` the user may subscribe to. Requires `kine_bucket`. " +
		"Defaults to the provider's `inbox_prefix`, else `_INBOX`."
	docUserPublicKey = "The user's public key (starts with `U`)."
	docUserJWT       = "The signed user JWT. Sensitive, since with `bearer` it alone authenticates."
	docUserSeed      = "The user's nkey seed (starts with `SU`)."
	docUserCreds     = "JWT and seed in the decorated `.creds` format that NATS clients, the `nats` CLI, KINE (`credsFile`) and this provider (`credentials_data`, `credentials`) read."
)

// connectionTypes are the values a user JWT may restrict connections to.
var connectionTypes = []string{
	jwt.ConnectionTypeStandard, jwt.ConnectionTypeWebsocket,
	jwt.ConnectionTypeLeafnode, jwt.ConnectionTypeLeafnodeWS,
	jwt.ConnectionTypeMqtt, jwt.ConnectionTypeMqttWS,
	jwt.ConnectionTypeInProcess,
}

func (r *userResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (r *userResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *userResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
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
		MarkdownDescription: "A user of an account in operator mode: a user key, and a JWT signed offline by the account's signing key. " +
			"Nothing is pushed to the servers: they accept the user because they trust the account. " +
			"The key is made once; any change but `account` re-issues the JWT for the same key, in place.\n\n" +
			"With `kine_bucket`, the user gets exactly the permissions KINE needs for that bucket, and a real KINE, linked into the provider, " +
			"runs with this user's credentials against the bucket on every create and update (`conformance`). " +
			"If the bucket does not exist yet, KINE creates it during the check, as k3s would on its first start.\n\n" +
			"With `leafnode`, the user is the hub identity of an edge site's leaf connection (`nats_k3s_edge`), with exactly what that link needs; " +
			"the edge's own check proves it. With `leafnode.hub_jetstream_domain` it is instead the identity of a leaf connection between two regions " +
			"that carries KV mirrors both ways, allowed only what those mirrors send.\n\n" +
			"Import is not supported: the seed cannot be recovered from the servers or the JWT. " +
			"Destroying the resource does not revoke the credentials: the JWT stays valid until it expires or the account revokes the key.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "The user's public key."},
			"name": schema.StringAttribute{
				Required: true, MarkdownDescription: docUserName,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"account": schema.StringAttribute{
				Required: true, MarkdownDescription: docUserAccount,
				Validators:    []validator.String{accountPublicKey{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"account_signing_seed": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: docUserSigningSeed + " Changes in place (the JWT is re-signed). Stored in state: to keep it out, set `account_signing_seed_wo` instead.",
				Validators:          append(signingSeedPair.plainValidators(), accountSeed{kind: accounts.KeyAccount}),
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
			"bearer": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: docUserBearer + " Defaults to `false`.",
			},
			"expires": schema.StringAttribute{
				CustomType: timetypes.RFC3339Type{}, Optional: true,
				MarkdownDescription: "When the JWT stops being valid, as an RFC 3339 time (`2030-01-01T00:00:00Z`); it must be in the future " +
					"whenever the JWT is issued. Unset: never. Once it has passed, plans warn; set a later time to re-issue.",
			},
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
				Optional: true, Computed: true, MarkdownDescription: docUserKineInboxPrefix + " Null without `kine_bucket`.",
				Validators: inboxPrefixValidators(),
			},
			"leafnode":    leafnodeAttribute(),
			"max_payload": schema.Int64Attribute{Optional: true, MarkdownDescription: docUserMaxPayload, Validators: maxPayloadValidators()},
			"conformance": conformanceAttribute(modeEnforce),
			"conformance_report": func() schema.SingleNestedAttribute {
				a := reportAttribute()
				a.MarkdownDescription = "Result of the last KINE conformance check; null without `kine_bucket` or when `conformance.mode` is `off`."
				return a
			}(),
			"public_key": schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: docUserPublicKey},
			"seed":       schema.StringAttribute{Computed: true, Sensitive: true, PlanModifiers: keep, MarkdownDescription: docUserSeed},
			"jwt":        schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: docUserJWT + " Re-issued on every change."},
			"creds":      schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: docUserCreds},
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
	maps.Copy(resp.Schema.Attributes, signingSeedPair.attributes(docUserSigningSeed, accountSeed{kind: accounts.KeyAccount}))
}

// ValidateConfig refuses a leaf node user that could not carry its link.
func (r *userResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	validateLeafnode(ctx, req.Config, &resp.Diagnostics)
}

// ModifyPlan resolves the KINE inbox prefix, marks the JWT for re-issue when
// anything changes, and refuses to issue a JWT that has already expired.
func (r *userResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: nothing to issue
	}
	var plan userModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var configured types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("kine_inbox_prefix"), &configured)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if configured.IsNull() {
		plan.KineInboxPrefix = r.defaultInboxPrefix(plan.KineBucket)
	}
	// Never in plan or state: as null, it cannot make a plan differ from state.
	plan.AccountSigningSeedWO = types.StringNull()
	checked := !plan.KineBucket.IsNull() && conformanceMode(ctx, plan.Conformance) != modeOff
	if !checked {
		plan.ConformanceReport = types.ObjectNull(reportAttrTypes)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	planRecheck(req, resp) // a failed check in enforce mode makes this an update
	changed := req.State.Raw.IsNull() || !resp.Plan.Raw.Equal(req.State.Raw)
	if changed {
		// The framework only marks computed values unknown for changes in
		// the configuration; a new provider inbox_prefix changes the JWT too.
		plan.JWT, plan.Creds = types.StringUnknown(), types.StringUnknown()
		if checked {
			plan.ConformanceReport = types.ObjectUnknown(reportAttrTypes)
		}
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	}
	if plan.Expires.IsNull() || plan.Expires.IsUnknown() {
		return
	}
	expires, d := plan.Expires.ValueRFC3339Time()
	resp.Diagnostics.Append(d...)
	if d.HasError() || expires.After(time.Now()) {
		return
	}
	if changed {
		resp.Diagnostics.AddAttributeError(path.Root("expires"), "Expiry in the past",
			fmt.Sprintf("expires is %s, which has passed: a JWT issued now would be refused at once. "+
				"Set a time in the future, or remove expires for credentials that do not expire.", plan.Expires.ValueString()))
		return
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("expires"), "User credentials have expired",
		fmt.Sprintf("The JWT of user %q expired at %s; servers refuse it. Set a later expires (or remove it) to re-issue it for the same key.",
			plan.Name.ValueString(), plan.Expires.ValueString()))
}

// defaultInboxPrefix is the KINE inbox prefix when the configuration sets
// none: the provider's inbox_prefix, else the NATS default. Null without a
// bucket; unknown while the provider configuration is.
func (r *userResource) defaultInboxPrefix(bucket types.String) types.String {
	switch {
	case bucket.IsNull():
		return types.StringNull()
	case bucket.IsUnknown() || r.client == nil || r.client.unknown:
		return types.StringUnknown()
	}
	return types.StringValue(inboxPrefixOf(r.client))
}

// inboxPrefixOf is the provider's inbox prefix or the NATS default.
func inboxPrefixOf(c *client) string {
	if c == nil {
		return k3s.DefaultInboxPrefix
	}
	if id, err := c.identity.Resolved(); err == nil && id.InboxPrefix != "" {
		return id.InboxPrefix
	}
	return k3s.DefaultInboxPrefix
}

// conformanceMode is the configured mode, "" when not known yet.
func conformanceMode(ctx context.Context, setting types.Object) string {
	var m conformanceModel
	if setting.IsNull() || setting.IsUnknown() || setting.As(ctx, &m, objectAsOptions).HasError() {
		return ""
	}
	return m.Mode.ValueString()
}

func (r *userResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts, opCreate, &resp.Diagnostics)
	defer cancel()
	r.issue(ctx, &plan, req.Config, nil, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ConformanceReport = r.check(ctx, &plan, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read changes nothing: the JWT lives only in state, and nothing on the
// servers can drift.
func (r *userResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *userResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state userModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts, opUpdate, &resp.Diagnostics)
	defer cancel()
	r.issue(ctx, &plan, req.Config, []byte(state.Seed.ValueString()), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ConformanceReport = r.check(ctx, &plan, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete only forgets the user: an issued JWT cannot be recalled.
func (r *userResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// issue signs the user described by m, for userSeed (nil: a new key), and
// fills in the outputs. The account's signing seed comes from the plan or,
// write-only, from config.
func (r *userResource) issue(ctx context.Context, m *userModel, config tfsdk.Config, userSeed []byte, diags *diag.Diagnostics) {
	if m.KineInboxPrefix.IsUnknown() {
		m.KineInboxPrefix = types.StringValue(inboxPrefixOf(r.client))
	}
	u, d := m.user(ctx)
	diags.Append(d...)
	if !m.Expires.IsNull() {
		t, d := m.Expires.ValueRFC3339Time()
		diags.Append(d...)
		u.Expires = t
	}
	seed, seedPath := signingSeedPair.value(ctx, m.AccountSigningSeed, config, diags)
	if diags.HasError() {
		return
	}
	issued, err := accounts.IssueUser(u, []byte(seed), userSeed)
	if err != nil {
		addIssueError(diags, seedPath, err)
		return
	}
	m.ID = types.StringValue(issued.PublicKey)
	m.setIssued(issued)
}

func (o *userOutputs) setIssued(issued *accounts.IssuedUser) {
	o.PublicKey = types.StringValue(issued.PublicKey)
	o.JWT = types.StringValue(issued.JWT)
	o.Seed = types.StringValue(string(issued.Seed))
	o.Creds = types.StringValue(string(issued.Creds))
}

// addIssueError puts an IssueUser error on the attribute it concerns. Its
// messages never contain a seed.
func addIssueError(diags *diag.Diagnostics, seedPath path.Path, err error) {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "account signing key"):
		diags.AddAttributeError(seedPath, "Invalid account signing seed",
			msg+"\n\nSet "+seedPath.String()+" to the seed of the account's identity key or of one of its signing keys (starts with SA).")
	case strings.Contains(msg, "expiry"):
		diags.AddAttributeError(path.Root("expires"), "Expiry in the past", msg+"\n\nSet a time in the future, or remove expires.")
	default:
		diags.AddError("Cannot issue the user JWT", msg)
	}
}

// user is the plain form of the inputs, for the accounts package.
func (in userInputs) user(ctx context.Context) (accounts.User, diag.Diagnostics) {
	var diags diag.Diagnostics
	u := accounts.User{
		Name:            in.Name.ValueString(),
		Account:         in.Account.ValueString(),
		Bearer:          in.Bearer.ValueBool(),
		KineBucket:      in.KineBucket.ValueString(),
		KineInboxPrefix: in.KineInboxPrefix.ValueString(),
	}
	in.applyLeafnode(ctx, &u, &diags)
	u.Pub = permissionFrom(ctx, in.Publish, &diags)
	u.Sub = permissionFrom(ctx, in.Subscribe, &diags)
	diags.Append(in.ConnectionTypes.ElementsAs(ctx, &u.ConnectionTypes, true)...)
	diags.Append(in.SourceNetworks.ElementsAs(ctx, &u.SourceNetworks, true)...)
	if !in.AllowResponses.IsNull() {
		var rm responsesModel
		diags.Append(in.AllowResponses.As(ctx, &rm, objectAsOptions)...)
		u.AllowResponses = &accounts.ResponsePermission{MaxMsgs: int(rm.MaxMsgs.ValueInt64())}
		if !rm.TTL.IsNull() {
			ttl, d := rm.TTL.ValueGoDuration()
			diags.Append(d...)
			u.AllowResponses.TTL = ttl
		}
	}
	return u, diags
}

func permissionFrom(ctx context.Context, obj types.Object, diags *diag.Diagnostics) accounts.Permission {
	var p accounts.Permission
	if obj.IsNull() {
		return p
	}
	var m permissionModel
	diags.Append(obj.As(ctx, &m, objectAsOptions)...)
	diags.Append(m.Allow.ElementsAs(ctx, &p.Allow, true)...)
	diags.Append(m.Deny.ElementsAs(ctx, &p.Deny, true)...)
	return p
}

// check runs KINE as this user against its bucket, as k3s would: same
// servers, the user's creds in a private file standing in for credsFile.
func (r *userResource) check(ctx context.Context, m *userModel, diags *diag.Diagnostics) types.Object {
	if m.KineBucket.IsNull() {
		return types.ObjectNull(reportAttrTypes)
	}
	bucket := m.KineBucket.ValueString()
	what := fmt.Sprintf("user %q with bucket %q", m.Name.ValueString(), bucket)
	return runConformance(ctx, m.Conformance, what, func(ctx context.Context, opts conformance.Options) *conformance.Report {
		if p := m.KineInboxPrefix.ValueString(); p != k3s.DefaultInboxPrefix {
			return conformance.Skipped(opts, "target", fmt.Sprintf("the user's KINE inbox prefix is %s; KINE takes an inbox prefix only from a nats "+
				"context file (contextFile), and the check runs KINE with a creds file, whose connection uses %s. "+
				"Check the datastore with nats_k3s_datastore and context_file instead", p, k3s.DefaultInboxPrefix))
		}
		if r.client.unknown {
			return conformance.Failed(opts, "connect", errConfigUnknown)
		}
		// KINE's connection uses the default inbox prefix, so the check's
		// connection must too, whatever the provider's own is.
		id := r.client.identity.WithCreds(m.Creds.ValueString())
		id.InboxPrefix = ""
		t, err := identityTarget(id)
		if err != nil {
			return conformance.Failed(opts, "target", err)
		}
		t.Endpoint.Bucket = bucket
		conn, err := r.client.pool.Get(ctx, id)
		if err != nil {
			return conformance.Failed(opts, "connect", err)
		}
		defer r.client.pool.Drop(id) // a throwaway identity: do not keep its connection
		// The endpoint k3s gets must match an existing bucket; that is the
		// datastore's business, so take its settings rather than fail on them.
		if js, err := conn.JetStream(""); err == nil {
			if replicas, history, _, err := k3s.BucketReplicas(ctx, js, bucket); err == nil {
				t.Endpoint.Replicas, t.Endpoint.RevHistory = replicas, history
			}
		}
		return conformance.Run(ctx, conn.NC, t, opts)
	}, diags)
}
