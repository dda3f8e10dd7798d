package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
)

// sameDuration keeps the state's spelling of a duration when the
// configuration says the same length of time another way ("1h" against the
// server's "1h0m0s"): after an import or any read back from the server the
// plan shows no change, and no needless update runs.
type sameDuration struct{}

func durationUnchanged() planmodifier.String { return sameDuration{} }

func (sameDuration) Description(context.Context) string {
	return "a duration written another way (1h for 1h0m0s) is no change"
}

func (m sameDuration) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (sameDuration) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	was, err1 := time.ParseDuration(req.StateValue.ValueString())
	now, err2 := time.ParseDuration(req.PlanValue.ValueString())
	if err1 == nil && err2 == nil && was == now {
		resp.PlanValue = req.StateValue
	}
}
