package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	ephemeralschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/nats-io/jwt/v2"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/edge"
)

// leafnodeModel is the `leafnode` preset of nats_user and
// nats_user_credentials: the hub identity of an edge site's leaf connection.
type leafnodeModel struct {
	JetStreamDomain    types.String `tfsdk:"jetstream_domain"`
	HubJetStreamDomain types.String `tfsdk:"hub_jetstream_domain"`
	InboxPrefix        types.String `tfsdk:"inbox_prefix"`
	MaxPayload         types.Int64  `tfsdk:"max_payload"`
}

const (
	docUserLeafnode = "Makes the user the hub identity of an edge site's leaf connection (`nats_k3s_edge`): it gets exactly what that link needs " +
		"(the hub may reach the edge's JetStream as `$JS.<jetstream_domain>.API.>` and answer its flow control; the edge may deliver to hub mirrors " +
		"(`$JS.M.>`) and answer the hub's servers (`$JSC.R.>`) and clients (`<inbox_prefix>.>`)), merged with `publish` and `subscribe`, " +
		"and may connect only as a leaf node unless `allowed_connection_types` says otherwise (it must then include `LEAFNODE` or `LEAFNODE_WS`). " +
		"With `hub_jetstream_domain` it is instead the identity of a link between two regions that carries mirrors both ways (see there). " +
		"Conflicts with `kine_bucket`."
	docLeafnodeDomain = "The edge site's JetStream domain (`nats_k3s_edge`'s `jetstream_domain`, `edge-<name>` by default). The user can serve no other domain. " +
		"With `hub_jetstream_domain`: the domain of the region whose servers dial the hub (the leaf side)."
	docLeafnodeHubDomain = "Makes the user the identity of a leaf connection between two regions, each managed through its own servers, that carries KV mirrors " +
		"both ways (a region's datastore mirrored into the other, and back after a failover): the hub region's own JetStream domain, which must differ from " +
		"`jetstream_domain`. The grant then replaces the edge's with what cross-domain mirrors, their conformance check, promotion and sealing send, " +
		"the same in each direction: the other region's mirror API (`$JS.<domain>.API.` followed by `STREAM.INFO.*`, `STREAM.UPDATE.*` (sealing a former source), " +
		"`CONSUMER.CREATE.*`, `CONSUMER.CREATE.*.>`, `CONSUMER.DELETE.*.*` or `CONSUMER.MSG.NEXT.*.*`: the leaf side reaches the hub's domain, " +
		"the hub the leaf's), flow control answers (`$JS.FC.>`), mirror deliveries (`$JS.M.>`), the servers' answers to mirror requests (`$JSC.R.>`) and replies " +
		"to clients (`<inbox_prefix>.>`). Nothing else of the account crosses: no stream is created, deleted or purged through the link, no message deleted."
	docLeafnodeInboxPrefix = "Inbox prefix of the clients whose requests cross the link: the hub's clients that reach the edge's JetStream " +
		"(with `hub_jetstream_domain`, either region's clients that reach the other's); the provider's `inbox_prefix` if it sets one. Defaults to `_INBOX`."
	docLeafnodeMaxPayload = "The edge's `max_payload` (defaults to `nats_k3s_edge`'s, 8 MiB; for a link between regions, the larger of the two regions' servers'). " +
		"The plan refuses a `max_payload` of the user below it: the hub would drop the link on the first larger message, and mirrors across it would stall."
	docUserMaxPayload = "Largest message the user may publish, in bytes; the account's and servers' limits still apply. Unset: no limit of the user's own."
)

var leafnodeAttrTypes = map[string]attr.Type{
	"jetstream_domain":     types.StringType,
	"hub_jetstream_domain": types.StringType,
	"inbox_prefix":         types.StringType,
	"max_payload":          types.Int64Type,
}

func leafnodeValidators() (domain []validator.String, inbox []validator.String, payload []validator.Int64) {
	return []validator.String{domainValidator()},
		[]validator.String{stringvalidator.RegexMatches(subjectTokenPattern,
			"must be subject tokens separated by dots, without wildcards or spaces, such as _INBOX_hub")},
		[]validator.Int64{int64validator.Between(conformance.RequiredMaxPayload, edge.MaxMaxPayload)}
}

// leafnodeAttribute is the preset in nats_user's schema.
func leafnodeAttribute() schema.SingleNestedAttribute {
	domain, inbox, payload := leafnodeValidators()
	return schema.SingleNestedAttribute{
		Optional: true, MarkdownDescription: docUserLeafnode,
		Validators: []validator.Object{objectvalidator.ConflictsWith(path.MatchRoot("kine_bucket"))},
		Attributes: map[string]schema.Attribute{
			"jetstream_domain":     schema.StringAttribute{Required: true, MarkdownDescription: docLeafnodeDomain, Validators: domain},
			"hub_jetstream_domain": schema.StringAttribute{Optional: true, MarkdownDescription: docLeafnodeHubDomain, Validators: domain},
			"inbox_prefix":         schema.StringAttribute{Optional: true, MarkdownDescription: docLeafnodeInboxPrefix, Validators: inbox},
			"max_payload":          schema.Int64Attribute{Optional: true, MarkdownDescription: docLeafnodeMaxPayload, Validators: payload},
		},
	}
}

