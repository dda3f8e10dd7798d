package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/natsk3s/terraform-provider-nats/internal/kv"
)

// Plan-time guards shared by the resources that hold data: which JetStream
// domain a resource is in, and which planned changes delete data.

// effectiveDomain is the domain a resource configured with configured is
// in: its own, else the provider's default (null for none). It is unknown
// while either is.
func (c *client) effectiveDomain(configured types.String) types.String {
	switch {
	case configured.IsUnknown() || !configured.IsNull():
		return configured
	case c == nil || c.unknown:
		return types.StringUnknown()
	case c.domain == "":
		return types.StringNull()
	}
	return types.StringValue(c.domain)
}

// planDomain plans jetstream_domain as the effective domain, so that the
// state records where the resource really is, and asks for a replacement
// only when that changes: writing out the provider's default is no change,
// and a new provider default moves (replaces) what follows it. It returns
// the planned domain.
func (c *client) planDomain(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) types.String {
	attr := path.Root("jetstream_domain")
	var configured, was types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, attr, &configured)...)
	domain := c.effectiveDomain(configured)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, attr, domain)...)
	if req.State.Raw.IsNull() || domain.IsUnknown() {
		return domain
	}
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, attr, &was)...)
	if was.IsNull() && configured.IsNull() {
		// State written before the domain was recorded: it followed the
		// provider's default, as it still does.
		return domain
	}
	if was.ValueString() != domain.ValueString() {
		resp.RequiresReplace = append(resp.RequiresReplace, attr)
	}
	return domain
}

// warnLosses warns, on the attribute concerned, about every planned change
// of a bucket's settings that deletes stored data at once. rename maps a
// setting to the resource's attribute where the names differ.
func warnLosses(diags *diag.Diagnostics, what string, was, now kv.Config, rename map[string]string) []kv.Loss {
	losses := kv.Losses(was, now)
	for _, l := range losses {
		attr := l.Setting
		if a, ok := rename[attr]; ok {
			attr = a
		}
		detail := strings.Replace(l.Detail, l.Setting, attr, 1)
		// One summary per setting: the CLI folds warnings that share one.
		diags.AddAttributeWarning(path.Root(attr), fmt.Sprintf("Changing %s deletes data of %s", attr, what), detail+
			". Nothing asks again at apply: if the data matters, keep the old value or copy the data first.")
	}
	return losses
}

// planNoChange plans exactly the prior state when nothing that can be set
// differs from it: only computed values the framework marked unknown (it
// does so whenever the configuration is spelled differently from the state,
// "1h" for "1h0m0s", before plan modifiers settle that they are the same).
// Without it, such a plan shows a report "known after apply" and runs an
// update, and a check, for nothing. Last, planRecheck brings back a check
// that failed in enforce mode.
func planNoChange(req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer planRecheck(req, resp)
	if req.State.Raw.IsNull() || resp.Plan.Raw.IsNull() || resp.Plan.Raw.Equal(req.State.Raw) || len(resp.RequiresReplace) > 0 {
		return
	}
	var plan, state map[string]tftypes.Value
	if resp.Plan.Raw.As(&plan) != nil || req.State.Raw.As(&state) != nil {
		return
	}
	for name, p := range plan {
		if p.IsKnown() && !p.Equal(state[name]) {
			return // a real change
		}
	}
	resp.Plan.Raw = req.State.Raw.Copy()
}

// planRecheck plans the check again when the last one failed in enforce
// mode. An update whose check failed has already changed the object and
// stored the failed report; without this, the next plan would be empty and
// the failure forgotten. The check then runs on every apply until it
// passes or the mode changes.
// recheckDue says whether the state st (or a plan equal to it) holds a
// failed report of a check in enforce mode.
func recheckDue(st map[string]tftypes.Value) bool {
	report, ok := rawAttrs(st["conformance_report"])
	if !ok || !rawBoolIs(report, "passed", false) {
		return false
	}
	setting, ok := rawAttrs(st["conformance"])
	return ok && rawStringIs(setting, "mode", modeEnforce)
}

func planRecheck(req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || resp.Plan.Raw.IsNull() || !resp.Plan.Raw.Equal(req.State.Raw) {
		return // a create, a destroy, or a change whose update runs the check anyway
	}
	plan, ok := rawObject(resp.Plan.Raw)
	if !ok || !recheckDue(plan) {
		return
	}
	report, _ := rawAttrs(plan["conformance_report"])
	plan["conformance_report"] = tftypes.NewValue(plan["conformance_report"].Type(), tftypes.UnknownValue)
	resp.Plan.Raw = tftypes.NewValue(resp.Plan.Raw.Type(), plan)
	failed := "The last apply changed this object, but its check failed"
	if summary := rawString(report, "summary").ValueString(); summary != "" {
		failed += ": " + summary
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("conformance_report"), "The last KINE conformance check failed",
		failed+"\n\nThis plan runs the check again; the apply fails until it passes. "+
			"Fix the cause, or set conformance.mode = \"report\" to keep the failure as a warning.")
}
