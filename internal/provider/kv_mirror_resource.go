package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/mirror"
)

var (
	_ resource.ResourceWithConfigure   = (*kvMirrorResource)(nil)
	_ resource.ResourceWithImportState = (*kvMirrorResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*kvMirrorResource)(nil)
)

type kvMirrorResource struct{ client *client }

func newKVMirrorResource() resource.Resource { return &kvMirrorResource{} }

func (r *kvMirrorResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_kv_mirror"
}

func (r *kvMirrorResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *kvMirrorResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	flag := func(def bool, desc string) schema.BoolAttribute {
		return schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(def), MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A mirror of a k3s datastore bucket in another JetStream domain (another region), another account, or under another name, " +
			"ready to be promoted into the bucket KINE needs when the original is lost. The mirror keeps every revision, copies the source's history and " +
			"description, and is made so that once promoted it is exactly the bucket KINE creates. Its `conformance` check proves, before you need it, " +
			"that KINE would accept it, that it has caught up, and that its keys and revisions read with KINE's own code are the source's.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: docBucketID},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: docBucketName + " May equal the source's name when the mirror is in another domain or account (the usual shape across regions); " +
					"in the source's own domain it must differ. Changing it replaces the mirror.",
				Validators:    []validator.String{nameValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"source": schema.SingleNestedAttribute{
				Required: true,
				MarkdownDescription: "The bucket to mirror: a k3s datastore bucket (exactly KINE's settings). Changing it replaces a mirror that is not promoted; " +
					"after promotion it only names the former source, which refreshes watch for split brain and `seal_source` seals.",
				Attributes: sourceAttributes(),
			},
			"jetstream_domain": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: docDomain + " Changing the domain the mirror is in replaces it; writing out the provider's default does not.",
				Validators:          []validator.String{domainValidator()},
			},
			"replicas": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(1),
				MarkdownDescription: "Replicas of the mirror, and of the bucket once promoted (the endpoint's `replicas` then), 1 to 5; changes in place. Defaults to `1`.",
				Validators:          []validator.Int64{int64validator.Between(k3s.MinReplicas, k3s.MaxReplicas)},
			},
			"placement": placementAttribute("Where the mirror is placed, until it is promoted; changes in place. A promoted bucket stays on its servers " +
				"but carries no placement, since KINE refuses a bucket with one: after promotion this setting has no effect."),
			"credentials": credentialsAttribute(),
			"deletion_protection": flag(true, "When `true`, destroying the mirror (or the bucket it was promoted into, which may then hold a live cluster's only copy) "+
				"fails and nothing is deleted. Defaults to `true`."),
			"promote": flag(false, "Promote the mirror into a bucket of its own, keeping every revision: KINE accepts it with the endpoint "+
				"`nats_k3s_datastore` gives for this bucket, `replicas` and `rev_history = history`. Works while the source's region is down (that is when it is needed). "+
				"While the source answers, the mirror must first catch up: `seal_source` seals the source first (a planned switchover), and a mirror still behind is "+
				"refused unless `allow_lagging_promotion`. One way: setting it back to `false` replaces the bucket, which `deletion_protection` blocks. "+
				"A promotion done outside Terraform shows as `true`. Defaults to `false`."),
			"allow_lagging_promotion": flag(false, "Promote although the mirror is behind a source that answers; the writes it misses are lost to the promoted bucket. Defaults to `false`."),
			"allow_source_disruption": flag(false, "Allow a mirror in the source's own account and JetStream domain. The server then makes the mirror answer the "+
				"source's direct gets, and since the mirror keeps its keys under its own name it answers them with \"not found\": KINE on the source loses keys "+
				"until the mirror is promoted or deleted. Use it only while the source's k3s is stopped (a migration to a new bucket). Defaults to `false`."),
			"seal_source": flag(true, "Seal the source (read-only, for good) when the mirror is promoted: before the promotion while the source answers, so the "+
				"mirror takes its last write and nothing more can be written there; after a promotion that could not reach it (its region was down), at the "+
				"first apply that reaches it again. Until then every refresh that reaches the unsealed former source warns of split brain. Defaults to `true`."),
			"wait_for_sync":      flag(true, "Wait on create, within the create timeout, until the mirror has caught up with its source. Defaults to `true`."),
			"conformance":        conformanceAttribute(modeEnforce),
			"conformance_report": reportAttribute(),
			"history": schema.Int64Attribute{
				Computed: true, PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
				MarkdownDescription: "History of the mirror, copied from the source: the endpoint's `rev_history` once promoted.",
			},
			"source_reachable": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the source answered at the last refresh or apply.",
			},
			"source_sealed": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the source is sealed, as last seen while it answered.",
			},
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
}

