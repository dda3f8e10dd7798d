package provider

import (
	"context"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/mirror"
)

// setStatus puts what the servers have into the model: promotion, history,
// replicas, placement until promotion, and how the source looks. A source
// that did not answer keeps its last known seal (prev).
func (m *kvMirrorModel) setStatus(st mirror.Status, prev types.Bool) {
	if st.Config.Name == "" {
		return // nothing was read
	}
	m.Promote = types.BoolValue(st.Promoted)
	m.History = types.Int64Value(st.Config.MaxMsgsPerSubject)
	m.Replicas = types.Int64Value(int64(st.Config.Replicas))
	if !st.Promoted {
		m.Placement = placementFrom(kv.PlacementOf(st.Config.Placement))
	}
	m.SourceReachable = types.BoolValue(st.SourceReachable)
	switch {
	case st.SourceReachable:
		m.SourceSealed = types.BoolValue(st.SourceSealed)
	case prev.IsNull() || prev.IsUnknown():
		m.SourceSealed = types.BoolValue(false)
	default:
		m.SourceSealed = prev
	}
}

// readBack refreshes the model from the servers. The source as the stream
// names it replaces the configured one only where they differ in effect:
// the same domain left to default or spelled out is the same source.
func (m *kvMirrorModel) readBack(st mirror.Status, spec mirror.Spec) {
	m.ID = types.StringValue(bucketID(m.JetStreamDomain.ValueString(), spec.Name))
	if !st.Promoted {
		server := spec
		server.Source = st.Source
		if effectiveSource(server) != effectiveSource(spec) {
			m.Source = sourceModel(st.Source)
		}
	}
	m.setStatus(st, m.SourceSealed)
}

// importDefaults gives an imported mirror the settings its documented
// configuration has: the defaults, and the source the stream names. A
// mirror in its source's own domain exists only where that was allowed.
func (m *kvMirrorModel) importDefaults(st mirror.Status) {
	m.DeletionProtection = types.BoolValue(true)
	m.AllowLaggingPromotion = types.BoolValue(false)
	same := st.Source.Bucket != "" && st.Source.Domain == "" && st.Source.APIPrefix == ""
	m.AllowSourceDisruption = types.BoolValue(same)
	m.SealSource = types.BoolValue(true)
	m.WaitForSync = types.BoolValue(true)
	m.Conformance = defaultConformance(modeEnforce)
	m.ConformanceReport = types.ObjectNull(reportAttrTypes)
	if st.Source.Bucket != "" {
		m.Source = sourceModel(st.Source)
	}
}

// mirrorWarnings say what a refresh found that needs a person: a source
// that no mirror of can serve k3s any more, a mirror link the server
// reports broken, and a former source that still takes writes.
func mirrorWarnings(st mirror.Status, spec mirror.Spec, sealSource bool, diags *diag.Diagnostics) {
	// A plain copy (made in report mode) was never meant for k3s.
	if !st.Promoted && len(st.SourceBlockers) > 0 && len(mirror.KineDifferences(st.Config)) == 0 {
		diags.AddAttributeWarning(path.Root("source"), "Source changed: the mirror can no longer become a k3s datastore",
			fmt.Sprintf("Source %s no longer has KINE's settings: %s. The mirror still copies its keys, but the copy is not what a k3s cluster needs "+
				"(keys expiring or dropped by limits, for one). Set the source back to KINE's settings.", spec.Source, k3s.Describe(st.SourceBlockers)))
	}
	if !st.Promoted && st.MirrorError != "" {
		diags.AddAttributeWarning(path.Root("source"), "Mirror cannot read its source",
			fmt.Sprintf("The server reports for mirror %q of %s: %s. Until that is fixed the mirror falls behind.", spec.Name, spec.Source, st.MirrorError))
	}
	if st.SplitBrain() {
		what := "The next apply seals it (seal_source = true)."
		if !sealSource {
			what = fmt.Sprintf("Seal it (set seal_source = true, or nats stream seal %s), or make sure nothing writes to it.", kv.StreamName(spec.Source.Bucket))
		}
		diags.AddAttributeWarning(path.Root("seal_source"), "Former source still accepts writes (split brain)",
			fmt.Sprintf("Mirror %q was promoted, and its former source %s answers again without being sealed. A k3s still pointed at it writes state "+
				"that the promoted bucket never sees: the two copies drift apart. %s", spec.Name, spec.Source, what))
	}
}

// samePlacementModel compares two configured placements.
func samePlacementModel(ctx context.Context, a, b *placementModel) bool {
	pa, _ := a.toKV(ctx)
	pb, _ := b.toKV(ctx)
	return reflect.DeepEqual(pa.JetStream(), pb.JetStream())
}
