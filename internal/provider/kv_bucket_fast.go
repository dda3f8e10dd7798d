package provider

import (
	"context"
	"maps"
	"math/big"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/natsk3s/terraform-provider-nats/internal/kv"
)

// The refresh and plan of a bucket nothing happened to are the paths every
// CI run pays for every bucket. terraform-plugin-framework makes them
// costly per value: State.Get and State.Set go through reflection that
// compiles a regular expression for every struct field, and every
// GetAttribute or SetAttribute walks the schema copying its attribute map
// at each step (and SetAttribute rewrites the whole plan). These fast
// paths read the raw values Terraform sent instead, and leave the state or
// plan untouched when there is nothing to change; anything unusual takes
// the full path.

// rawAttrs is an object value's attributes, or ok false when it is null or
// unknown.
func rawAttrs(v tftypes.Value) (map[string]tftypes.Value, bool) {
	var m map[string]tftypes.Value
	if v.IsNull() || !v.IsFullyKnown() || v.As(&m) != nil {
		return nil, false
	}
	return m, true
}

// rawObject is a copy of an object value's attributes, to change: As
// hands out the value's own map, and values are shared (the framework keeps
// the request's).
func rawObject(v tftypes.Value) (map[string]tftypes.Value, bool) {
	var m map[string]tftypes.Value
	if v.IsNull() || !v.IsKnown() || v.As(&m) != nil {
		return nil, false
	}
	return maps.Clone(m), true
}

// rawString is a string attribute as a framework value (null when absent).
func rawString(m map[string]tftypes.Value, name string) types.String {
	v, ok := m[name]
	if !ok || v.IsNull() {
		return types.StringNull()
	}
	var s string
	if v.As(&s) != nil {
		return types.StringUnknown()
	}
	return types.StringValue(s)
}

func rawStringIs(m map[string]tftypes.Value, name, want string) bool {
	s := rawString(m, name)
	return !s.IsNull() && !s.IsUnknown() && s.ValueString() == want
}

func rawIntIs(m map[string]tftypes.Value, name string, want int64) bool {
	v, ok := m[name]
	if !ok || v.IsNull() {
		return false
	}
	var f big.Float
	if v.As(&f) != nil {
		return false
	}
	n, acc := f.Int64()
	return acc == big.Exact && n == want
}

func rawBoolIs(m map[string]tftypes.Value, name string, want bool) bool {
	v, ok := m[name]
	if !ok || v.IsNull() {
		return false
	}
	var b bool
	return v.As(&b) == nil && b == want
}

// rawDurationIs compares a duration attribute as the GoDuration type's
// semantic equality does ("1h" is 1h0m0s).
func rawDurationIs(m map[string]tftypes.Value, name string, want time.Duration) bool {
	s := rawString(m, name)
	if s.IsNull() || s.IsUnknown() {
		return false
	}
	d, err := time.ParseDuration(s.ValueString())
	return err == nil && d == want
}

func rawIsNull(m map[string]tftypes.Value, name string) bool {
	v, ok := m[name]
	return !ok || v.IsNull()
}

// rawEmptyMap is true for a known, empty map attribute.
func rawEmptyMap(m map[string]tftypes.Value, name string) bool {
	v, ok := m[name]
	if !ok || v.IsNull() {
		return false
	}
	var elems map[string]tftypes.Value
	return v.As(&elems) == nil && len(elems) == 0
}

