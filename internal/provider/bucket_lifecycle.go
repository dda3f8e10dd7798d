package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/nats-io/nats.go/jetstream"
)

// Steps every resource that owns a bucket takes the same way: import by
// "<name>" or "<domain>/<name>", and deletion within its time limit.

// importBucketID puts an import ID into the state: the bucket's name at
// nameAttr, the ID itself, and the domain when the ID names one.
func importBucketID(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, nameAttr string) {
	domain, name, err := parseBucketID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(nameAttr), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	if domain != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("jetstream_domain"), domain)...)
	}
}

// deleteBucket deletes bucket name with del, within the resource's delete
// time limit t. A bucket already gone (del fails with gone) is no error.
func (c *client) deleteBucket(ctx context.Context, creds, domain types.String, t timeouts.Value, name string,
	del func(context.Context, jetstream.JetStream, string) error, gone error, diags *diag.Diagnostics) {
	ctx, cancel := operationContext(ctx, t, opDelete, diags)
	defer cancel()
	js, err := c.jetStream(ctx, creds, domain)
	if err != nil {
		addConnError(diags, err)
		return
	}
	if err := del(ctx, js, name); err != nil && !errors.Is(err, gone) {
		addBucketError(diags, "delete", name, err)
	}
}
