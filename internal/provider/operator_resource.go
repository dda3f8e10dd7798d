package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
)

var (
	_ resource.Resource               = (*operatorResource)(nil)
	_ resource.ResourceWithModifyPlan = (*operatorResource)(nil)
)

// operatorResource bootstraps an operator-mode NATS system offline. It never
// talks to a server, so it needs no provider configuration.
type operatorResource struct{}

func newOperatorResource() resource.Resource { return &operatorResource{} }

// operatorResourceModel is the resource's state. (operatorModel is the
// provider's operator block.)
type operatorResourceModel struct {
	Name                 types.String         `tfsdk:"name"`
	SystemAccountName    types.String         `tfsdk:"system_account_name"`
	SystemUserName       types.String         `tfsdk:"system_user_name"`
	StrictSigningKeys    types.Bool           `tfsdk:"strict_signing_keys"`
	ResolverDir          types.String         `tfsdk:"resolver_dir"`
	AllowDelete          types.Bool           `tfsdk:"allow_delete"`
	ResolverSyncInterval timetypes.GoDuration `tfsdk:"resolver_sync_interval"`
	DeletionProtection   types.Bool           `tfsdk:"deletion_protection"`

	ID                       types.String `tfsdk:"id"`
	PublicKey                types.String `tfsdk:"public_key"`
	Seed                     types.String `tfsdk:"seed"`
	JWT                      types.String `tfsdk:"jwt"`
	SigningKey               types.String `tfsdk:"signing_key"`
	SigningSeed              types.String `tfsdk:"signing_seed"`
	SystemAccount            types.String `tfsdk:"system_account"`
	SystemAccountJWT         types.String `tfsdk:"system_account_jwt"`
	SystemAccountSigningKey  types.String `tfsdk:"system_account_signing_key"`
	SystemAccountSigningSeed types.String `tfsdk:"system_account_signing_seed"`
	SystemUserCreds          types.String `tfsdk:"system_user_creds"`
	ServerConfig             types.String `tfsdk:"server_config"`
}

var (
	// notBlankPattern rejects empty and all-space values, which would silently
	// become the domain's defaults or unreadable JWT names.
	notBlankPattern = regexp.MustCompile(`\S`)
	// confStringPattern matches what the nats-server configuration language can
	// hold in a quoted string (tab is fine, newlines and the like are not).
	confStringPattern = regexp.MustCompile(`^[^\x00-\x08\x0a-\x1f\x7f]*$`)
)

func operatorNotBlank() validator.String {
	return stringvalidator.RegexMatches(notBlankPattern, "must not be empty or only spaces")
}

func (r *operatorResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_operator"
}