// stateHolds says whether the state st already holds what the full Read
// would write for got: then Read leaves it as it is. Placement, republish
// and metadata are compared only in their common empty form; any other
// value takes the full path.
func (r *kvBucketResource) stateHolds(st map[string]tftypes.Value, got kv.Config) bool {
	domain := rawString(st, "jetstream_domain")
	if domain.IsUnknown() || rawIsNull(st, "deletion_protection") {
		return false // after import: the full Read fills these in
	}
	eff := r.client.effectiveDomain(domain)
	return eff.Equal(domain) &&
		rawStringIs(st, "id", bucketID(domain.ValueString(), got.Name)) &&
		rawStringIs(st, "stream_name", kv.StreamName(got.Name)) &&
		rawStringIs(st, "description", got.Description) &&
		rawIntIs(st, "history", int64(got.History)) &&
		rawDurationIs(st, "ttl", got.TTL) &&
		rawIntIs(st, "max_value_size", int64(got.MaxValueSize)) &&
		rawIntIs(st, "max_bytes", got.MaxBytes) &&
		rawStringIs(st, "storage", got.Storage) &&
		rawIntIs(st, "replicas", int64(got.Replicas)) &&
		rawBoolIs(st, "compression", got.Compression) &&
		rawDurationIs(st, "limit_marker_ttl", got.LimitMarkerTTL) &&
		got.Placement == nil && rawIsNull(st, "placement") &&
		got.RePublish == nil && rawIsNull(st, "republish") &&
		len(got.Metadata) == 0 && rawEmptyMap(st, "metadata")
}

// readRaw answers a refresh that finds the bucket as the state has it, and
// one that cannot read it (the state stays, with the error, as Read
// leaves it): asking again through the framework would wait out an
// unreachable server twice.
func (r *kvBucketResource) readRaw(ctx context.Context, state tftypes.Value) (diag.Diagnostics, bool) {
	st, ok := rawAttrs(state)
	if !ok {
		return nil, false
	}
	var diags diag.Diagnostics
	got, found, _ := r.lookup(ctx, st, &diags)
	if diags.HasError() {
		return diags, true
	}
	return nil, found && r.stateHolds(st, got)
}

// planRaw answers a plan that changes nothing (server.go): ModifyPlan
// would find it unchanged, with no failed check to run again.
func (r *kvBucketResource) planRaw(_ context.Context, config, prior tftypes.Value, _ *rawSchema) bool {
	cfg, ok := rawAttrs(config)
	if !ok {
		return false
	}
	st, ok := rawAttrs(prior)
	return ok && r.unchanged(cfg, st) && !recheckDue(st)
}

// planUnchanged says whether ModifyPlan has nothing to do: the proposed
// plan is the prior state (nothing configured changed) and the effective
// JetStream domain is the one in state.
func (r *kvBucketResource) planUnchanged(req resource.ModifyPlanRequest) bool {
	if req.State.Raw.IsNull() || !req.Plan.Raw.Equal(req.State.Raw) {
		return false
	}
	cfg, ok := rawAttrs(req.Config.Raw)
	if !ok {
		return false
	}
	st, ok := rawAttrs(req.State.Raw)
	return ok && r.unchanged(cfg, st)
}

// unchanged says whether the effective JetStream domain of configuration
// cfg is the one in state st.
func (r *kvBucketResource) unchanged(cfg, st map[string]tftypes.Value) bool {
	eff := r.client.effectiveDomain(rawString(cfg, "jetstream_domain"))
	return !eff.IsUnknown() && eff.Equal(rawString(st, "jetstream_domain"))
}

// planCreate plans a new bucket in one rewrite of the raw plan: the
// effective domain, id and stream_name known at plan time, and no report
// when the check is off. It is what the full ModifyPlan does for a create,
// without a schema walk and whole-plan rewrite per attribute. It returns
// false, changing nothing, when a value it needs is not known yet.
func (r *kvBucketResource) planCreate(req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	plan, ok := r.createPlanned(req.Config.Raw, req.Plan.Raw)
	if ok {
		resp.Plan.Raw = plan
	}
	return ok
}

// planCreateRaw answers the plan of a new bucket (server.go). The bucket's
// attribute plan modifiers change nothing on a create (they compare with a
// prior state there is none of), so the framework's plan is its create
// plan with ModifyPlan's changes.
func (r *kvBucketResource) planCreateRaw(_ context.Context, config, proposed tftypes.Value, rs *rawSchema) (tftypes.Value, bool) {
	planned, ok := rs.createPlan(config, proposed)
	if !ok {
		return proposed, false
	}
	return r.createPlanned(config, planned)
}

