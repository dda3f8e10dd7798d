package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

var (
	_ resource.ResourceWithConfigure        = (*accountResource)(nil)
	_ resource.ResourceWithImportState      = (*accountResource)(nil)
	_ resource.ResourceWithConfigValidators = (*accountResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*accountResource)(nil)
)

type accountResource struct{ client *client }

func newAccountResource() resource.Resource { return &accountResource{} }

type accountModel struct {
	ID                      types.String                    `tfsdk:"id"`
	Name                    types.String                    `tfsdk:"name"`
	Description             types.String                    `tfsdk:"description"`
	JetStream               *jetStreamLimitsModel           `tfsdk:"jetstream"`
	JetStreamTiers          map[string]jetStreamLimitsModel `tfsdk:"jetstream_tiers"`
	Limits                  *accountLimitsModel             `tfsdk:"limits"`
	DisallowBearer          types.Bool                      `tfsdk:"disallow_bearer"`
	RevokedUserKeys         types.Set                       `tfsdk:"revoked_user_keys"`
	Exports                 []exportModel                   `tfsdk:"exports"`
	Imports                 []importModel                   `tfsdk:"imports"`
	PurgeJetStreamOnDestroy types.Bool                      `tfsdk:"purge_jetstream_on_destroy"`
	PurgeK3sDatastores      types.Bool                      `tfsdk:"purge_k3s_datastores"`
	Timeouts                timeouts.Value                  `tfsdk:"timeouts"`
	Conformance             types.Object                    `tfsdk:"conformance"`
	ConformanceReport       types.Object                    `tfsdk:"conformance_report"`
	PublicKey               types.String                    `tfsdk:"public_key"`
	SigningKey              types.String                    `tfsdk:"signing_key"`
	SigningSeed             types.String                    `tfsdk:"signing_seed"`
	JWT                     types.String                    `tfsdk:"jwt"`
}

func (r *accountResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_account"
}

func (r *accountResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *accountResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.Conflicting(path.MatchRoot("jetstream"), path.MatchRoot("jetstream_tiers")),
	}
}

func jetStreamLimitsAttributes() map[string]schema.Attribute {
	limit := func(desc string, min int64) schema.Int64Attribute {
		return schema.Int64Attribute{Optional: true, MarkdownDescription: desc + " Unset means unlimited.",
			Validators: []validator.Int64{int64validator.AtLeast(min)}}
	}
	return map[string]schema.Attribute{
		"memory_storage":          limit("Bytes of memory storage; `0` allows none.", 0),
		"disk_storage":            limit("Bytes of file storage; `0` allows none.", 0),
		"streams":                 limit("Number of streams (and so buckets).", 1),
		"consumers":               limit("Number of consumers.", 1),
		"memory_max_stream_bytes": limit("Largest memory stream, in bytes.", 1),
		"disk_max_stream_bytes":   limit("Largest file stream, in bytes.", 1),
		"max_bytes_required": schema.BoolAttribute{Optional: true,
			MarkdownDescription: "Require every stream to declare `max_bytes`."},
	}
}