func (r *operatorResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	// Keys and JWTs are made once, at create, and kept in state: a refresh or
	// an in-place update must never regenerate them.
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	computed := func(doc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: doc, PlanModifiers: keep}
	}
	secret := func(doc string) schema.StringAttribute {
		a := computed(doc)
		a.Sensitive = true
		return a
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Bootstraps a NATS system in operator (JWT) mode, offline: an operator identity key and signing key, " +
			"a system account and a system user, and the nats-server configuration fragment that makes servers trust them. " +
			"Nothing is sent to a server. The keys are made once, when the resource is created, and kept in the state, " +
			"which therefore holds seeds: keep the state secret. Changing a name or `strict_signing_keys` makes a new operator " +
			"(new keys that existing servers and accounts do not trust); changing the resolver settings only renders `server_config` again.\n\n" +
			"The outputs fit the provider's `operator` block: `jwt`, `signing_seed` and `system_user_creds`.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the operator, written into the operator JWT. Changing it makes a new operator.",
				Validators:          []validator.String{operatorNotBlank()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"system_account_name": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("SYS"),
				MarkdownDescription: "Name of the system account. Defaults to `SYS`. Changing it makes a new operator.",
				Validators:          []validator.String{operatorNotBlank()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"system_user_name": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("sys"),
				MarkdownDescription: "Name of the system user. Defaults to `sys`. Changing it makes a new operator.",
				Validators:          []validator.String{operatorNotBlank()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"strict_signing_keys": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Strict signing-key mode: servers then accept account JWTs only when an operator signing key, " +
					"not the identity key, signed them. Defaults to `false`. Changing it makes a new operator.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"resolver_dir": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("./jwt"),
				MarkdownDescription: "Directory in which each server's full account resolver keeps account JWTs, as the server sees it " +
					"(relative paths are relative to the server's working directory). Used in `server_config`. Defaults to `./jwt`.",
				Validators: []validator.String{
					operatorNotBlank(),
					stringvalidator.RegexMatches(confStringPattern, "must not contain control characters such as newlines"),
				},
			},
			"allow_delete": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Let the resolver delete accounts (`allow_delete` in `server_config`). Destroying an account resource " +
					"needs it. Defaults to `true`.",
			},
			"resolver_sync_interval": schema.StringAttribute{
				CustomType:          timetypes.GoDurationType{},
				Optional:            true,
				MarkdownDescription: "How often servers compare their account JWT stores, as a Go duration (`2m`). Unset leaves the server's default.",
				Validators:          []validator.String{positiveDuration()},
				PlanModifiers:       []planmodifier.String{durationUnchanged()},
			},
			"deletion_protection": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "When `true`, a plan that destroys or replaces the operator fails: its seeds exist only in this state, " +
					"and every account it signed stops being trusted by servers configured with a new one. Defaults to `true`.",
			},

			"id":         computed("The operator's public key."),
			"public_key": computed("The operator's public key (starts with `O`): the identity servers trust."),
			"seed":       secret("Seed of the operator identity key (starts with `SO`). Only needed to re-sign the operator JWT; keep it offline if you can."),
			"jwt":        computed("The operator JWT, for the servers and the provider's `operator.jwt`."),
			"signing_key": computed("Public key of the operator signing key, listed in the operator JWT. " +
				"It signs the system account and every account the provider creates."),
			"signing_seed":   secret("Seed of the operator signing key (starts with `SO`), for the provider's `operator.signing_seed`."),
			"system_account": computed("Public key of the system account (starts with `A`)."),
			"system_account_jwt": computed("The system account JWT, signed by the operator signing key. " +
				"`server_config` preloads it into the resolver."),
			"system_account_signing_key":  computed("Public key of the system account's signing key, which signs system users."),
			"system_account_signing_seed": secret("Seed of the system account's signing key (starts with `SA`), for minting more system users."),
			"system_user_creds": secret("Credentials (`.creds` content) of the system user, for the provider's `operator.system_user_creds` " +
				"and for `$SYS` requests with other tools."),
			"server_config": schema.StringAttribute{
				// Not sensitive: it holds JWTs and public keys, never a seed.
				Computed: true,
				MarkdownDescription: "nats-server configuration fragment: `operator`, `system_account`, a full `resolver` in `resolver_dir` " +
					"with `allow_delete`, and `resolver_preload` with the system account. Include it in a configuration that has the " +
					"listen, cluster and `jetstream` settings. It holds no secret.",
			},
		},
	}
}

// ModifyPlan guards the operator's keys: a plan that destroys or replaces
// it fails while deletion_protection is on, and warns when it is off. It
// also renders server_config at plan time when the JWTs are already in
// state, so an in-place change of the resolver settings shows the exact new
// fragment. At create (and when replacing) the JWTs are unknown and so is
// server_config.
func (r *operatorResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() {
		return
	}
	var state operatorResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if req.Plan.Raw.IsNull() {
		guardOperatorLoss(&state, "destroys", &resp.Diagnostics)
		return
	}
	var plan operatorResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if operatorReplaced(&state, &plan) {
		guardOperatorLoss(&state, "replaces", &resp.Diagnostics)
		return
	}
	if plan.JWT.IsUnknown() || plan.SystemAccountJWT.IsUnknown() || plan.ResolverDir.IsUnknown() ||
		plan.AllowDelete.IsUnknown() || plan.ResolverSyncInterval.IsUnknown() {
		return
	}
	cfg, diags := renderOperatorServerConfig(&plan)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("server_config"), cfg)...)
}

// operatorReplaced says whether the plan makes a new operator: a change of
// anything written into its JWTs (unknown counts as a change).
func operatorReplaced(state, plan *operatorResourceModel) bool {
	for _, v := range [][2]attr.Value{
		{state.Name, plan.Name}, {state.SystemAccountName, plan.SystemAccountName},
		{state.SystemUserName, plan.SystemUserName}, {state.StrictSigningKeys, plan.StrictSigningKeys},
	} {
		if v[1].IsUnknown() || !v[0].Equal(v[1]) {
			return true
		}
	}
	return false
}