// ModifyPlan fills the ID, replaces the mirror where the server cannot
// change it in place, warns before a promotion is undone, plans the seal of
// a former source that answers again, and refuses at plan time a source
// that can never become a KINE bucket.
func (r *kvMirrorResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return
	}
	r.client.planDomain(ctx, req, resp)
	var setting types.Object
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("conformance"), &setting)...)
	planReport(ctx, setting, &resp.Plan, &resp.Diagnostics)
	var plan kvMirrorModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || r.client.unknown || plan.Name.IsUnknown() || plan.JetStreamDomain.IsUnknown() || plan.Source == nil {
		return
	}
	plan.ID = types.StringValue(bucketID(plan.JetStreamDomain.ValueString(), plan.Name.ValueString()))
	spec, diags := plan.spec(ctx, r.client)
	resp.Diagnostics.Append(diags...)
	// Computed attributes are unknown at plan time; the settings are known
	// once the configuration is.
	known := req.Config.Raw.IsFullyKnown()
	if err := spec.Validate(); err != nil && known {
		addMirrorError(&resp.Diagnostics, "plan", spec, err)
		return
	}
	if req.State.Raw.IsNull() {
		if known {
			r.planCreate(ctx, &plan, spec, &resp.Diagnostics)
		}
	} else {
		var state kvMirrorModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		old, _ := state.spec(ctx, r.client)
		if !state.Promote.ValueBool() && plan.Source.Bucket.ValueString() != "" && effectiveSource(old) != effectiveSource(spec) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("source"))
		}
		if state.Promote.ValueBool() && !plan.Promote.IsUnknown() && !plan.Promote.ValueBool() {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("promote"))
			resp.Diagnostics.AddAttributeWarning(path.Root("promote"), "Promotion cannot be undone",
				fmt.Sprintf("Bucket %q was promoted: it is no longer a mirror and may hold a live k3s cluster's only copy. Setting promote = false plans to delete it "+
					"and make a new, empty mirror of %s. deletion_protection (default true) refuses that delete. To fail back, mirror the promoted bucket "+
					"into the other region instead (see the disaster recovery guide).", spec.Name, spec.Source))
		}
		// A former source that answers again unsealed is sealed now.
		if plan.Promote.ValueBool() && state.Promote.ValueBool() && plan.SealSource.ValueBool() &&
			state.SourceReachable.ValueBool() && !state.SourceSealed.ValueBool() {
			plan.SourceSealed = types.BoolValue(true)
			// The framework marked nothing unknown for this change of ours:
			// what the apply recomputes is not known yet.
			plan.SourceReachable = types.BoolUnknown()
			plan.ConformanceReport = types.ObjectUnknown(reportAttrTypes)
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	planNoChange(req, resp)
}