func (r *accountResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
	}
	subject := []validator.String{stringvalidator.RegexMatches(subjectPattern, "must be a NATS subject: tokens separated by dots, no spaces")}
	kind := []validator.String{stringvalidator.OneOf(string(accounts.KindStream), string(accounts.KindService))}
	limit := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Optional: true, MarkdownDescription: desc + " Unset means unlimited.",
			Validators: []validator.Int64{int64validator.AtLeast(0)}}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An account in an operator-mode NATS system, signed with the provider's operator signing key and pushed to every " +
			"server's account resolver. Each k3s cluster gets its own account, isolated from the others. Needs the provider's `operator` block " +
			"and servers with the full (directory) resolver. A server that is down while the account is deleted can bring it back when it returns " +
			"(it syncs its own store); deleting an account leaves its JetStream data on disk unless `purge_jetstream_on_destroy` is set.\n\n" +
			"Import by the account public key. The account signing seed cannot be recovered from a server: after an import `signing_seed` is null; " +
			"users (`nats_user`) need a signing key, so add one by pushing a JWT with a new signing key, or re-create the account.",
		Attributes: map[string]schema.Attribute{
			"id": computed("The account public key."),
			"name": schema.StringAttribute{
				Required: true, MarkdownDescription: "Account name.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 256)},
			},
			"description": schema.StringAttribute{Optional: true, MarkdownDescription: "Description in the account JWT."},
			"jetstream": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "JetStream limits for the whole account. Set this or `jetstream_tiers`, not both; with neither, the account has no JetStream.",
				Attributes:          jetStreamLimitsAttributes(),
			},
			"jetstream_tiers": schema.MapNestedAttribute{
				Optional:            true,
				MarkdownDescription: "JetStream limits per replica count, keyed `R1` to `R5`. Set this or `jetstream`, not both.",
				NestedObject:        schema.NestedAttributeObject{Attributes: jetStreamLimitsAttributes()},
				Validators:          []validator.Map{mapKeysAreTiers()},
			},
			"limits": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Connection and message limits.",
				Attributes: map[string]schema.Attribute{
					"connections":           limit("Client connections."),
					"leaf_node_connections": limit("Leaf node connections."),
					"subscriptions":         limit("Subscriptions."),
					"data":                  limit("Bytes of messages in flight."),
					"payload":               limit("Largest message, in bytes."),
				},
			},
			"disallow_bearer": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Refuse bearer-token users (user JWTs without a key signature). Defaults to `true`.",
			},
			"revoked_user_keys": schema.SetAttribute{
				ElementType: types.StringType, Optional: true,
				MarkdownDescription: "User public keys whose JWTs the servers reject, whenever they were issued.",
				Validators:          []validator.Set{setValuesAreUserKeys()},
			},
			"exports": schema.SetNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Subjects other accounts may import, such as `$JS.API.>` for a hub account that manages JetStream here.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":           schema.StringAttribute{Optional: true, MarkdownDescription: "Name of the export."},
					"subject":        schema.StringAttribute{Required: true, MarkdownDescription: "Subject exported.", Validators: subject},
					"type":           schema.StringAttribute{Required: true, MarkdownDescription: "`stream` or `service`.", Validators: kind},
					"token_required": schema.BoolAttribute{Optional: true, MarkdownDescription: "Importers need an activation token."},
				}},
			},
			"imports": schema.SetNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Subjects imported from other accounts.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":          schema.StringAttribute{Optional: true, MarkdownDescription: "Name of the import."},
					"subject":       schema.StringAttribute{Required: true, MarkdownDescription: "Subject in the exporting account.", Validators: subject},
					"account":       schema.StringAttribute{Required: true, MarkdownDescription: "Public key of the exporting account.", Validators: []validator.String{accountKeyValidator()}},
					"type":          schema.StringAttribute{Required: true, MarkdownDescription: "`stream` or `service`.", Validators: kind},
					"local_subject": schema.StringAttribute{Optional: true, MarkdownDescription: "Subject the import appears under in this account.", Validators: subject},
				}},
			},
			"purge_jetstream_on_destroy": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Delete every stream (and bucket) of the account before deleting it, so no JetStream data stays on the servers. " +
					"If the account holds a k3s datastore (a bucket KINE made or `nats_k3s_datastore` manages), the destroy stops, naming it, " +
					"and nothing is purged or deleted, unless `purge_k3s_datastores` is also true. Defaults to `false`.",
			},
			"purge_k3s_datastores": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "With `purge_jetstream_on_destroy`, also delete buckets that hold k3s cluster state: every Kubernetes object of " +
					"those clusters is lost. The servers cannot tell which datastores `deletion_protection` guards, so without this the purge " +
					"treats every datastore as protected. Defaults to `false`.",
			},
			"conformance":        conformanceAttribute(modeReport),
			"conformance_report": reportAttribute(),
			"public_key":         computed("The account public key (its identity). The identity seed is not kept after creation."),
			"signing_key":        computed("Public signing key of the account, for users."),
			"signing_seed": schema.StringAttribute{
				Computed: true, Sensitive: true,
				MarkdownDescription: "Seed of the account signing key, to sign users (`nats_user`). Null after an import.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"jwt": schema.StringAttribute{Computed: true, MarkdownDescription: "The account JWT as pushed to the servers."},
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
}

