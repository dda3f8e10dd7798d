package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
)

// Conformance modes: what a failing KINE check does to the apply.
const (
	modeEnforce = "enforce"
	modeReport  = "report"
	modeOff     = "off"
	// modeAdvise, for nats_kv_bucket only: compare the config, run nothing.
	modeAdvise = "advise"
)

const defaultCheckTimeout = "60s"

// checkReserve is kept back from an operation's time limit when the check
// is cut to fit it.
const checkReserve = 2 * time.Second

// conformanceModel is the shared `conformance` attribute.
type conformanceModel struct {
	Mode    types.String         `tfsdk:"mode"`
	Profile types.String         `tfsdk:"profile"`
	Timeout timetypes.GoDuration `tfsdk:"timeout"`
}

var conformanceAttrTypes = map[string]attr.Type{
	"mode":    types.StringType,
	"profile": types.StringType,
	"timeout": timetypes.GoDurationType{},
}

var stepAttrTypes = map[string]attr.Type{
	"name":     types.StringType,
	"ok":       types.BoolType,
	"skipped":  types.BoolType,
	"duration": types.StringType,
	"detail":   types.StringType,
	"hint":     types.StringType,
	"warning":  types.StringType,
}

var adviceAttrTypes = map[string]attr.Type{
	"ok":          types.BoolType,
	"replicas":    types.Int64Type,
	"rev_history": types.Int64Type,
	"endpoint":    types.StringType,
	"blockers":    types.ListType{ElemType: types.StringType},
}

var reportAttrTypes = map[string]attr.Type{
	"advice":         types.ObjectType{AttrTypes: adviceAttrTypes},
	"passed":         types.BoolType,
	"profile":        types.StringType,
	"kine_version":   types.StringType,
	"server_version": types.StringType,
	"duration":       types.StringType,
	"summary":        types.StringType,
	"steps":          types.ListType{ElemType: types.ObjectType{AttrTypes: stepAttrTypes}},
}

// conformanceAttribute is the `conformance` setting, with the resource's
// default mode.
func conformanceAttribute(defaultMode string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true, Computed: true, Default: objectdefault.StaticValue(defaultConformance(defaultMode)),
		MarkdownDescription: "The embedded KINE conformance check, run on create and on every update: real KINE code, linked into the provider, " +
			"drives what was just built through the etcd API as a kube-apiserver would. Defaults to mode `" + defaultMode + "`, profile `quick`, timeout `" + defaultCheckTimeout + "`.",
		Attributes: map[string]schema.Attribute{
			"mode": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(defaultMode),
				MarkdownDescription: "`enforce`: a failing check fails the apply (a new object stays in state, tainted). " +
					"`report`: the report goes into state and a warning summarises a failure. `off`: no check. Defaults to `" + defaultMode + "`.",
				Validators: []validator.String{stringvalidator.OneOf(modeEnforce, modeReport, modeOff)},
			},
			"profile": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(string(conformance.ProfileQuick)),
				MarkdownDescription: "`quick`: what every kube-apiserver request needs (create, guarded update and delete, range, past revisions, watch). " +
					"`full` adds leases, a 1.5 MiB object, a second KINE instance racing the first, and compaction on scratch buckets. Defaults to `quick`.",
				Validators: []validator.String{stringvalidator.OneOf(string(conformance.ProfileQuick), string(conformance.ProfileFull))},
			},
			"timeout": schema.StringAttribute{
				CustomType: timetypes.GoDurationType{},
				Optional:   true, Computed: true, Default: stringdefault.StaticString(defaultCheckTimeout),
				MarkdownDescription: "Upper bound of the whole check, as a Go duration. Defaults to `" + defaultCheckTimeout + "`; " +
					"the operation's own time limit (`timeouts`) bounds it too.",
				Validators:    []validator.String{positiveDuration()},
				PlanModifiers: []planmodifier.String{durationUnchanged()},
			},
		},
	}
}