// planCreate checks the source before anything is made: one that exists
// but can never become a KINE bucket fails the plan in enforce mode (a
// warning otherwise), and a mirror in the source's own domain must be
// allowed to disturb it. A source not there yet may be created by this
// apply: the create says so if it is still missing.
func (r *kvMirrorResource) planCreate(ctx context.Context, plan *kvMirrorModel, spec mirror.Spec, diags *diag.Diagnostics) {
	if spec.SameDomain() && !spec.AllowSourceDisruption {
		addMirrorError(diags, "plan", spec, mirror.ErrSourceDisruption)
		return
	}
	_, src, err := r.client.mirrorJetStreams(ctx, plan.Credentials, spec)
	if err != nil {
		return // the apply reports the connection
	}
	pctx, cancel := context.WithTimeout(ctx, planProbeWait)
	defer cancel()
	s, err := src.Stream(pctx, kv.StreamName(spec.Source.Bucket))
	if err != nil {
		return
	}
	blockers := mirror.Blockers(s.CachedInfo().Config)
	if len(blockers) == 0 {
		return
	}
	msg := (&mirror.BlockedError{Source: spec.Source, Blockers: blockers}).Error()
	if conformanceMode(ctx, plan.Conformance) == modeEnforce {
		diags.AddAttributeError(path.Root("source"), "Source can never become a k3s datastore",
			msg+".\n\nMirror a bucket made for KINE (nats_k3s_datastore makes one), or set conformance.mode = \"report\" to mirror this bucket as a plain copy that cannot be promoted for k3s.")
		return
	}
	diags.AddAttributeWarning(path.Root("source"), "Source can never become a k3s datastore",
		msg+".\n\nThe mirror is made as a plain copy of the source's settings; promoted, it would not be a bucket KINE accepts.")
}

// planProbeWait bounds looking at the source at plan time.
const planProbeWait = 10 * time.Second

