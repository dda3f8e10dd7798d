package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/mirror"
)

// kvMirrorModel is the nats_kv_mirror resource.
type kvMirrorModel struct {
	ID                    types.String       `tfsdk:"id"`
	Name                  types.String       `tfsdk:"name"`
	Source                *mirrorSourceModel `tfsdk:"source"`
	JetStreamDomain       types.String       `tfsdk:"jetstream_domain"`
	Replicas              types.Int64        `tfsdk:"replicas"`
	Placement             *placementModel    `tfsdk:"placement"`
	Credentials           types.String       `tfsdk:"credentials"`
	DeletionProtection    types.Bool         `tfsdk:"deletion_protection"`
	Promote               types.Bool         `tfsdk:"promote"`
	AllowLaggingPromotion types.Bool         `tfsdk:"allow_lagging_promotion"`
	AllowSourceDisruption types.Bool         `tfsdk:"allow_source_disruption"`
	SealSource            types.Bool         `tfsdk:"seal_source"`
	WaitForSync           types.Bool         `tfsdk:"wait_for_sync"`
	Conformance           types.Object       `tfsdk:"conformance"`
	ConformanceReport     types.Object       `tfsdk:"conformance_report"`
	History               types.Int64        `tfsdk:"history"`
	SourceReachable       types.Bool         `tfsdk:"source_reachable"`
	SourceSealed          types.Bool         `tfsdk:"source_sealed"`
	Timeouts              timeouts.Value     `tfsdk:"timeouts"`
}

// mirrorSourceModel is the `source` of a mirror.
type mirrorSourceModel struct {
	Bucket        types.String `tfsdk:"bucket"`
	Domain        types.String `tfsdk:"domain"`
	APIPrefix     types.String `tfsdk:"api_prefix"`
	DeliverPrefix types.String `tfsdk:"deliver_prefix"`
}

// Descriptions of a mirror's source, shared by the resource and the data
// source.
const (
	docSourceBucket = "Name of the bucket to mirror."
	docSourceDomain = "JetStream domain of the source, for a mirror in another region (the mirror may then keep the source's name). " +
		"Defaults to the mirror's own domain."
	docSourceAPIPrefix = "For a source in another account: the subject prefix under which this account imports the source account's JetStream API " +
		"(`$JS.API.>` exported by the source account, imported as `<api_prefix>.>`). The source account must export at least " +
		"`$JS.API.STREAM.INFO.KV_<bucket>` and `$JS.API.CONSUMER.CREATE.KV_<bucket>.>`. Conflicts with `domain`."
	docSourceDeliverPrefix = "For a source in another account: the delivery subject prefix the source account exports to this one, through which the mirror receives the messages."
)

// sourceAttributes are the attributes of a mirror's `source`, as resource
// schema attributes (the data source converts them).
func sourceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"bucket": schema.StringAttribute{
			Required: true, MarkdownDescription: docSourceBucket,
			Validators: []validator.String{nameValidator()},
		},
		"domain": schema.StringAttribute{
			Optional: true, MarkdownDescription: docSourceDomain,
			Validators: []validator.String{domainValidator(), stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("api_prefix"))},
		},
		"api_prefix": schema.StringAttribute{
			Optional: true, MarkdownDescription: docSourceAPIPrefix,
			Validators: []validator.String{stringvalidator.RegexMatches(subjectTokenPattern, "must be subject tokens separated by dots, without wildcards, such as JS.source.API")},
		},
		"deliver_prefix": schema.StringAttribute{
			Optional: true, MarkdownDescription: docSourceDeliverPrefix,
			Validators: []validator.String{
				stringvalidator.RegexMatches(subjectTokenPattern, "must be subject tokens separated by dots, without wildcards"),
				stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("api_prefix")),
			},
		},
	}
}

