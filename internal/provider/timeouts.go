package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// Operations that wait on the servers (replica changes, leader elections,
// catching up, the conformance check, purges) are bounded by the resource's
// `timeouts` block rather than by waits written into the code: a large
// R1 -> R3 resize may take longer than any fixed guess.
const (
	defaultCreateTimeout = 10 * time.Minute
	defaultUpdateTimeout = 20 * time.Minute
	defaultDeleteTimeout = 5 * time.Minute
)

// Operation names, as the timeouts block spells them.
const (
	opCreate = "create"
	opUpdate = "update"
	opDelete = "delete"
)

// timeoutsBlock is the standard `timeouts` block, with this provider's
// defaults documented.
func timeoutsBlock(ctx context.Context) schema.Block {
	b := timeouts.Block(ctx, timeouts.Opts{
		Create: true, Update: true, Delete: true,
		CreateDescription: "How long a create may take, waits on the servers and the conformance check included, as a Go duration. Defaults to `" + defaultCreateTimeout.String() + "`.",
		UpdateDescription: "How long an update may take (a replica change waits until every replica is current), as a Go duration. Defaults to `" + defaultUpdateTimeout.String() + "`.",
		DeleteDescription: "How long a delete may take, as a Go duration. Defaults to `" + defaultDeleteTimeout.String() + "`.",
	})
	nb := b.(schema.SingleNestedBlock)
	nb.MarkdownDescription = "Time limits of operations that wait on the NATS servers. When one is reached the operation stops and says what it was waiting for; the servers may go on with a change already accepted (a resize, for one), which the next plan shows."
	return nb
}

// operationContext bounds ctx by the resource's time limit for op.
func operationContext(ctx context.Context, t timeouts.Value, op string, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	var (
		d  time.Duration
		ds diag.Diagnostics
	)
	switch op {
	case opCreate:
		d, ds = t.Create(ctx, defaultCreateTimeout)
	case opUpdate:
		d, ds = t.Update(ctx, defaultUpdateTimeout)
	default:
		d, ds = t.Delete(ctx, defaultDeleteTimeout)
	}
	diags.Append(ds...)
	return context.WithTimeout(ctx, d)
}