// guardOperatorLoss refuses (deletion_protection) or warns about a plan
// that throws away the operator's keys.
func guardOperatorLoss(state *operatorResourceModel, action string, diags *diag.Diagnostics) {
	lost := fmt.Sprintf("This plan %s operator %q (%s). Its seeds exist only in this state and are lost with it; "+
		"servers configured with a new operator stop trusting every account, user and credential the old one signed, "+
		"and the system user's credentials change.", action, state.Name.ValueString(), state.PublicKey.ValueString())
	if state.DeletionProtection.IsNull() || state.DeletionProtection.ValueBool() {
		keep := "to keep the operator, take it out of the destroy (remove -destroy, or put the resource back in the configuration)."
		if action == "replaces" {
			keep = "to keep the operator, undo the change to name, system_account_name, system_user_name or strict_signing_keys."
		}
		diags.AddAttributeError(path.Root("deletion_protection"), "The operator is protected from deletion",
			lost+" deletion_protection is true, so nothing happens. If that is what you want, set deletion_protection = false and apply first; "+keep)
		return
	}
	diags.AddWarning("The operator's keys would be lost", lost)
}

func (r *operatorResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan operatorResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	b, err := accounts.Bootstrap(accounts.BootstrapOptions{
		OperatorName:      plan.Name.ValueString(),
		SystemAccountName: plan.SystemAccountName.ValueString(),
		SystemUserName:    plan.SystemUserName.ValueString(),
		StrictSigningKeys: plan.StrictSigningKeys.ValueBool(),
	})
	if err != nil {
		// The domain's errors never carry a seed.
		resp.Diagnostics.AddError("Cannot create the operator", err.Error())
		return
	}
	plan.ID = types.StringValue(b.Operator.PublicKey)
	plan.PublicKey = types.StringValue(b.Operator.PublicKey)
	plan.Seed = types.StringValue(string(b.Operator.Seed))
	plan.JWT = types.StringValue(b.OperatorJWT)
	plan.SigningKey = types.StringValue(b.OperatorSigningKey.PublicKey)
	plan.SigningSeed = types.StringValue(string(b.OperatorSigningKey.Seed))
	plan.SystemAccount = types.StringValue(b.SystemAccount.PublicKey)
	plan.SystemAccountJWT = types.StringValue(b.SystemAccountJWT)
	plan.SystemAccountSigningKey = types.StringValue(b.SystemAccountSigningKey.PublicKey)
	plan.SystemAccountSigningSeed = types.StringValue(string(b.SystemAccountSigningKey.Seed))
	plan.SystemUserCreds = types.StringValue(string(b.SystemUserCreds))
	cfg, diags := renderOperatorServerConfig(&plan)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	plan.ServerConfig = types.StringValue(cfg)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read keeps the state as it is: the operator lives only in the state, there
// is nothing to compare it with.
func (r *operatorResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

// Update only ever changes resolver settings (everything else replaces the
// resource): render server_config again from the kept JWTs.
func (r *operatorResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan operatorResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, diags := renderOperatorServerConfig(&plan)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	plan.ServerConfig = types.StringValue(cfg)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete forgets the operator, unless it is protected (a state written with
// -refresh=false or an old plan can still get here). Servers configured with
// it keep trusting it until their configuration changes.
func (r *operatorResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var protection types.Bool
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("deletion_protection"), &protection)...)
	refuseProtected(protection, "Operator", "The operator's seeds exist only in the state and deletion_protection = true, so it was kept.", &resp.Diagnostics)
}

// renderOperatorServerConfig is the nats-server fragment for the model's JWTs and
// resolver settings.
func renderOperatorServerConfig(m *operatorResourceModel) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	var interval time.Duration // zero: the server's default
	if !m.ResolverSyncInterval.IsNull() {
		var d diag.Diagnostics
		interval, d = m.ResolverSyncInterval.ValueGoDuration()
		diags.Append(d...)
		if diags.HasError() {
			return "", diags
		}
	}
	cfg, err := accounts.ServerConfig(accounts.ServerConfigOptions{
		OperatorJWT:      m.JWT.ValueString(),
		SystemAccountJWT: m.SystemAccountJWT.ValueString(),
		ResolverDir:      m.ResolverDir.ValueString(),
		AllowDelete:      m.AllowDelete.ValueBool(),
		SyncInterval:     interval,
	})
	switch {
	case err == nil:
		return cfg, diags
	case strings.Contains(err.Error(), "resolver directory"):
		diags.AddAttributeError(path.Root("resolver_dir"), "Cannot render server_config",
			err.Error()+"\n\nSet resolver_dir to a directory path without control characters.")
	default:
		// Only a damaged state gets here: the JWTs were made by Create.
		diags.AddError("Cannot render server_config",
			err.Error()+"\n\nThe operator or system account JWT in the state is not usable. Replace the resource "+
				"(terraform apply -replace) to make a new operator.")
	}
	return "", diags
}