func (r *accountResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan accountModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts, opCreate, &resp.Diagnostics)
	defer cancel()
	res, signer, err := r.client.resolver(ctx)
	if err != nil {
		addOperatorError(&resp.Diagnostics, err)
		return
	}
	identity, err1 := accounts.NewKey(accounts.KeyAccount)
	signing, err2 := accounts.NewKey(accounts.KeyAccount)
	if err := errors.Join(err1, err2); err != nil {
		resp.Diagnostics.AddError("Cannot generate account keys", err.Error())
		return
	}
	plan.PublicKey, plan.ID = types.StringValue(identity.PublicKey), types.StringValue(identity.PublicKey)
	plan.SigningKey = types.StringValue(signing.PublicKey)
	plan.SigningSeed = types.StringValue(string(signing.Seed))
	token, _, err := signer.EncodeAccount(plan.toAccount(ctx, &resp.Diagnostics), "")
	if err != nil {
		addAccountError(&resp.Diagnostics, "encode", plan.Name.ValueString(), err)
		return
	}
	plan.JWT = types.StringValue(token)
	if _, err := res.Push(ctx, token); err != nil {
		addAccountError(&resp.Diagnostics, "push", plan.Name.ValueString(), err)
		// Unless the push provably reached no server (or none that keeps
		// accounts), some may hold the account now: keep its keys in state
		// (tainted) rather than orphan an account whose signing seed
		// nobody has.
		if !errors.Is(err, accounts.ErrNotSent) && !errors.Is(err, accounts.ErrMemoryResolver) {
			plan.ConformanceReport = types.ObjectNull(reportAttrTypes)
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		}
		return
	}
	plan.ConformanceReport = r.check(ctx, &plan, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *accountResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state accountModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	res, _, err := r.client.resolver(ctx)
	if errors.Is(err, errConfigUnknown) {
		return
	}
	if err != nil {
		addOperatorError(&resp.Diagnostics, err)
		return
	}
	got, err := res.Lookup(ctx, state.PublicKey.ValueString())
	if err != nil {
		addAccountError(&resp.Diagnostics, "look up", state.Name.ValueString(), err)
		return
	}
	if state.JWT.IsNull() { // after import: the defaults, and everything else from the servers
		state.PurgeJetStreamOnDestroy = types.BoolValue(false)
		state.PurgeK3sDatastores = types.BoolValue(false)
		state.Conformance = defaultConformance(modeReport)
		state.ConformanceReport = types.ObjectNull(reportAttrTypes)
	}
	switch got.State(state.JWT.ValueString()) {
	case accounts.LookupAbsent:
		resp.Diagnostics.AddWarning("Account deleted outside Terraform",
			fmt.Sprintf("No server stores account %s (%s) any more; it is removed from state and will be created again, with new keys, on the next apply.",
				state.Name.ValueString(), state.PublicKey.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	case accounts.LookupMatch:
	case accounts.LookupDifferent:
		token, _ := got.JWT()
		a, err := accounts.AccountFromJWT(token)
		if err != nil {
			addAccountError(&resp.Diagnostics, "decode the servers' JWT of", state.Name.ValueString(), err)
			return
		}
		same, err := jwtSame(state.JWT.ValueString(), token)
		if err != nil {
			resp.Diagnostics.AddWarning(fmt.Sprintf("Cannot compare account %s with the servers' copy", state.Name.ValueString()),
				fmt.Sprintf("%v. The servers' claims are taken as they are; the plan shows how they differ from the configuration.", err))
		}
		if !same {
			state.fromAccount(a, token)
		}
	default:
		// Say so, and plan a push: an empty jwt in state makes the plan an
		// update (ModifyPlan), and Update pushes whatever the claims.
		resp.Diagnostics.AddWarning(fmt.Sprintf("Servers disagree about account %s", state.Name.ValueString()),
			describeLookup(got)+"\n\nA server may have been down during a change. The next apply pushes the configured account to every server.")
		state.JWT = types.StringValue("")
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// jwtSame says whether two account JWTs carry the same claims.
func jwtSame(a, b string) (bool, error) {
	if a == b {
		return true, nil
	}
	ca, err := accounts.AccountFromJWT(a)
	if err != nil {
		return false, err
	}
	cb, err := accounts.AccountFromJWT(b)
	if err != nil {
		return false, err
	}
	x, err1 := accounts.AccountClaims(ca)
	y, err2 := accounts.AccountClaims(cb)
	if err := errors.Join(err1, err2); err != nil {
		return false, err
	}
	return accounts.EqualClaims(x, y)
}

func (r *accountResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state accountModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts, opUpdate, &resp.Diagnostics)
	defer cancel()
	res, signer, err := r.client.resolver(ctx)
	if err != nil {
		addOperatorError(&resp.Diagnostics, err)
		return
	}
	token, changed, err := signer.EncodeAccount(plan.toAccount(ctx, &resp.Diagnostics), state.JWT.ValueString())
	if err != nil {
		addAccountError(&resp.Diagnostics, "encode", plan.Name.ValueString(), err)
		return
	}
	if changed || state.JWT.ValueString() == "" {
		if _, err := res.Push(ctx, token); err != nil {
			addAccountError(&resp.Diagnostics, "push", plan.Name.ValueString(), err)
			return
		}
	}
	plan.JWT = types.StringValue(token)
	plan.ConformanceReport = r.check(ctx, &plan, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *accountResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state accountModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, state.Timeouts, opDelete, &resp.Diagnostics)
	defer cancel()
	res, signer, err := r.client.resolver(ctx)
	if err != nil {
		addOperatorError(&resp.Diagnostics, err)
		return
	}
	if state.PurgeJetStreamOnDestroy.ValueBool() && !r.purge(ctx, &state, &resp.Diagnostics) {
		return // nothing deleted: the account stays, and so does its data
	}
	if _, err := res.Delete(ctx, signer, state.PublicKey.ValueString()); err != nil {
		addAccountError(&resp.Diagnostics, "delete", state.Name.ValueString(), err)
	}
}

// purge deletes every stream of the account, as a user minted for it and
// connected through the pool. A bucket holding k3s state stops it, unless
// purge_k3s_datastores says otherwise: nothing on the server tells which
// of them Terraform protects. It reports whether the account may go.
func (r *accountResource) purge(ctx context.Context, state *accountModel, diags *diag.Diagnostics) bool {
	name := state.Name.ValueString()
	if state.SigningSeed.ValueString() == "" {
		diags.AddAttributeError(path.Root("purge_jetstream_on_destroy"), "Cannot purge the account's JetStream data",
			"The account signing seed is not known (the account was imported), so no user can be minted to delete its streams. "+
				"Set purge_jetstream_on_destroy = false and delete the streams another way.")
		return false
	}
	if r.client.unknown {
		addConnError(diags, errConfigUnknown)
		return false
	}
	base, err := r.client.identity.Resolved()
	if err != nil {
		addConnError(diags, err)
		return false
	}
	user, err := accounts.PurgeUser(state.PublicKey.ValueString(), []byte(state.SigningSeed.ValueString()), r.client.domain, inboxPrefixOf(r.client))
	if err != nil {
		addAccountError(diags, "purge the streams of", name, err)
		return false
	}
	id := base.WithCreds(string(user.Creds))
	conn, err := r.client.pool.Get(ctx, id)
	if err != nil {
		addConnError(diags, err)
		return false
	}
	defer r.client.pool.Drop(id) // a throwaway identity: do not keep its connection
	js, err := conn.JetStream(r.client.domain)
	if err != nil {
		addConnError(diags, err)
		return false
	}
	if !state.PurgeK3sDatastores.ValueBool() {
		found, err := k3s.Datastores(ctx, js)
		if err != nil && !errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) && !errors.Is(err, jetstream.ErrJetStreamNotEnabled) {
			addAccountError(diags, "look for k3s datastores in", name, err)
			return false
		}
		if len(found) > 0 {
			diags.AddAttributeError(path.Root("purge_jetstream_on_destroy"), fmt.Sprintf("Account %q holds k3s cluster state", name),
				fmt.Sprintf("The purge would delete the k3s datastore bucket(s) %s, so nothing was purged or deleted. "+
					"The provider cannot tell from the servers which datastores deletion_protection guards, so it guards them all. "+
					"Move or destroy those datastores first (nats_k3s_datastore with deletion_protection = false), "+
					"or, to delete that cluster state with the account, set purge_k3s_datastores = true and apply before destroying.",
					strings.Join(quoteAll(found), ", ")))
			return false
		}
	}
	if _, err := accounts.PurgeStreams(ctx, js); err != nil {
		addAccountError(diags, "purge the streams of", name, err)
		return false
	}
	return true
}

// ModifyPlan plans no report when the check is off, and a push when Read
// found the servers out of step (an empty jwt in state): the new jwt is
// unknown until applied.
func (r *accountResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var setting types.Object
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("conformance"), &setting)...)
	planReport(ctx, setting, &resp.Plan, &resp.Diagnostics)
	if req.State.Raw.IsNull() {
		return
	}
	planNoChange(req, resp)
	var jwt types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("jwt"), &jwt)...)
	if !jwt.IsNull() && jwt.ValueString() == "" {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("jwt"), types.StringUnknown())...)
	}
}

