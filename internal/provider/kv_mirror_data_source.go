package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/mirror"
)

var _ datasource.DataSourceWithConfigure = (*kvMirrorDataSource)(nil)

type kvMirrorDataSource struct{ client *client }

func newKVMirrorDataSource() datasource.DataSource { return &kvMirrorDataSource{} }

type kvMirrorDataModel struct {
	Name            types.String       `tfsdk:"name"`
	JetStreamDomain types.String       `tfsdk:"jetstream_domain"`
	Credentials     types.String       `tfsdk:"credentials"`
	Source          *mirrorSourceModel `tfsdk:"source"`
	Promoted        types.Bool         `tfsdk:"promoted"`
	History         types.Int64        `tfsdk:"history"`
	Replicas        types.Int64        `tfsdk:"replicas"`
	LastSequence    types.Int64        `tfsdk:"last_sequence"`
	Values          types.Int64        `tfsdk:"values"`
	Lag             types.Int64        `tfsdk:"lag"`
	LagTime         types.String       `tfsdk:"lag_time"`
	LastActivity    types.String       `tfsdk:"last_activity"`
	MirrorError     types.String       `tfsdk:"mirror_error"`
	SourceReachable types.Bool         `tfsdk:"source_reachable"`
	SourceError     types.String       `tfsdk:"source_error"`
	SourceSealed    types.Bool         `tfsdk:"source_sealed"`
	SplitBrain      types.Bool         `tfsdk:"split_brain"`
	KineAccepts     types.Bool         `tfsdk:"kine_accepts"`
	KineDifferences []string           `tfsdk:"kine_differences"`
	KineEndpoint    types.String       `tfsdk:"kine_endpoint"`
}

func (d *kvMirrorDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_kv_mirror"
}

func (d *kvMirrorDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *kvMirrorDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	num := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	flag := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A mirror of a k3s datastore bucket and its source as the servers see them now: how far behind the mirror is, whether it was " +
			"promoted, whether the former source still takes writes, and whether KINE accepts the bucket once promoted, with which endpoint. Reads only.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{Required: true, MarkdownDescription: "Name of the mirror.", Validators: []validator.String{nameValidator()}},
			"jetstream_domain": schema.StringAttribute{
				Optional: true, MarkdownDescription: docDomain, Validators: []validator.String{domainValidator()},
			},
			"credentials": schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: docCredentialsData},
			"source": schema.SingleNestedAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The source. Read from the mirror's stream; a promoted bucket no longer names it, so give it here to learn about the former source.",
				Attributes: map[string]schema.Attribute{
					"bucket": schema.StringAttribute{Required: true, MarkdownDescription: docSourceBucket, Validators: []validator.String{nameValidator()}},
					"domain": schema.StringAttribute{
						Optional: true, MarkdownDescription: docSourceDomain,
						Validators: []validator.String{domainValidator(), stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("api_prefix"))},
					},
					"api_prefix":     schema.StringAttribute{Optional: true, MarkdownDescription: docSourceAPIPrefix},
					"deliver_prefix": schema.StringAttribute{Optional: true, MarkdownDescription: docSourceDeliverPrefix},
				},
			},
			"promoted":         flag("Whether the mirror was promoted into a bucket of its own."),
			"history":          num("History of the mirror, copied from the source: the endpoint's `revHistory` once promoted."),
			"replicas":         num("Replicas of the mirror: the endpoint's `replicas` once promoted."),
			"last_sequence":    num("The mirror's last sequence: KINE's revision it has reached."),
			"values":           num("Messages stored in the mirror."),
			"lag":              num("How many messages the mirror is behind its source: counted from the source when it answers, else the server's last word; 0 once promoted."),
			"lag_time":         str("The span of source writes the mirror does not have, as a Go duration, when the source answers; `0s` when caught up."),
			"last_activity":    str("How long ago the mirror last heard from its source, as a Go duration; null if it never did or once promoted."),
			"mirror_error":     str("What the server reports wrong with the mirror's link to its source; null when there is nothing."),
			"source_reachable": flag("Whether the source answered."),
			"source_error":     str("Why the source did not answer; null when it did."),
			"source_sealed":    flag("Whether the source is sealed (read-only); false when it did not answer."),
			"split_brain":      flag("Whether the mirror was promoted while its former source answers and still takes writes."),
			"kine_accepts":     flag("Whether KINE accepts the bucket (once promoted, if it is not yet) with `kine_endpoint`."),
			"kine_differences": schema.ListAttribute{
				ElementType: types.StringType, Computed: true,
				MarkdownDescription: "What keeps KINE from accepting the bucket once promoted, with the value KINE needs.",
			},
			"kine_endpoint": str("The endpoint for KINE once the bucket is promoted: the provider's servers, this bucket, its replicas and history (no credentials). " +
				"`nats_k3s_datastore` adopting the promoted bucket gives the full one."),
		},
	}
}