func (r *kvMirrorResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan kvMirrorModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts, opCreate, &resp.Diagnostics)
	defer cancel()
	spec, js, src, ok := r.reach(ctx, &plan, &resp.Diagnostics)
	if !ok {
		return
	}
	spec.AllowBlocked = conformanceMode(ctx, plan.Conformance) != modeEnforce
	st, err := mirror.Create(ctx, js, src, spec)
	if err != nil {
		addMirrorError(&resp.Diagnostics, "create", spec, err)
		if errors.Is(err, kv.ErrMayExist) {
			// The server may hold the mirror: keep it in state (tainted),
			// so the next apply replaces it instead of finding a stranger.
			plan.History, plan.SourceReachable, plan.SourceSealed = types.Int64Null(), types.BoolNull(), types.BoolNull()
			plan.ConformanceReport = types.ObjectNull(reportAttrTypes)
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		}
		return
	}
	if plan.WaitForSync.ValueBool() || plan.Promote.ValueBool() {
		if st, err = mirror.WaitCaughtUp(ctx, js, src, spec); err != nil {
			addMirrorError(&resp.Diagnostics, "create", spec, err)
		}
	}
	if err == nil && plan.Promote.ValueBool() {
		st, err = r.promote(ctx, &plan, js, src, spec, &resp.Diagnostics)
	}
	// A mirror that exists goes into state even when waiting failed: the
	// next apply replaces it (tainted) or the user untaints it.
	plan.setStatus(st, plan.SourceSealed)
	if !resp.Diagnostics.HasError() {
		plan.ConformanceReport = r.check(ctx, &plan, js, src, spec, st, &resp.Diagnostics)
	} else {
		plan.ConformanceReport = types.ObjectNull(reportAttrTypes)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *kvMirrorResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state kvMirrorModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || r.client.unknown {
		return
	}
	spec, js, src, ok := r.reach(ctx, &state, &resp.Diagnostics)
	if !ok {
		return
	}
	if state.Source == nil {
		src = nil // after import: the stream names its source
	}
	st, err := mirror.Get(ctx, js, src, spec)
	if errors.Is(err, kv.ErrNotFound) {
		resp.Diagnostics.AddWarning("Mirror deleted outside Terraform",
			fmt.Sprintf("Bucket %q no longer exists; it is removed from state and a new mirror of %s will be made on the next apply.", spec.Name, spec.Source))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addMirrorError(&resp.Diagnostics, "read", spec, err)
		return
	}
	if state.Source == nil { // import: defaults, and the source the stream names
		state.importDefaults(st)
		if spec, _ = state.spec(ctx, r.client); spec.Source.Bucket != "" {
			if _, src, err = r.client.mirrorJetStreams(ctx, state.Credentials, spec); err == nil {
				st, err = mirror.Get(ctx, js, src, spec)
			}
			if err != nil {
				addMirrorError(&resp.Diagnostics, "read", spec, err)
				return
			}
		}
	}
	// The domain the mirror was found in, recorded where the state has
	// none (imported, or written before domains were recorded).
	state.JetStreamDomain = r.client.effectiveDomain(state.JetStreamDomain)
	state.readBack(st, spec)
	mirrorWarnings(st, spec, state.SealSource.ValueBool(), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *kvMirrorResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state kvMirrorModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts, opUpdate, &resp.Diagnostics)
	defer cancel()
	spec, js, src, ok := r.reach(ctx, &plan, &resp.Diagnostics)
	if !ok {
		return
	}
	var err error
	if !plan.Replicas.Equal(state.Replicas) || (!state.Promote.ValueBool() && !samePlacementModel(ctx, plan.Placement, state.Placement)) {
		if err := mirror.Resize(ctx, js, spec); err != nil {
			addMirrorError(&resp.Diagnostics, "update", spec, err)
			return
		}
	}
	var st mirror.Status
	switch {
	case plan.Promote.ValueBool() && !state.Promote.ValueBool():
		if st, err = r.promote(ctx, &plan, js, src, spec, &resp.Diagnostics); err != nil {
			return
		}
	case plan.SourceSealed.ValueBool() && !state.SourceSealed.ValueBool():
		if err := mirror.Seal(ctx, src, spec.Source.Bucket); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("seal_source"), fmt.Sprintf("Cannot seal the former source of %q", spec.Name),
				fmt.Sprintf("%v\n\nThe former source still accepts writes. Seal it by hand (nats stream seal %s), or set seal_source = false to leave it.", err, kv.StreamName(spec.Source.Bucket)))
			return
		}
	}
	if st, err = mirror.Get(ctx, js, src, spec); err != nil {
		addMirrorError(&resp.Diagnostics, "update", spec, err)
		return
	}
	plan.setStatus(st, state.SourceSealed)
	plan.ConformanceReport = r.check(ctx, &plan, js, src, spec, st, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *kvMirrorResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state kvMirrorModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	what := "Mirror"
	if state.Promote.ValueBool() {
		what = "Promoted mirror"
	}
	if refuseProtected(state.DeletionProtection, what, fmt.Sprintf("Bucket %q has deletion_protection = true, so it was not deleted.", state.Name.ValueString()), &resp.Diagnostics) {
		return
	}
	r.client.deleteBucket(ctx, state.Credentials, state.JetStreamDomain, state.Timeouts, state.Name.ValueString(), mirror.Delete, kv.ErrNotFound, &resp.Diagnostics)
}

// reach is the mirror a model describes and the JetStream contexts of the
// mirror and of its source; ok is false after a diagnostic.
func (r *kvMirrorResource) reach(ctx context.Context, m *kvMirrorModel, diags *diag.Diagnostics) (spec mirror.Spec, js, src jetstream.JetStream, ok bool) {
	spec, d := m.spec(ctx, r.client)
	diags.Append(d...)
	if diags.HasError() {
		return spec, nil, nil, false
	}
	js, src, err := r.client.mirrorJetStreams(ctx, m.Credentials, spec)
	if err != nil {
		addConnError(diags, err)
		return spec, nil, nil, false
	}
	return spec, js, src, true
}

// ImportState takes "<name>" or "<domain>/<name>"; the source is read from
// the mirror's stream.
func (r *kvMirrorResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importBucketID(ctx, req, resp, "name")
}