// placementAttribute is where a stream is placed; notEmptyObject keeps an
// empty placement (which the server drops) out of the plan.
func placementAttribute(desc string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional:            true,
		MarkdownDescription: desc,
		Validators:          []validator.Object{notEmptyObject{}},
		Attributes: map[string]schema.Attribute{
			"cluster": schema.StringAttribute{Optional: true, MarkdownDescription: docPlacementCluster},
			"tags": schema.ListAttribute{
				ElementType: types.StringType, Optional: true,
				MarkdownDescription: docPlacementTags,
				Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
			},
		},
	}
}

// source is the model's source as the mirror package takes it.
func (s *mirrorSourceModel) source() mirror.Source {
	if s == nil {
		return mirror.Source{}
	}
	return mirror.Source{
		Bucket: s.Bucket.ValueString(), Domain: s.Domain.ValueString(),
		APIPrefix: s.APIPrefix.ValueString(), DeliverPrefix: s.DeliverPrefix.ValueString(),
	}
}

// sourceModel is a source read back from the server.
func sourceModel(s mirror.Source) *mirrorSourceModel {
	return &mirrorSourceModel{
		Bucket: types.StringValue(s.Bucket), Domain: optionalString(s.Domain),
		APIPrefix: optionalString(s.APIPrefix), DeliverPrefix: optionalString(s.DeliverPrefix),
	}
}

// spec is the mirror the model describes, with the provider's default
// domain filled in.
func (m *kvMirrorModel) spec(ctx context.Context, c *client) (mirror.Spec, diag.Diagnostics) {
	spec := mirror.Spec{
		Name:                  m.Name.ValueString(),
		Domain:                c.domainFor(m.JetStreamDomain),
		Source:                m.Source.source(),
		Replicas:              int(m.Replicas.ValueInt64()),
		AllowSourceDisruption: m.AllowSourceDisruption.ValueBool(),
	}
	var diags diag.Diagnostics
	spec.Placement, diags = m.Placement.toKV(ctx)
	return spec, diags
}

// effectiveSource is what decides where a mirror's source is: the same
// source spelled differently (its domain left to default, or spelled out)
// is the same source.
func effectiveSource(spec mirror.Spec) mirror.Source {
	s := spec.Source
	if s.APIPrefix == "" && s.Domain == "" {
		s.Domain = spec.Domain
	}
	return s
}

// toKV is a placement as the kv package takes it; nil for none.
func (p *placementModel) toKV(ctx context.Context) (*kv.Placement, diag.Diagnostics) {
	if p == nil {
		return nil, nil
	}
	out := &kv.Placement{Cluster: p.Cluster.ValueString()}
	diags := p.Tags.ElementsAs(ctx, &out.Tags, false)
	return out, diags
}

// placementFrom is a placement read back from the server.
func placementFrom(p *kv.Placement) *placementModel {
	if p == nil {
		return nil
	}
	m := &placementModel{Cluster: optionalString(p.Cluster), Tags: types.ListNull(types.StringType)}
	if len(p.Tags) > 0 {
		tags := make([]attr.Value, 0, len(p.Tags))
		for _, t := range p.Tags {
			tags = append(tags, types.StringValue(t))
		}
		m.Tags = types.ListValueMust(types.StringType, tags)
	}
	return m
}

// mirrorJetStreams are the JetStream contexts of a mirror (its domain) and
// of its source (the source's domain or API prefix), on the identity the
// resource uses.
func (c *client) mirrorJetStreams(ctx context.Context, creds types.String, spec mirror.Spec) (js, src jetstream.JetStream, err error) {
	conn, err := c.conn(ctx, creds)
	if err != nil {
		return nil, nil, err
	}
	if js, err = conn.JetStream(spec.Domain); err != nil {
		return nil, nil, err
	}
	switch s := spec.Source; {
	case s.APIPrefix != "":
		src, err = conn.JetStreamPrefix(s.APIPrefix)
	case s.Domain != "":
		src, err = conn.JetStream(s.Domain)
	default:
		src = js
	}
	return js, src, err
}