func (d *kvMirrorDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m kvMirrorDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec := mirror.Spec{Name: m.Name.ValueString(), Domain: d.client.domainFor(m.JetStreamDomain), Source: m.Source.source()}
	js, src, err := d.client.mirrorJetStreams(ctx, m.Credentials, spec)
	if err != nil {
		addConnError(&resp.Diagnostics, err)
		return
	}
	if m.Source == nil {
		src = nil
	}
	st, err := mirror.Get(ctx, js, src, spec)
	if err == nil && m.Source == nil && st.Source.Bucket != "" {
		// Now that the stream has named its source, look at it too.
		spec.Source = st.Source
		if _, src, err = d.client.mirrorJetStreams(ctx, m.Credentials, spec); err == nil {
			st, err = mirror.Get(ctx, js, src, spec)
		}
	}
	if errors.Is(err, kv.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Mirror not found",
			fmt.Sprintf("There is no bucket %q in JetStream domain %q for this identity. Check name, jetstream_domain and credentials.", spec.Name, spec.Domain))
		return
	}
	if err != nil {
		addMirrorError(&resp.Diagnostics, "read", spec, err)
		return
	}
	m.fill(st, d.client)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// fill sets the computed attributes from a status.
func (m *kvMirrorDataModel) fill(st mirror.Status, c *client) {
	if m.Source == nil && st.Source.Bucket != "" {
		m.Source = sourceModel(st.Source)
	}
	m.Promoted = types.BoolValue(st.Promoted)
	m.History = types.Int64Value(st.Config.MaxMsgsPerSubject)
	m.Replicas = types.Int64Value(int64(st.Config.Replicas))
	m.LastSequence = types.Int64Value(int64(st.LastSeq))
	m.Values = types.Int64Value(int64(st.Values))
	m.Lag = types.Int64Value(int64(st.Lag))
	m.LagTime = types.StringValue(st.LagTime.Round(time.Millisecond).String())
	m.LastActivity = types.StringNull()
	if !st.Promoted && st.LastActivity >= 0 {
		m.LastActivity = types.StringValue(st.LastActivity.Round(time.Millisecond).String())
	}
	m.MirrorError = optionalString(st.MirrorError)
	m.SourceReachable = types.BoolValue(st.SourceReachable)
	m.SourceError = optionalString(st.SourceError)
	m.SourceSealed = types.BoolValue(st.SourceReachable && st.SourceSealed)
	m.SplitBrain = types.BoolValue(st.SplitBrain())
	diffs := mirror.KineDifferences(st.Config)
	m.KineAccepts = types.BoolValue(len(diffs) == 0)
	m.KineDifferences = make([]string, 0, len(diffs))
	for _, df := range diffs {
		m.KineDifferences = append(m.KineDifferences, df.String())
	}
	ep := k3s.Endpoint{Servers: c.endpointServers(), Bucket: m.Name.ValueString(), Replicas: st.Config.Replicas, RevHistory: int(st.Config.MaxMsgsPerSubject), NoEmbed: true}
	m.KineEndpoint = types.StringValue(ep.Redacted())
}