// leafnodeEphemeralAttribute is the same preset in nats_user_credentials.
func leafnodeEphemeralAttribute() ephemeralschema.SingleNestedAttribute {
	domain, inbox, payload := leafnodeValidators()
	return ephemeralschema.SingleNestedAttribute{
		Optional: true, MarkdownDescription: docUserLeafnode,
		Validators: []validator.Object{objectvalidator.ConflictsWith(path.MatchRoot("kine_bucket"))},
		Attributes: map[string]ephemeralschema.Attribute{
			"jetstream_domain":     ephemeralschema.StringAttribute{Required: true, MarkdownDescription: docLeafnodeDomain, Validators: domain},
			"hub_jetstream_domain": ephemeralschema.StringAttribute{Optional: true, MarkdownDescription: docLeafnodeHubDomain, Validators: domain},
			"inbox_prefix":         ephemeralschema.StringAttribute{Optional: true, MarkdownDescription: docLeafnodeInboxPrefix, Validators: inbox},
			"max_payload":          ephemeralschema.Int64Attribute{Optional: true, MarkdownDescription: docLeafnodeMaxPayload, Validators: payload},
		},
	}
}

// maxPayloadValidators bound a user's payload limit.
func maxPayloadValidators() []validator.Int64 {
	return []validator.Int64{int64validator.AtLeast(1)}
}

// applyLeafnode adds the preset to u.
func (in userInputs) applyLeafnode(ctx context.Context, u *accounts.User, diags *diag.Diagnostics) {
	if !in.MaxPayload.IsNull() {
		u.MaxPayload = in.MaxPayload.ValueInt64()
	}
	if in.Leafnode.IsNull() {
		return
	}
	var m leafnodeModel
	diags.Append(in.Leafnode.As(ctx, &m, objectAsOptions)...)
	u.LeafnodeDomain, u.LeafnodeInboxPrefix = m.JetStreamDomain.ValueString(), m.InboxPrefix.ValueString()
	u.LeafnodeHubDomain = m.HubJetStreamDomain.ValueString()
}

// validateLeafnode refuses, before any plan, a leaf user that could not
// carry the link: connection types without a leaf node, a payload limit
// below the edge's max_payload, or a link between regions that joins a
// domain to itself.
func validateLeafnode(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	var leaf types.Object
	var maxPayload types.Int64
	var connTypes types.Set
	diags.Append(config.GetAttribute(ctx, path.Root("leafnode"), &leaf)...)
	diags.Append(config.GetAttribute(ctx, path.Root("max_payload"), &maxPayload)...)
	diags.Append(config.GetAttribute(ctx, path.Root("allowed_connection_types"), &connTypes)...)
	if diags.HasError() || leaf.IsNull() || leaf.IsUnknown() {
		return
	}
	var m leafnodeModel
	diags.Append(leaf.As(ctx, &m, objectAsOptions)...)
	if diags.HasError() {
		return
	}
	if hub := m.HubJetStreamDomain; !hub.IsNull() && !hub.IsUnknown() && !m.JetStreamDomain.IsUnknown() && hub.ValueString() == m.JetStreamDomain.ValueString() {
		diags.AddAttributeError(path.Root("leafnode").AtName("hub_jetstream_domain"), "Region link within one JetStream domain",
			fmt.Sprintf("leafnode.hub_jetstream_domain and leafnode.jetstream_domain are both %q, but a link between regions joins two domains: the hub's and the one of "+
				"the region whose servers dial it. Set hub_jetstream_domain to the hub region's domain, or remove it for an edge site's link.", hub.ValueString()))
	}
	if !connTypes.IsNull() && !connTypes.IsUnknown() {
		var kinds []string
		diags.Append(connTypes.ElementsAs(ctx, &kinds, false)...)
		if !slices.Contains(kinds, jwt.ConnectionTypeLeafnode) && !slices.Contains(kinds, jwt.ConnectionTypeLeafnodeWS) {
			diags.AddAttributeError(path.Root("allowed_connection_types"), "Leaf node user cannot connect as a leaf node",
				fmt.Sprintf("leafnode is set, but allowed_connection_types (%s) leaves out LEAFNODE and LEAFNODE_WS, so the hub would refuse the edge's leaf connection. "+
					"Add LEAFNODE, or remove allowed_connection_types (a leaf node user then may connect only as a leaf node).", strings.Join(kinds, ", ")))
		}
	}
	edgePayload := int64(edge.DefaultMaxPayload)
	if !m.MaxPayload.IsNull() && !m.MaxPayload.IsUnknown() {
		edgePayload = m.MaxPayload.ValueInt64()
	}
	if !maxPayload.IsNull() && !maxPayload.IsUnknown() && !m.MaxPayload.IsUnknown() && maxPayload.ValueInt64() < edgePayload {
		diags.AddAttributeError(path.Root("max_payload"), "Payload limit below the edge's max_payload",
			fmt.Sprintf("max_payload is %d bytes, below the edge's max_payload of %d (leafnode.max_payload). The hub would drop the leaf connection on the first larger message "+
				"(a big Kubernetes object on its way to a hub mirror), and mirrors of the edge would stall. Remove max_payload, or set it to at least %d.",
				maxPayload.ValueInt64(), edgePayload, edgePayload))
	}
}