// bucketConformanceAttribute is nats_kv_bucket's `conformance`: the shared
// setting with the `advise` mode added, and the default.
func bucketConformanceAttribute() schema.SingleNestedAttribute {
	a := conformanceAttribute(modeAdvise)
	// Unset stays null in state: the default costs no values there.
	a.Computed, a.Default = false, nil
	a.MarkdownDescription = "The KINE check of the bucket, run on create and on every update. A plain bucket holds application data, so KINE never runs against it. " +
		"Unset (null in state) means mode `advise`, profile `quick`, timeout `" + defaultCheckTimeout + "`."
	mode := a.Attributes["mode"].(schema.StringAttribute)
	mode.MarkdownDescription = "`advise` (the default): no KINE instance and no twin bucket; the bucket's stream config, as the server returned it on create or update, " +
		"is compared with the bucket KINE creates (KINE's bucket config and what nats.go makes of it, the same logic as the datastore's preflight), and " +
		"when KINE accepts the bucket as it is, `conformance_report.advice` keeps the endpoint `replicas` and `revHistory` it needs; otherwise the report is null " +
		"(mode `report` names the settings in the way). It never fails or warns: a plain bucket need not suit KINE. " +
		"`report`: the live check: a temporary twin bucket with the same settings is created, the embedded KINE runs the profile against it, " +
		"the twin is deleted (also on failure), and a failure is a warning with the full report in state. " +
		"`enforce`: the same live check, and a failure fails the apply (a new bucket stays in state, tainted). `off`: no check, no report. Defaults to `advise`."
	mode.Validators = []validator.String{stringvalidator.OneOf(modeAdvise, modeReport, modeEnforce, modeOff)}
	a.Attributes["mode"] = mode
	profile := a.Attributes["profile"].(schema.StringAttribute)
	profile.MarkdownDescription += " Only the live modes (`report`, `enforce`) run a profile."
	a.Attributes["profile"] = profile
	return a
}

// defaultConformance is the conformance setting a resource has when its
// configuration says nothing.
func defaultConformance(mode string) types.Object {
	return types.ObjectValueMust(conformanceAttrTypes, map[string]attr.Value{
		"mode":    types.StringValue(mode),
		"profile": types.StringValue(string(conformance.ProfileQuick)),
		"timeout": timetypes.NewGoDurationValueFromStringMust(defaultCheckTimeout),
	})
}

// planReport plans conformance_report as null when the check is off, so a
// plan does not show a report "known after apply" that will never come.
func planReport(ctx context.Context, setting types.Object, plan *tfsdk.Plan, diags *diag.Diagnostics) {
	if conformanceMode(ctx, setting) == modeOff {
		diags.Append(plan.SetAttribute(ctx, path.Root("conformance_report"), types.ObjectNull(reportAttrTypes))...)
	}
}

// reportAttribute is the computed `conformance_report`.
func reportAttribute() schema.SingleNestedAttribute {
	str := func(d string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: d}
	}
	boolean := func(d string) schema.BoolAttribute {
		return schema.BoolAttribute{Computed: true, MarkdownDescription: d}
	}
	return schema.SingleNestedAttribute{
		Computed:            true,
		MarkdownDescription: "Result of the last KINE conformance check; null when `conformance.mode` is `off`.",
		Attributes: map[string]schema.Attribute{
			"passed":         boolean("Whether every step passed."),
			"profile":        str("Profile that ran."),
			"kine_version":   str("Version of the KINE code linked into the provider."),
			"server_version": str("Version of the nats-server the check ran against."),
			"duration":       str("Total duration of the check."),
			"summary":        str("One-paragraph summary: on failure, the failing step, what KINE or the server said, and what to do."),
			"advice": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "For a plain bucket (`nats_kv_bucket`): the endpoint parameters that make KINE accept it, or the settings that make that impossible. Null elsewhere.",
				Attributes: map[string]schema.Attribute{
					"ok":          boolean("Whether some endpoint parameters make KINE accept the bucket as it is."),
					"replicas":    schema.Int64Attribute{Computed: true, MarkdownDescription: "The endpoint's `replicas` for this bucket; null when `ok` is false."},
					"rev_history": schema.Int64Attribute{Computed: true, MarkdownDescription: "The endpoint's `revHistory` for this bucket; null when `ok` is false."},
					"endpoint":    str("An endpoint with those parameters (password or token redacted); null when `ok` is false."),
					"blockers": schema.ListAttribute{
						ElementType: types.StringType, Computed: true,
						MarkdownDescription: "Settings of the bucket that no endpoint parameter can match, with the value KINE needs; null when `ok` is true.",
					},
				},
			},
			"steps": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Every step, in order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":     str("Step name."),
					"ok":       boolean("Whether the step passed."),
					"skipped":  boolean("Whether the step was skipped (see detail)."),
					"duration": str("How long the step took."),
					"detail":   str("What was checked and what KINE or the server answered."),
					"hint":     str("What to do about a failure; null when there is nothing to do."),
					"warning":  str("KINE behaviour that passed but that a cluster operator should know about; null when there is none."),
				}},
			},
		},
	}
}

