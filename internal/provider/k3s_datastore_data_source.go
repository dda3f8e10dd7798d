package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

var _ datasource.DataSourceWithConfigure = (*k3sDatastoreDataSource)(nil)

type k3sDatastoreDataSource struct{ client *client }

func newK3sDatastoreDataSource() datasource.DataSource { return &k3sDatastoreDataSource{} }

type k3sDatastoreDataModel struct {
	Bucket          types.String `tfsdk:"bucket"`
	Replicas        types.Int64  `tfsdk:"replicas"`
	RevHistory      types.Int64  `tfsdk:"rev_history"`
	JetStreamDomain types.String `tfsdk:"jetstream_domain"`
	Credentials     types.String `tfsdk:"credentials"`
	LiveKeys        types.Int64  `tfsdk:"live_keys"`
	Revision        types.Int64  `tfsdk:"revision"`
	CompactRevision types.Int64  `tfsdk:"compact_revision"`
	Bytes           types.Int64  `tfsdk:"bytes"`
	KineHasRun      types.Bool   `tfsdk:"kine_has_run"`
	Accepted        types.Bool   `tfsdk:"accepted"`
	Differences     []string     `tfsdk:"differences"`
}

func (d *k3sDatastoreDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_k3s_datastore"
}

func (d *k3sDatastoreDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *k3sDatastoreDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	num := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "KINE's view of a bucket: what a kube-apiserver using it would see, and whether KINE would accept the bucket " +
			"with the given endpoint parameters. Reads only; starts no KINE.",
		Attributes: map[string]schema.Attribute{
			"bucket": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Bucket to read. Defaults to `kine`.",
				Validators: []validator.String{nameValidator()},
			},
			"replicas": schema.Int64Attribute{
				Optional: true, MarkdownDescription: "The endpoint's `replicas` to judge acceptance by. Defaults to `1`.",
				Validators: []validator.Int64{int64validator.Between(k3s.MinReplicas, k3s.MaxReplicas)},
			},
			"rev_history": schema.Int64Attribute{
				Optional: true, MarkdownDescription: "The endpoint's `revHistory` to judge acceptance by. Defaults to `10`.",
				Validators: []validator.Int64{int64validator.Between(k3s.MinRevHistory, k3s.MaxRevHistory)},
			},
			"jetstream_domain": schema.StringAttribute{
				Optional: true, MarkdownDescription: docDomain,
				Validators: []validator.String{domainValidator()},
			},
			"credentials":      schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: docCredentialsData},
			"live_keys":        num("Keys whose latest revision is not a delete, KINE's own bookkeeping keys left out."),
			"revision":         num("Current revision: the bucket stream's last sequence."),
			"compact_revision": num("Revision KINE last compacted to; 0 if never."),
			"bytes":            num("Bytes stored."),
			"kine_has_run":     schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether KINE's health key is present: KINE has run against this bucket."},
			"accepted":         schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether KINE, started with `replicas` and `rev_history`, would accept the bucket."},
			"differences": schema.ListAttribute{
				ElementType: types.StringType, Computed: true,
				MarkdownDescription: "Every setting that keeps KINE from accepting the bucket, with the value KINE expects.",
			},
		},
	}
}

func (d *k3sDatastoreDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m k3sDatastoreDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	bucket := m.Bucket.ValueString()
	if bucket == "" {
		bucket = k3s.DefaultBucket
	}
	replicas, history := int(m.Replicas.ValueInt64()), int(m.RevHistory.ValueInt64())
	if replicas == 0 {
		replicas = k3s.DefaultReplicas
	}
	if history == 0 {
		history = k3s.DefaultRevHistory
	}
	js, err := d.client.jetStream(ctx, m.Credentials, m.JetStreamDomain)
	if err != nil {
		addConnError(&resp.Diagnostics, err)
		return
	}
	st, err := k3s.Inspect(ctx, js, bucket)
	if errors.Is(err, k3s.ErrNoBucket) {
		resp.Diagnostics.AddAttributeError(path.Root("bucket"), "Datastore bucket not found",
			fmt.Sprintf("There is no bucket %q in JetStream domain %q for this identity. Check bucket, jetstream_domain and credentials.",
				bucket, d.client.domainFor(m.JetStreamDomain)))
		return
	}
	if err != nil {
		addBucketError(&resp.Diagnostics, "inspect", bucket, err)
		return
	}
	diffs, err := k3s.Differences(ctx, js, bucket, replicas, history)
	if err != nil {
		addBucketError(&resp.Diagnostics, "read", bucket, err)
		return
	}
	m.LiveKeys = types.Int64Value(st.LiveKeys)
	m.Revision = types.Int64Value(st.Revision)
	m.CompactRevision = types.Int64Value(st.CompactRevision)
	m.Bytes = types.Int64Value(int64(st.Bytes))
	m.KineHasRun = types.BoolValue(st.HealthKey)
	m.Accepted = types.BoolValue(len(diffs) == 0)
	m.Differences = make([]string, 0, len(diffs))
	for _, df := range diffs {
		m.Differences = append(m.Differences, df.String())
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
