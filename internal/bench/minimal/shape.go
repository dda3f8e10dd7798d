package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// shape is minimal_shape: a resource with nats_kv_bucket's schema shape
// (the same attributes, types, flags and defaults, one of them sensitive)
// that does no work. A bucket's state and a shape's are the same bytes, so
// its cycle is what Terraform and the framework cost for a resource of this
// shape before the provider does anything: Terraform rewrites the whole
// state after every resource it changes, at a cost per attribute. A test
// holds the schema to the bucket's.
type shape struct{}

func (shape) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "minimal_shape"
}

func (shape) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	optStr := func(def string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString(def)}
	}
	optInt := func(def int64) schema.Int64Attribute {
		return schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(def)}
	}
	optBool := func(def bool) schema.BoolAttribute {
		return schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(def)}
	}
	computed := schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
	str := schema.StringAttribute{Computed: true}
	boolean := schema.BoolAttribute{Computed: true}
	integer := schema.Int64Attribute{Computed: true}
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":                  computed,
			"stream_name":         computed,
			"name":                schema.StringAttribute{Required: true},
			"description":         optStr(""),
			"history":             optInt(1),
			"ttl":                 optStr("0s"),
			"max_value_size":      optInt(-1),
			"max_bytes":           optInt(-1),
			"storage":             optStr("file"),
			"replicas":            optInt(1),
			"compression":         optBool(false),
			"limit_marker_ttl":    optStr("0s"),
			"jetstream_domain":    schema.StringAttribute{Optional: true, Computed: true},
			"deletion_protection": optBool(false),
			"credentials":         schema.StringAttribute{Optional: true, Sensitive: true},
			"metadata": schema.MapAttribute{ElementType: types.StringType, Optional: true, Computed: true,
				Default: mapdefault.StaticValue(types.MapValueMust(types.StringType, map[string]attr.Value{}))},
			"placement": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
				"cluster": schema.StringAttribute{Optional: true},
				"tags":    schema.ListAttribute{ElementType: types.StringType, Optional: true},
			}},
			"republish": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
				"source":       optStr(">"),
				"destination":  schema.StringAttribute{Required: true},
				"headers_only": optBool(false),
			}},
			"conformance": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
				"mode":    optStr("advise"),
				"profile": optStr("quick"),
				"timeout": optStr("60s"),
			}},
			"conformance_report": schema.SingleNestedAttribute{Computed: true, Attributes: map[string]schema.Attribute{
				"passed": boolean, "profile": str, "kine_version": str, "server_version": str, "duration": str, "summary": str,
				"advice": schema.SingleNestedAttribute{Computed: true, Attributes: map[string]schema.Attribute{
					"ok": boolean, "replicas": integer, "rev_history": integer, "endpoint": str,
					"blockers": schema.ListAttribute{ElementType: types.StringType, Computed: true},
				}},
				"steps": schema.ListNestedAttribute{Computed: true, NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name": str, "ok": boolean, "skipped": boolean, "duration": str, "detail": str, "hint": str, "warning": str,
				}}},
			}},
		},
		Blocks: map[string]schema.Block{
			"timeouts": schema.SingleNestedBlock{Attributes: map[string]schema.Attribute{
				"create": schema.StringAttribute{Optional: true},
				"update": schema.StringAttribute{Optional: true},
				"delete": schema.StringAttribute{Optional: true},
			}},
		},
	}
}

// Create stores the plan, with the computed values a plain bucket gets.
func (shape) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
	var name string
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("name"), &name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("stream_name"), "KV_"+name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("jetstream_domain"), types.StringNull())...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("conformance_report"),
		types.ObjectNull(resp.State.Schema.GetAttributes()["conformance_report"].GetType().(types.ObjectType).AttrTypes))...)
}

func (shape) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (shape) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (shape) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