// createPlanned is planCreate's plan for config and the framework's plan.
func (r *kvBucketResource) createPlanned(config, planned tftypes.Value) (tftypes.Value, bool) {
	cfg, ok := rawAttrs(config)
	if !ok {
		return planned, false
	}
	plan, ok := rawObject(planned)
	if !ok {
		return planned, false
	}
	domain := r.client.effectiveDomain(rawString(cfg, "jetstream_domain"))
	name := rawString(plan, "name")
	conf, known := rawAttrs(plan["conformance"])
	if domain.IsUnknown() || name.IsUnknown() || name.IsNull() || (!known && !plan["conformance"].IsNull()) {
		return planned, false
	}
	str := func(s types.String) tftypes.Value {
		if s.IsNull() {
			return tftypes.NewValue(tftypes.String, nil)
		}
		return tftypes.NewValue(tftypes.String, s.ValueString())
	}
	plan["jetstream_domain"] = str(domain)
	plan["id"] = tftypes.NewValue(tftypes.String, bucketID(domain.ValueString(), name.ValueString()))
	plan["stream_name"] = tftypes.NewValue(tftypes.String, kv.StreamName(name.ValueString()))
	if rawStringIs(conf, "mode", modeOff) {
		plan["conformance_report"] = tftypes.NewValue(plan["conformance_report"].Type(), nil)
	}
	return tftypes.NewValue(planned.Type(), plan), true
}

// createRaw creates a planned bucket (server.go) when save would take it
// from the raw plan. The state is the plan with the report when the server
// stored what was planned; otherwise it is what the server has, with a
// duration kept as planned where the server spells the same one another
// way, as the framework's semantic equality keeps it.
func (r *kvBucketResource) createRaw(ctx context.Context, planned tftypes.Value, rs *rawSchema) (tftypes.Value, diag.Diagnostics, bool) {
	var diags diag.Diagnostics
	plan := tfsdk.Plan{Schema: rs.schema, Raw: planned}
	state := tfsdk.State{Schema: rs.schema, Raw: tftypes.NewValue(rs.typ, nil)}
	if !r.saveRaw(ctx, plan, &state, opCreate, kv.CreateBucket, &diags) {
		return state.Raw, nil, false
	}
	if diags.HasError() { // the framework compares nothing after an error
		return state.Raw, diags, true
	}
	return keepPlannedDurations(planned, state.Raw, "ttl", "limit_marker_ttl"), diags, true
}

// keepPlannedDurations is state with the planned value of each duration
// attribute in names that means the same duration.
func keepPlannedDurations(planned, state tftypes.Value, names ...string) tftypes.Value {
	// The plan's report is unknown: the plan is not fully known.
	p, ok1 := rawObject(planned)
	st, ok2 := rawObject(state)
	if !ok1 || !ok2 {
		return state
	}
	changed := false
	for _, name := range names {
		want := rawString(p, name)
		if want.IsNull() || want.IsUnknown() || rawStringIs(st, name, want.ValueString()) {
			continue
		}
		if d, err := time.ParseDuration(want.ValueString()); err == nil && rawDurationIs(st, name, d) {
			st[name] = p[name]
			changed = true
		}
	}
	if !changed {
		return state
	}
	return tftypes.NewValue(state.Type(), st)
}

// deleteRaw deletes the bucket in state prior (server.go), when the state
// sets no timeouts.
func (r *kvBucketResource) deleteRaw(ctx context.Context, prior tftypes.Value) (diag.Diagnostics, bool) {
	st, ok := rawAttrs(prior)
	if !ok || !rawIsNull(st, "timeouts") {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(ctx, defaultDeleteTimeout)
	defer cancel()
	var diags diag.Diagnostics
	r.deleteBucket(ctx, st, &diags)
	return diags, true
}