// ImportState takes the account public key.
func (r *accountResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !nkeys.IsValidPublicAccountKey(req.ID) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("%q is not an account public key (56 characters starting with A).", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("public_key"), req.ID)...)
}

// check proves the account can host a k3s datastore: a user of the new
// account, minted for minutes, runs KINE in a scratch bucket that is deleted
// afterwards.
func (r *accountResource) check(ctx context.Context, m *accountModel, diags *diag.Diagnostics) types.Object {
	return runConformance(ctx, m.Conformance, fmt.Sprintf("account %q", m.Name.ValueString()), func(ctx context.Context, opts conformance.Options) *conformance.Report {
		if m.SigningSeed.ValueString() == "" {
			return conformance.Skipped(opts, "target", "the account signing seed is not known (imported account), so no user can be minted for the check")
		}
		user, err := accounts.IssueUser(accounts.User{
			Name: "conformance-check", Account: m.PublicKey.ValueString(), Expires: time.Now().Add(10 * time.Minute),
		}, []byte(m.SigningSeed.ValueString()), nil)
		if err != nil {
			return conformance.Failed(opts, "target", err)
		}
		creds := types.StringValue(string(user.Creds))
		conn, err := r.client.conn(ctx, creds)
		if err != nil {
			return conformance.Failed(opts, "connect", err)
		}
		defer r.client.pool.Drop(r.client.identityFor(creds))
		js, err := conn.JetStream("")
		if err != nil {
			return conformance.Failed(opts, "connect", err)
		}
		// Servers enable JetStream for a just-pushed account a moment after
		// acknowledging the push.
		waitCtx, cancel := context.WithTimeout(ctx, jetStreamEnableWait)
		for _, err := js.AccountInfo(waitCtx); err != nil && waitCtx.Err() == nil; _, err = js.AccountInfo(waitCtx) {
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
		scratch := fmt.Sprintf("conformance_%d", time.Now().UnixNano())
		t := conformance.Target{
			Endpoint: k3s.Endpoint{Servers: r.client.endpointServers(), Bucket: scratch, NoEmbed: true, CredsFile: "account.creds"},
			Creds:    user.Creds,
			Scratch:  true,
		}
		rep := conformance.Run(ctx, conn.NC, t, opts)
		delCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), scratchDeleteWait)
		defer cancel()
		if err := k3s.DeleteBucket(delCtx, js, scratch); err != nil && !errors.Is(err, k3s.ErrNoBucket) {
			diags.AddWarning(fmt.Sprintf("The check's scratch bucket in account %q is left behind", m.Name.ValueString()),
				fmt.Sprintf("Bucket %q, which the KINE check made in the account, could not be deleted: %v. Delete it with the nats CLI (nats kv del %s).", scratch, err, scratch))
		}
		return rep
	}, diags)
}

