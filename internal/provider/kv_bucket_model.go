package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/natsk3s/terraform-provider-nats/internal/kv"
)

// bucketSettings are the attributes nats_kv_bucket and its data source share:
// a bucket's settings as the server has them.
type bucketSettings struct {
	Description    types.String         `tfsdk:"description"`
	History        types.Int64          `tfsdk:"history"`
	TTL            timetypes.GoDuration `tfsdk:"ttl"`
	MaxValueSize   types.Int64          `tfsdk:"max_value_size"`
	MaxBytes       types.Int64          `tfsdk:"max_bytes"`
	Storage        types.String         `tfsdk:"storage"`
	Replicas       types.Int64          `tfsdk:"replicas"`
	Compression    types.Bool           `tfsdk:"compression"`
	Placement      *placementModel      `tfsdk:"placement"`
	RePublish      *republishModel      `tfsdk:"republish"`
	Metadata       types.Map            `tfsdk:"metadata"`
	LimitMarkerTTL timetypes.GoDuration `tfsdk:"limit_marker_ttl"`
	StreamName     types.String         `tfsdk:"stream_name"`
}

type placementModel struct {
	Cluster types.String `tfsdk:"cluster"`
	Tags    types.List   `tfsdk:"tags"`
}

type republishModel struct {
	Source      types.String `tfsdk:"source"`
	Destination types.String `tfsdk:"destination"`
	HeadersOnly types.Bool   `tfsdk:"headers_only"`
}

// toConfig turns planned settings into a bucket config for name.
func (s bucketSettings) toConfig(ctx context.Context, name string) (kv.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	cfg := kv.Config{
		Name:         name,
		Description:  s.Description.ValueString(),
		History:      int(s.History.ValueInt64()),
		MaxValueSize: int32(s.MaxValueSize.ValueInt64()),
		MaxBytes:     s.MaxBytes.ValueInt64(),
		Storage:      s.Storage.ValueString(),
		Replicas:     int(s.Replicas.ValueInt64()),
		Compression:  s.Compression.ValueBool(),
	}
	cfg.TTL = duration(s.TTL, &diags)
	cfg.LimitMarkerTTL = duration(s.LimitMarkerTTL, &diags)
	var d diag.Diagnostics
	cfg.Placement, d = s.Placement.toKV(ctx)
	diags.Append(d...)
	if r := s.RePublish; r != nil {
		cfg.RePublish = &kv.RePublish{
			Source:      r.Source.ValueString(),
			Destination: r.Destination.ValueString(),
			HeadersOnly: r.HeadersOnly.ValueBool(),
		}
	}
	if !s.Metadata.IsNull() && !s.Metadata.IsUnknown() {
		diags.Append(s.Metadata.ElementsAs(ctx, &cfg.Metadata, false)...)
	}
	return cfg, diags
}

// settingsFrom is what the server has, as Terraform values. Durations come
// back normalised ("1h0m0s"); the type's semantic equality keeps the user's
// "1h" in state, so no diff appears.
func settingsFrom(cfg kv.Config) bucketSettings {
	s := bucketSettings{
		Description:    types.StringValue(cfg.Description),
		History:        types.Int64Value(int64(cfg.History)),
		TTL:            timetypes.NewGoDurationValue(cfg.TTL),
		MaxValueSize:   types.Int64Value(int64(cfg.MaxValueSize)),
		MaxBytes:       types.Int64Value(cfg.MaxBytes),
		Storage:        types.StringValue(cfg.Storage),
		Replicas:       types.Int64Value(int64(cfg.Replicas)),
		Compression:    types.BoolValue(cfg.Compression),
		LimitMarkerTTL: timetypes.NewGoDurationValue(cfg.LimitMarkerTTL),
		StreamName:     types.StringValue(kv.StreamName(cfg.Name)),
	}
	s.Placement = placementFrom(cfg.Placement)
	if r := cfg.RePublish; r != nil {
		s.RePublish = &republishModel{
			Source:      optionalString(r.Source),
			Destination: types.StringValue(r.Destination),
			HeadersOnly: types.BoolValue(r.HeadersOnly),
		}
	}
	md := make(map[string]attr.Value, len(cfg.Metadata))
	for k, v := range cfg.Metadata {
		md[k] = types.StringValue(v)
	}
	s.Metadata = types.MapValueMust(types.StringType, md)
	return s
}

// optionalString is null for an empty string: what is absent is null, and
// every non-null value in state costs Terraform and the framework time on
// every request for every resource.
func optionalString(v string) types.String {
	if v == "" {
		return types.StringNull()
	}
	return types.StringValue(v)
}

func duration(v timetypes.GoDuration, diags *diag.Diagnostics) time.Duration {
	if v.IsNull() || v.IsUnknown() {
		return 0
	}
	d, ds := v.ValueGoDuration()
	diags.Append(ds...)
	return d
}