// bucketReportAttribute is nats_kv_bucket's `conformance_report`: the
// shared report, kept small in state.
func bucketReportAttribute() schema.SingleNestedAttribute {
	a := reportAttribute()
	a.MarkdownDescription = "Result of the last check; null when `conformance.mode` is `off`. Kept small, since every value in state costs time on every plan: " +
		"in mode `advise` it is set only when KINE accepts the bucket as it is, with `passed`, `kine_version` and `advice` (the endpoint parameters); " +
		"when KINE cannot use the bucket (any bucket without KINE's own description, for one) it is null: mode `report` says why. " +
		"In the live modes `steps` is kept only when a step failed or warned."
	set := func(name, desc string) {
		switch v := a.Attributes[name].(type) {
		case schema.StringAttribute:
			v.MarkdownDescription = desc
			a.Attributes[name] = v
		case schema.ListNestedAttribute:
			v.MarkdownDescription = desc
			a.Attributes[name] = v
		}
	}
	set("profile", "Profile that ran; null in mode `advise`.")
	set("server_version", "Version of the nats-server the check ran against; null in mode `advise`.")
	set("duration", "Total duration of the check; null in mode `advise`.")
	set("summary", "One-paragraph summary: on failure, the failing step, what KINE or the server said, and what to do. Null in mode `advise`: `advice` says it all.")
	set("steps", "Every step, in order, when one failed or warned; null when all passed cleanly, and in mode `advise`.")
	return a
}

// checkRun is one conformance check a resource wants to run; the resource
// says how (plain Run, twin bucket...) through run.
type checkRun func(ctx context.Context, opts conformance.Options) *conformance.Report

// runConformance runs the check as the mode says, and returns the report for
// state. In enforce mode a failure is an error diagnostic; in report mode a
// warning. It never fails for mode off: the report is null.
func runConformance(ctx context.Context, setting types.Object, what string, run checkRun, diags *diag.Diagnostics) types.Object {
	return runConformanceAs(ctx, setting, what, run, false, diags)
}

// runConformanceAs is runConformance; compact keeps the report in state
// small (see compactReport), and mode advise reports without diagnostics.
func runConformanceAs(ctx context.Context, setting types.Object, what string, run checkRun, compact bool, diags *diag.Diagnostics) types.Object {
	null := types.ObjectNull(reportAttrTypes)
	var m conformanceModel
	diags.Append(setting.As(ctx, &m, objectAsOptions)...)
	if diags.HasError() || m.Mode.ValueString() == modeOff {
		return null
	}
	timeout, d := m.Timeout.ValueGoDuration()
	diags.Append(d...)
	// The operation's time limit bounds the check too, with a moment kept
	// back for saving the result.
	if deadline, ok := ctx.Deadline(); ok {
		timeout = max(min(timeout, time.Until(deadline)-checkReserve), time.Second)
	}
	opts := conformance.Options{
		Profile: conformance.Profile(m.Profile.ValueString()),
		Timeout: timeout,
		OnStep: func(s conformance.Step) {
			tflog.Debug(ctx, "conformance step", map[string]any{"step": s.Name, "ok": s.OK, "duration": s.Duration.String()})
		},
	}
	rep := run(ctx, opts)
	var obj types.Object
	if compact {
		obj, d = compactReport(rep)
	} else {
		obj, d = reportObject(rep)
	}
	diags.Append(d...)
	if m.Mode.ValueString() == modeAdvise {
		return obj // advice, not a verdict: it is in the report
	}
	for _, s := range rep.Steps {
		if s.Warning != "" {
			diags.AddWarning(fmt.Sprintf("KINE conformance check: %s passed with a warning for %s", s.Name, what), s.Warning)
		}
	}
	if rep.Passed {
		return obj
	}
	summary := fmt.Sprintf("KINE conformance check failed for %s", what)
	detail := rep.Summary()
	if m.Mode.ValueString() == modeEnforce {
		diags.AddError(summary, detail+"\n\nconformance.mode is \"enforce\": set it to \"report\" to apply anyway and keep the report in state.")
	} else {
		diags.AddWarning(summary, detail+"\n\nThe full report is in conformance_report.")
	}
	return obj
}

// compactReport is the report as nats_kv_bucket keeps it: every value in
// state costs Terraform and the framework time on every request, for every
// bucket. A report of Advise keeps passed, kine_version and the advice (the
// summary and the one step would only repeat it) when KINE accepts the
// bucket, and is null when it does not; a live check keeps its steps only
// when one failed or warned.
func compactReport(r *conformance.Report) (types.Object, diag.Diagnostics) {
	if r.AdviceOnly && r.Advice != nil && !r.Advice.OK {
		// KINE cannot use the bucket as it is: what nearly every application
		// bucket hears, since KINE insists on its own description. Measured
		// in `make bench`, keeping that in state for every bucket costs a
		// quarter of the apply and destroy time at N = 1000; it is no
		// finding about the bucket, so the report stays null.
		return types.ObjectNull(reportAttrTypes), nil
	}
	obj, diags := reportObject(r)
	if diags.HasError() {
		return obj, diags
	}
	attrs := obj.Attributes()
	trouble := !r.Passed
	for _, s := range r.Steps {
		trouble = trouble || s.Warning != ""
	}
	if r.AdviceOnly && r.Advice != nil {
		for _, k := range []string{"profile", "server_version", "duration", "summary"} {
			attrs[k] = types.StringNull()
		}
		trouble = false
	}
	if !trouble {
		attrs["steps"] = types.ListNull(types.ObjectType{AttrTypes: stepAttrTypes})
	}
	return types.ObjectValue(reportAttrTypes, attrs)
}