// Waits of the account check, each also cut by the operation's time limit.
const (
	// jetStreamEnableWait: servers enable JetStream for a just-pushed
	// account a moment after acknowledging the push.
	jetStreamEnableWait = 15 * time.Second
	scratchDeleteWait   = 10 * time.Second
)

func addOperatorError(diags *diag.Diagnostics, err error) {
	if errors.Is(err, errNoOperator) {
		diags.AddError("No operator configured", err.Error())
		return
	}
	diags.AddError("Cannot reach the account resolver", err.Error()+
		"\n\nCheck the provider's operator block (jwt, signing_seed, system_user_creds) and that the servers run in operator mode.")
}

func addAccountError(diags *diag.Diagnostics, action, name string, err error) {
	summary := fmt.Sprintf("Cannot %s account %q", action, name)
	switch {
	case errors.Is(err, accounts.ErrTieredAndUntiered):
		diags.AddAttributeError(path.Root("jetstream_tiers"), summary, err.Error())
	case errors.Is(err, accounts.ErrDeleteNotAllowed):
		diags.AddError(summary, err.Error()+"\n\nThe servers' resolver must have allow_delete: true for accounts to be deleted.")
	case errors.Is(err, accounts.ErrMemoryResolver):
		diags.AddError(summary, err.Error()+"\n\nAccount resources need the full (directory) resolver: resolver { type: full, dir: ..., allow_delete: true }.")
	case errors.Is(err, accounts.ErrUntrustedIssuer), errors.Is(err, accounts.ErrStrictSigningKey):
		diags.AddError(summary, err.Error()+"\n\nThe provider's operator.signing_seed must be a signing key of operator.jwt.")
	default:
		diags.AddError(summary, err.Error())
	}
}

func describeLookup(l *accounts.LookupResult) string {
	var b strings.Builder
	for _, s := range l.Servers {
		fmt.Fprintf(&b, "%s: stored=%t\n", s.Server.Name, s.Stored)
	}
	fmt.Fprintf(&b, "%d different JWTs are stored.", len(l.Versions))
	return b.String()
}
