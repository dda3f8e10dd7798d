package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/natsk3s/terraform-provider-nats/internal/kv"
)

var _ datasource.DataSourceWithConfigure = (*kvBucketDataSource)(nil)

type kvBucketDataSource struct{ client *client }

func newKVBucketDataSource() datasource.DataSource { return &kvBucketDataSource{} }

type kvBucketDataModel struct {
	Name            types.String `tfsdk:"name"`
	JetStreamDomain types.String `tfsdk:"jetstream_domain"`
	Credentials     types.String `tfsdk:"credentials"`
	bucketSettings
	Status *bucketStatusModel `tfsdk:"status"`
}

type bucketStatusModel struct {
	Values       types.Int64    `tfsdk:"values"`
	Bytes        types.Int64    `tfsdk:"bytes"`
	LastSequence types.Int64    `tfsdk:"last_sequence"`
	Cluster      types.String   `tfsdk:"cluster"`
	Leader       types.String   `tfsdk:"leader"`
	Replicas     []replicaModel `tfsdk:"replicas"`
}

type replicaModel struct {
	Name    types.String `tfsdk:"name"`
	Current types.Bool   `tfsdk:"current"`
	Offline types.Bool   `tfsdk:"offline"`
	Active  types.String `tfsdk:"active"`
	Lag     types.Int64  `tfsdk:"lag"`
}

func (d *kvBucketDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_kv_bucket"
}

func (d *kvBucketDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *kvBucketDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	computedInt := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a JetStream key-value bucket: its settings and its live status.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: docBucketName,
				Validators:          []validator.String{nameValidator()},
			},
			"jetstream_domain": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: docDomain,
				Validators:          []validator.String{domainValidator()},
			},
			"credentials": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: docCredentials,
			},
			"description":      computed(docDescription),
			"history":          computedInt(docHistory),
			"ttl":              schema.StringAttribute{CustomType: timetypes.GoDurationType{}, Computed: true, MarkdownDescription: docTTL},
			"max_value_size":   computedInt(docMaxValueSize),
			"max_bytes":        computedInt(docMaxBytes),
			"storage":          computed(docStorage),
			"replicas":         computedInt(docReplicas),
			"compression":      schema.BoolAttribute{Computed: true, MarkdownDescription: docCompression},
			"limit_marker_ttl": schema.StringAttribute{CustomType: timetypes.GoDurationType{}, Computed: true, MarkdownDescription: docLimitMarkerTTL},
			"metadata":         schema.MapAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: docMetadata},
			"stream_name":      computed(docStreamName),
			"placement": schema.SingleNestedAttribute{
				Computed: true, MarkdownDescription: docPlacement,
				Attributes: map[string]schema.Attribute{
					"cluster": computed(docPlacementCluster),
					"tags":    schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: docPlacementTags},
				},
			},
			"republish": schema.SingleNestedAttribute{
				Computed: true, MarkdownDescription: docRePublish,
				Attributes: map[string]schema.Attribute{
					"source":       computed(docRePublishSource),
					"destination":  computed(docRePublishDestination),
					"headers_only": schema.BoolAttribute{Computed: true, MarkdownDescription: docRePublishHeadersOnly},
				},
			},
			"status": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Live state of the bucket.",
				Attributes: map[string]schema.Attribute{
					"values":        computedInt("Number of values stored, history included."),
					"bytes":         computedInt("Bytes stored."),
					"last_sequence": computedInt("Last stream sequence: the bucket's latest revision."),
					"cluster":       computed("Cluster that holds the bucket, when clustered."),
					"leader":        computed("Server that leads the bucket's stream, when clustered."),
					"replicas": schema.ListNestedAttribute{
						Computed:            true,
						MarkdownDescription: "Health of each follower replica.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"name":    computed("Server name."),
							"current": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the replica is up to date."},
							"offline": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the replica's server is offline."},
							"active":  computed("Time since the replica was last heard from, as a Go duration."),
							"lag":     computedInt("Operations the replica is behind."),
						}},
					},
				},
			},
		},
	}
}

func (d *kvBucketDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m kvBucketDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	js, err := d.client.jetStream(ctx, m.Credentials, m.JetStreamDomain)
	if err != nil {
		addConnError(&resp.Diagnostics, err)
		return
	}
	cfg, st, err := kv.Status(ctx, js, m.Name.ValueString())
	if errors.Is(err, kv.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Bucket not found",
			fmt.Sprintf("There is no bucket %q in JetStream domain %q for this identity. Check the name, jetstream_domain and credentials.",
				m.Name.ValueString(), d.client.domainFor(m.JetStreamDomain)))
		return
	}
	if err != nil {
		addBucketError(&resp.Diagnostics, "read", m.Name.ValueString(), err)
		return
	}
	m.bucketSettings = settingsFrom(cfg)
	m.Status = &bucketStatusModel{
		Values:       types.Int64Value(int64(st.Values)),
		Bytes:        types.Int64Value(int64(st.Bytes)),
		LastSequence: types.Int64Value(int64(st.LastSequence)),
		Cluster:      types.StringValue(st.Cluster),
		Leader:       types.StringValue(st.Leader),
		Replicas:     []replicaModel{},
	}
	for _, r := range st.Replicas {
		m.Status.Replicas = append(m.Status.Replicas, replicaModel{
			Name:    types.StringValue(r.Name),
			Current: types.BoolValue(r.Current),
			Offline: types.BoolValue(r.Offline),
			Active:  types.StringValue(r.Active.String()),
			Lag:     types.Int64Value(int64(r.Lag)),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
