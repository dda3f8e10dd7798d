package provider

import (
	"context"
	"math/big"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/kv"
)

// rawSave is what save needs from a plan, read from the raw plan without
// the framework's reflection: a create or update of a bucket without
// placement, republish or timeouts, every planned value known but the
// report. ok is false for any other plan, which takes the full path.
type rawSave struct {
	plan                 map[string]tftypes.Value
	cfg                  kv.Config
	creds, domain        types.String
	conformance          types.Object
	reportType, planType tftypes.Type
}

func rawInt(m map[string]tftypes.Value, name string) (int64, bool) {
	v, ok := m[name]
	if !ok || v.IsNull() {
		return 0, false
	}
	var f big.Float
	if v.As(&f) != nil {
		return 0, false
	}
	n, acc := f.Int64()
	return n, acc == big.Exact
}

func readRawSave(ctx context.Context, planned tftypes.Value) (in rawSave, ok bool) {
	if in.plan, ok = rawObject(planned); !ok {
		return in, false
	}
	for name, v := range in.plan {
		if name != "conformance_report" && !v.IsFullyKnown() {
			return in, false
		}
	}
	p := in.plan
	if !rawIsNull(p, "placement") || !rawIsNull(p, "republish") || !rawIsNull(p, "timeouts") {
		return in, false
	}
	name, desc, storage := rawString(p, "name"), rawString(p, "description"), rawString(p, "storage")
	ttl, marker := rawString(p, "ttl"), rawString(p, "limit_marker_ttl")
	for _, s := range []types.String{name, desc, storage, ttl, marker} {
		if s.IsNull() || s.IsUnknown() {
			return in, false
		}
	}
	history, ok1 := rawInt(p, "history")
	valueSize, ok2 := rawInt(p, "max_value_size")
	maxBytes, ok3 := rawInt(p, "max_bytes")
	replicas, ok4 := rawInt(p, "replicas")
	var compression bool
	if !ok1 || !ok2 || !ok3 || !ok4 || p["compression"].IsNull() || p["compression"].As(&compression) != nil {
		return in, false
	}
	var md map[string]tftypes.Value
	if p["metadata"].IsNull() || p["metadata"].As(&md) != nil {
		return in, false
	}
	in.cfg = kv.Config{
		Name: name.ValueString(), Description: desc.ValueString(), History: int(history),
		MaxValueSize: int32(valueSize), MaxBytes: maxBytes, Storage: storage.ValueString(),
		Replicas: int(replicas), Compression: compression,
	}
	var err1, err2 error
	in.cfg.TTL, err1 = time.ParseDuration(ttl.ValueString())
	in.cfg.LimitMarkerTTL, err2 = time.ParseDuration(marker.ValueString())
	if err1 != nil || err2 != nil {
		return in, false
	}
	for k, v := range md {
		var s string
		if v.As(&s) != nil {
			return in, false
		}
		if in.cfg.Metadata == nil {
			in.cfg.Metadata = map[string]string{}
		}
		in.cfg.Metadata[k] = s
	}
	in.creds, in.domain = rawString(p, "credentials"), rawString(p, "jetstream_domain")
	in.conformance = types.ObjectNull(conformanceAttrTypes)
	if c := p["conformance"]; !c.IsNull() {
		v, err := basetypes.ObjectType{AttrTypes: conformanceAttrTypes}.ValueFromTerraform(ctx, c)
		obj, isObj := v.(types.Object)
		if err != nil || !isObj {
			return in, false
		}
		in.conformance = obj
	}
	in.reportType, in.planType = p["conformance_report"].Type(), planned.Type()
	return in, true
}

// saveRaw is save for a plan readRawSave took: the state is the plan with
// the report filled in when the server stored exactly what was planned;
// otherwise it finishes as save does. It returns false, having done
// nothing, for a plan it does not take.
func (r *kvBucketResource) saveRaw(ctx context.Context, planned tfsdk.Plan, state *tfsdk.State, op string,
	write func(context.Context, jetstream.JetStream, kv.Config) (kv.Bucket, error), diags *diag.Diagnostics) bool {
	in, ok := readRawSave(ctx, planned.Raw)
	if !ok {
		return false
	}
	limit := defaultCreateTimeout
	if op == opUpdate {
		limit = defaultUpdateTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	got, ok, keep := r.writeBucket(ctx, in.creds, in.domain, op, in.cfg, write, diags)
	if !ok {
		if keep {
			in.plan["conformance_report"] = tftypes.NewValue(in.reportType, nil)
			state.Raw = tftypes.NewValue(in.planType, in.plan)
		}
		return true
	}
	m := kvBucketModel{Name: types.StringValue(in.cfg.Name), Credentials: in.creds, JetStreamDomain: in.domain, Conformance: in.conformance}
	report := r.check(ctx, &m, got.Stream, diags)
	if r.stateHolds(in.plan, got.Config) {
		if v, err := report.ToTerraformValue(ctx); err == nil && v.Type().Equal(in.reportType) {
			in.plan["conformance_report"] = v
			state.Raw = tftypes.NewValue(in.planType, in.plan)
			return true
		}
	}
	// The server stored something else than planned: the full path says
	// what, through the framework.
	// The bucket exists now: a check that failed (in diags already) must not
	// keep it out of state.
	var plan kvBucketModel
	if d := planned.Get(ctx, &plan); d.HasError() {
		diags.Append(d...)
		return true
	}
	plan.bucketSettings = settingsFrom(got.Config)
	plan.ConformanceReport = report
	diags.Append(state.Set(ctx, &plan)...)
	return true
}
