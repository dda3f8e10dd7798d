package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
)

var (
	_ resource.ResourceWithConfigure    = (*kvBucketResource)(nil)
	_ resource.ResourceWithImportState  = (*kvBucketResource)(nil)
	_ resource.ResourceWithModifyPlan   = (*kvBucketResource)(nil)
	_ resource.ResourceWithUpgradeState = nil
)

type kvBucketResource struct{ client *client }

func newKVBucketResource() resource.Resource { return &kvBucketResource{} }

type kvBucketModel struct {
	ID                 types.String   `tfsdk:"id"`
	Name               types.String   `tfsdk:"name"`
	JetStreamDomain    types.String   `tfsdk:"jetstream_domain"`
	DeletionProtection types.Bool     `tfsdk:"deletion_protection"`
	Credentials        types.String   `tfsdk:"credentials"`
	Conformance        types.Object   `tfsdk:"conformance"`
	ConformanceReport  types.Object   `tfsdk:"conformance_report"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
	bucketSettings
}

func (r *kvBucketResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_kv_bucket"
}

func (r *kvBucketResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *kvBucketResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	emptyMap := types.MapValueMust(types.StringType, map[string]attr.Value{})
	resp.Schema = schema.Schema{
		MarkdownDescription: "A JetStream key-value bucket. Every setting is read back from the server; " +
			"settings JetStream can change are updated in place, a new `name` or `storage` replaces the bucket.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: docBucketID,
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: docBucketName + " Changing it replaces the bucket.",
				Validators:          []validator.String{nameValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: docDescription,
				Validators:          []validator.String{stringvalidator.LengthAtMost(4096)},
			},
			"history": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(1),
				MarkdownDescription: docHistory + " Defaults to `1`.",
				Validators:          []validator.Int64{int64validator.Between(1, 64)},
			},
			"ttl": schema.StringAttribute{
				CustomType: timetypes.GoDurationType{},
				Optional:   true, Computed: true, Default: stringdefault.StaticString("0s"),
				MarkdownDescription: docTTL + " Defaults to `0s`.",
				Validators:          []validator.String{nonNegativeDuration()},
				PlanModifiers:       []planmodifier.String{durationUnchanged()},
			},
			"max_value_size": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(-1),
				MarkdownDescription: docMaxValueSize + " Defaults to `-1`.",
				Validators:          []validator.Int64{int64validator.Between(-1, 1<<31-1), int64validator.NoneOf(0)},
			},
			"max_bytes": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(-1),
				MarkdownDescription: docMaxBytes + " Defaults to `-1`.",
				Validators:          []validator.Int64{int64validator.AtLeast(-1), int64validator.NoneOf(0)},
			},
			"storage": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("file"),
				MarkdownDescription: docStorage + " Defaults to `file`. Changing it replaces the bucket.",
				Validators:          []validator.String{stringvalidator.OneOf("file", "memory")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"replicas": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(1),
				MarkdownDescription: docReplicas + " Defaults to `1`.",
				Validators:          []validator.Int64{int64validator.Between(1, 5)},
			},
			"compression": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: docCompression + " Defaults to `false`.",
			},
			"placement": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: docPlacement,
				Validators:          []validator.Object{notEmptyObject{}},
				Attributes: map[string]schema.Attribute{
					"cluster": schema.StringAttribute{Optional: true, MarkdownDescription: docPlacementCluster},
					"tags": schema.ListAttribute{
						ElementType: types.StringType, Optional: true,
						MarkdownDescription: docPlacementTags,
						Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
					},
				},
			},
			"republish": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: docRePublish,
				Attributes: map[string]schema.Attribute{
					"source": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(">"),
						MarkdownDescription: docRePublishSource + " Defaults to `>`.",
					},
					"destination": schema.StringAttribute{Required: true, MarkdownDescription: docRePublishDestination},
					"headers_only": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(false),
						MarkdownDescription: docRePublishHeadersOnly + " Defaults to `false`.",
					},
				},
			},
			"metadata": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true, Computed: true, Default: mapdefault.StaticValue(emptyMap),
				MarkdownDescription: docMetadata,
			},
			"limit_marker_ttl": schema.StringAttribute{
				CustomType: timetypes.GoDurationType{},
				Optional:   true, Computed: true, Default: stringdefault.StaticString("0s"),
				MarkdownDescription: docLimitMarkerTTL + " Defaults to `0s`.",
				Validators:          []validator.String{nonNegativeDuration()},
				PlanModifiers:       []planmodifier.String{durationUnchanged()},
			},
			"jetstream_domain": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: docDomain + " Changing the domain the bucket is in replaces it; writing out the provider's default does not.",
				Validators:          []validator.String{domainValidator()},
			},
			"deletion_protection": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "When `true`, destroying (or replacing) the bucket fails and nothing is deleted. Defaults to `false`; " +
					"an imported bucket starts with `true`, since it holds data Terraform did not make.",
			},
			"credentials":        credentialsAttribute(),
			"conformance":        bucketConformanceAttribute(),
			"conformance_report": bucketReportAttribute(),
			"stream_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: docStreamName,
			},
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
}

// ModifyPlan plans the effective JetStream domain (replacing the bucket
// only when that changes), derives id and stream_name so that they are known
// at plan time, and warns about changes that delete stored data.
func (r *kvBucketResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || (req.State.Raw.IsNull() && r.planCreate(req, resp)) {
		return
	}
	if r.planUnchanged(req) {
		planRecheck(req, resp)
		return
	}
	domain := r.client.planDomain(ctx, req, resp)
	var setting types.Object
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("conformance"), &setting)...)
	planReport(ctx, setting, &resp.Plan, &resp.Diagnostics)
	var name types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("name"), &name)...)
	if name.IsUnknown() || domain.IsUnknown() || resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), bucketID(domain.ValueString(), name.ValueString()))...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("stream_name"), kv.StreamName(name.ValueString()))...)
	if req.State.Raw.IsNull() {
		return
	}
	var was, now kvBucketModel
	resp.Diagnostics.Append(req.State.Get(ctx, &was)...)
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &now)...)
	if resp.Diagnostics.HasError() {
		return
	}
	wasCfg, d1 := was.toConfig(ctx, name.ValueString())
	nowCfg, d2 := now.toConfig(ctx, name.ValueString())
	if d1.HasError() || d2.HasError() || now.History.IsUnknown() || now.TTL.IsUnknown() || now.MaxBytes.IsUnknown() {
		return // unknown until apply: nothing to compare yet
	}
	warnLosses(&resp.Diagnostics, fmt.Sprintf("bucket %q", name.ValueString()), wasCfg, nowCfg, nil)
	planNoChange(req, resp)
}

func (r *kvBucketResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.save(ctx, req.Plan, &resp.State, opCreate, kv.CreateBucket, &resp.Diagnostics)
}

// save writes the planned bucket to the server (create or update), then
// puts what the server has into state and runs the check.
func (r *kvBucketResource) save(ctx context.Context, planned tfsdk.Plan, state *tfsdk.State, op string,
	write func(context.Context, jetstream.JetStream, kv.Config) (kv.Bucket, error), diags *diag.Diagnostics) {
	if r.saveRaw(ctx, planned, state, op, write, diags) {
		return
	}
	var plan kvBucketModel
	diags.Append(planned.Get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts, op, diags)
	defer cancel()
	cfg, d := plan.toConfig(ctx, plan.Name.ValueString())
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	got, ok, keep := r.writeBucket(ctx, plan.Credentials, plan.JetStreamDomain, op, cfg, write, diags)
	if !ok {
		if keep {
			plan.ConformanceReport = types.ObjectNull(reportAttrTypes)
			diags.Append(state.Set(ctx, &plan)...)
		}
		return
	}
	plan.bucketSettings = settingsFrom(got.Config)
	plan.ConformanceReport = r.check(ctx, &plan, got.Stream, diags)
	diags.Append(state.Set(ctx, &plan)...)
}

// writeBucket writes cfg to the server through write (create or update).
// On failure it adds the diagnostic and reports keep when the server may
// hold the bucket all the same (a create cut off after it was sent): the
// caller then keeps the plan in state, tainted, so the next apply replaces
// it instead of finding a stranger.
func (r *kvBucketResource) writeBucket(ctx context.Context, creds, domain types.String, op string, cfg kv.Config,
	write func(context.Context, jetstream.JetStream, kv.Config) (kv.Bucket, error), diags *diag.Diagnostics) (got kv.Bucket, ok, keep bool) {
	js, err := r.client.jetStream(ctx, creds, domain)
	if err != nil {
		addConnError(diags, err)
		return kv.Bucket{}, false, false
	}
	got, err = write(ctx, js, cfg)
	if err != nil {
		addBucketError(diags, op, cfg.Name, err)
		return kv.Bucket{}, false, op == opCreate && errors.Is(err, kv.ErrMayExist)
	}
	return got, true, false
}

func (r *kvBucketResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	// The raw state names the bucket; the framework's reflection (State.Get)
	// is paid only when the state must change.
	st, _ := rawAttrs(req.State.Raw)
	got, found, gone := r.lookup(ctx, st, &resp.Diagnostics)
	if gone {
		resp.Diagnostics.AddWarning("Bucket deleted outside Terraform",
			fmt.Sprintf("Bucket %q no longer exists on the server; it is removed from state and will be created again on the next apply.",
				rawString(st, "name").ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if !found { // an error, or nothing to refresh against yet: the state stays
		return
	}
	if st != nil && r.stateHolds(st, got) {
		return // resp.State already is the prior state
	}
	var state kvBucketModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.bucketSettings = settingsFrom(got)
	// The domain the bucket was found in, recorded where the state has none
	// (imported, or written before domains were recorded).
	state.JetStreamDomain = r.client.effectiveDomain(state.JetStreamDomain)
	state.ID = types.StringValue(bucketID(state.JetStreamDomain.ValueString(), got.Name))
	if state.DeletionProtection.IsNull() { // after import
		// An adopted bucket holds data Terraform did not make: it starts
		// protected, and the configuration says otherwise if it must.
		state.DeletionProtection = types.BoolValue(true)
		state.Conformance = types.ObjectNull(conformanceAttrTypes) // the default
		state.ConformanceReport = types.ObjectNull(reportAttrTypes)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// lookup reads the bucket the state st names: found, gone from the
// server, or neither (an error in diags, or a provider configuration not
// known yet, with nothing to refresh against).
func (r *kvBucketResource) lookup(ctx context.Context, st map[string]tftypes.Value, diags *diag.Diagnostics) (got kv.Config, found, gone bool) {
	name, creds, domain := rawString(st, "name"), rawString(st, "credentials"), rawString(st, "jetstream_domain")
	js, ok := r.client.refreshJetStream(ctx, creds, domain, diags)
	if !ok {
		return got, false, false
	}
	got, err := kv.GetListed(ctx, js, r.listing(ctx, creds, domain, js), name.ValueString())
	if errors.Is(err, kv.ErrNotFound) {
		return got, false, true
	}
	if err != nil {
		addBucketError(diags, "read", name.ValueString(), err)
		return got, false, false
	}
	return got, true, false
}

func (r *kvBucketResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.save(ctx, req.Plan, &resp.State, opUpdate, kv.UpdateBucket, &resp.Diagnostics)
}

func (r *kvBucketResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	// Read from the raw state: destroy deletes every bucket, and the
	// framework's reflection would cost more than the delete.
	st, _ := rawAttrs(req.State.Raw)
	var cancel context.CancelFunc
	if rawIsNull(st, "timeouts") {
		ctx, cancel = context.WithTimeout(ctx, defaultDeleteTimeout)
	} else {
		var t timeouts.Value
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("timeouts"), &t)...)
		ctx, cancel = operationContext(ctx, t, opDelete, &resp.Diagnostics)
	}
	defer cancel()
	r.deleteBucket(ctx, st, &resp.Diagnostics)
}

// deleteBucket deletes the bucket the state st names, unless it is
// protected.
func (r *kvBucketResource) deleteBucket(ctx context.Context, st map[string]tftypes.Value, diags *diag.Diagnostics) {
	name, creds, domain := rawString(st, "name"), rawString(st, "credentials"), rawString(st, "jetstream_domain")
	protection := types.BoolValue(rawBoolIs(st, "deletion_protection", true))
	if refuseProtected(protection, "Bucket", fmt.Sprintf("Bucket %q has deletion_protection = true, so it was not deleted.", name.ValueString()), diags) {
		return
	}
	js, err := r.client.jetStream(ctx, creds, domain)
	if err != nil {
		addConnError(diags, err)
		return
	}
	if err := kv.Delete(ctx, js, name.ValueString()); err != nil && !errors.Is(err, kv.ErrNotFound) {
		addBucketError(diags, "delete", name.ValueString(), err)
	}
}

// listing is the stream listing the pool holds for the bucket's identity
// and domain, loaded by the first refresh that needs it: one paged
// STREAM.LIST serves the refresh of every bucket, in place of one
// STREAM.INFO each. Nil when it cannot be had; Read then asks for the
// bucket alone.
func (r *kvBucketResource) listing(ctx context.Context, creds, domain types.String, js jetstream.JetStream) natsconn.Listing {
	conn, err := r.client.conn(ctx, creds)
	if err != nil {
		return nil
	}
	// Scoped to the provider configuration, which Terraform makes afresh for
	// every command: a plan never sees a listing from before it began.
	l, err := conn.StreamListing(ctx, r.client, r.client.domainFor(domain), func(ctx context.Context) (natsconn.Listing, error) {
		return kv.List(ctx, js)
	})
	if err != nil {
		tflog.Debug(ctx, "no stream listing: reading the bucket alone", map[string]any{"error": err.Error()})
		return nil
	}
	return l
}

// check runs the KINE check for the bucket. A plain bucket holds
// application data, so KINE never runs against it: mode advise compares
// stream (the config the server returned) with the bucket KINE makes; the
// live modes run KINE against a temporary twin with the same settings.
func (r *kvBucketResource) check(ctx context.Context, m *kvBucketModel, stream jetstream.StreamConfig, diags *diag.Diagnostics) types.Object {
	name := m.Name.ValueString()
	setting := m.Conformance
	if setting.IsNull() { // unset: the default, kept out of state
		setting = defaultConformance(modeAdvise)
	}
	advise := conformanceMode(ctx, setting) == modeAdvise
	return runConformanceAs(ctx, setting, fmt.Sprintf("bucket %q", name), func(ctx context.Context, opts conformance.Options) *conformance.Report {
		if domain := r.client.domainFor(m.JetStreamDomain); domain != "" {
			return conformance.Skipped(opts, "target", fmt.Sprintf("the bucket is in JetStream domain %q and KINE has no domain option: "+
				"it must connect to servers of that domain directly, so the check was not run from here", domain))
		}
		id := r.client.identityFor(m.Credentials)
		t, err := identityTarget(id)
		if advise {
			if err != nil { // the advice stands; its endpoint names no credentials
				t.Endpoint = k3s.Endpoint{Servers: r.client.endpointServers(), NoEmbed: true}
			}
			rep := conformance.Advise(name, stream, t.Endpoint)
			tflog.Debug(ctx, "KINE advice", map[string]any{"bucket": name, "summary": rep.Summary()})
			return rep
		}
		if err != nil {
			return conformance.Failed(opts, "target", err)
		}
		conn, err := r.client.conn(ctx, m.Credentials)
		if err != nil {
			return conformance.Failed(opts, "connect", err)
		}
		js, err := conn.JetStream("")
		if err != nil {
			return conformance.Failed(opts, "connect", err)
		}
		return conformance.RunTwin(ctx, conn.NC, js, name, t, opts)
	}, true, diags)
}

// ImportState takes "<name>" or "<domain>/<name>".
func (r *kvBucketResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	domain, name, err := parseBucketID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	if domain != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("jetstream_domain"), domain)...)
	}
}

// bucketID is the resource ID: the name, prefixed by the domain when the
// resource sets one. It is also the import ID.
func bucketID(domain, name string) string {
	if domain == "" {
		return name
	}
	return domain + "/" + name
}

func parseBucketID(id string) (domain, name string, err error) {
	name = id
	if i := strings.IndexByte(id, '/'); i >= 0 {
		domain, name = id[:i], id[i+1:]
		if !namePattern.MatchString(domain) {
			return "", "", fmt.Errorf("%q: the JetStream domain %q is not valid; use <bucket> or <domain>/<bucket>", id, domain)
		}
	}
	if !namePattern.MatchString(name) {
		return "", "", fmt.Errorf("%q: the bucket name %q is not valid (letters, digits, '-' and '_'); use <bucket> or <domain>/<bucket>", id, name)
	}
	return domain, name, nil
}

// addConnError reports a connection failure; the error names servers and the
// kind of credential, never the secret.
func addConnError(diags *diag.Diagnostics, err error) {
	diags.AddError("Cannot connect to NATS",
		err.Error()+"\n\nCheck the provider's servers and credentials (or the resource's credentials override), and that the servers are reachable.")
}

// addBucketError shows the server's own words, on the attribute they concern
// when that is clear.
func addBucketError(diags *diag.Diagnostics, action, name string, err error) {
	summary := fmt.Sprintf("Cannot %s bucket %q", action, name)
	msg := err.Error()
	var apiErr *jetstream.APIError
	code := jetstream.ErrorCode(0)
	if errors.As(err, &apiErr) {
		code = apiErr.ErrorCode
	}
	switch {
	case errors.Is(err, kv.ErrExists):
		diags.AddAttributeError(path.Root("name"), summary, msg+"\n\nTo manage the existing bucket, import it: "+
			"terraform import <address> <name> (or <domain>/<name>). Otherwise choose another name.")
	case code == jsErrReplicasNotSupported || code == jsErrInsufficientResources:
		diags.AddAttributeError(path.Root("replicas"), summary, msg+"\n\nReplicas above 1 need a JetStream cluster with at least that many servers, and room on them.")
	case code == jsErrNoSuitablePeers:
		diags.AddError(summary, msg+"\n\nNo servers match: check replicas against the cluster's size, and placement (cluster name and tags) where set.")
	case errors.Is(err, context.DeadlineExceeded):
		diags.AddError(summary, msg+"\n\nNo reply came. A server drops a request the identity may not make, so this is often a missing permission "+
			"(a least-privilege KINE user, for one, may not delete or change its bucket): use credentials allowed to do this, or check that the servers are up.")
	case code == jsErrNotEnabledForAccount || errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrJetStreamNotEnabled):
		diags.AddError(summary, msg+"\n\nJetStream is not available to this account on this server (or in this JetStream domain): enable it for the account, or check jetstream_domain.")
	default:
		diags.AddError(summary, msg)
	}
}

// JetStream error codes the diagnostics recognise.
const (
	jsErrReplicasNotSupported  jetstream.ErrorCode = 10074
	jsErrInsufficientResources jetstream.ErrorCode = 10023
	jsErrNoSuitablePeers       jetstream.ErrorCode = 10005
	jsErrNotEnabledForAccount  jetstream.ErrorCode = 10039
)