func reportObject(r *conformance.Report) (types.Object, diag.Diagnostics) {
	var diags diag.Diagnostics
	steps := make([]attr.Value, 0, len(r.Steps))
	for _, s := range r.Steps {
		o, d := types.ObjectValue(stepAttrTypes, map[string]attr.Value{
			"name":     types.StringValue(s.Name),
			"ok":       types.BoolValue(s.OK),
			"skipped":  types.BoolValue(s.Skipped),
			"duration": types.StringValue(s.Duration.Round(time.Microsecond).String()),
			"detail":   optionalString(s.Detail),
			"hint":     optionalString(s.Hint),
			"warning":  optionalString(s.Warning),
		})
		diags.Append(d...)
		steps = append(steps, o)
	}
	list, d := types.ListValue(types.ObjectType{AttrTypes: stepAttrTypes}, steps)
	diags.Append(d...)
	advice := types.ObjectNull(adviceAttrTypes)
	if a := r.Advice; a != nil {
		// Either KINE's parameters or the blockers: the other half is null.
		values := map[string]attr.Value{
			"ok":          types.BoolValue(a.OK),
			"replicas":    types.Int64Null(),
			"rev_history": types.Int64Null(),
			"endpoint":    types.StringNull(),
			"blockers":    types.ListNull(types.StringType),
		}
		if a.OK {
			values["replicas"] = types.Int64Value(int64(a.Replicas))
			values["rev_history"] = types.Int64Value(int64(a.RevHistory))
			values["endpoint"] = types.StringValue(a.Endpoint)
		} else {
			blockers := make([]attr.Value, 0, len(a.Blockers))
			for _, b := range a.Blockers {
				blockers = append(blockers, types.StringValue(b.String()))
			}
			values["blockers"] = types.ListValueMust(types.StringType, blockers)
		}
		advice, d = types.ObjectValue(adviceAttrTypes, values)
		diags.Append(d...)
	}
	o, d := types.ObjectValue(reportAttrTypes, map[string]attr.Value{
		"advice":         advice,
		"passed":         types.BoolValue(r.Passed),
		"profile":        types.StringValue(string(r.Profile)),
		"kine_version":   types.StringValue(r.KineVersion),
		"server_version": types.StringValue(r.ServerVersion),
		"duration":       types.StringValue(r.Duration.Round(time.Millisecond).String()),
		"summary":        types.StringValue(r.Summary()),
		"steps":          list,
	})
	diags.Append(d...)
	return o, diags
}

var objectAsOptions = basetypes.ObjectAsOptions{}

// targetTLS is the identity's TLS in the terms KINE's connection takes.
func targetTLS(id natsconn.Identity) conformance.TLS {
	return conformance.TLS{CA: id.TLS.CA, Cert: id.TLS.Cert, Key: id.TLS.Key}
}

// identityTarget is how KINE reaches NATS as id: the same servers,
// credentials and TLS, in KINE's endpoint terms. KINE's endpoint cannot carry
// an nkey seed; such an identity cannot be checked.
func identityTarget(id natsconn.Identity) (conformance.Target, error) {
	// A context's servers and TLS apply to an identity with credentials of
	// its own too (a resource's override): write them out for KINE.
	id, err := id.Resolved()
	if err != nil {
		return conformance.Target{}, err
	}
	t := conformance.Target{
		Endpoint: k3s.Endpoint{Servers: id.Servers, NoEmbed: true},
		TLS:      targetTLS(id),
	}
	if len(t.Endpoint.Servers) == 0 {
		t.Endpoint.Servers = []string{natsconn.DefaultURL}
	}
	switch {
	case id.CredsFile != "":
		t.Endpoint.CredsFile = id.CredsFile
	case id.CredsData != "":
		t.Creds = []byte(id.CredsData)
	case id.User != "":
		t.Endpoint.User, t.Endpoint.Password = id.User, id.Password
	case id.Token != "":
		t.Endpoint.Token = id.Token
	case id.Context != "":
		file, err := natsconn.ContextFile(id.Context)
		if err != nil {
			return t, err
		}
		t.Endpoint.ContextFile, t.Endpoint.Servers = file, nil
	case id.NKeySeed != "":
		return t, errors.New("KINE cannot authenticate with an nkey seed (its endpoint takes a creds file, a context file, user and password, or a token): " +
			"use credentials or credentials_data for this resource, or set conformance.mode = \"off\"")
	}
	return t, nil
}
