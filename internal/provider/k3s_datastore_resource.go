package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

var (
	_ resource.ResourceWithConfigure   = (*k3sDatastoreResource)(nil)
	_ resource.ResourceWithImportState = (*k3sDatastoreResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*k3sDatastoreResource)(nil)
)

type k3sDatastoreResource struct{ client *client }

func newK3sDatastoreResource() resource.Resource { return &k3sDatastoreResource{} }

type k3sDatastoreModel struct {
	ID                 types.String `tfsdk:"id"`
	Bucket             types.String `tfsdk:"bucket"`
	Replicas           types.Int64  `tfsdk:"replicas"`
	RevHistory         types.Int64  `tfsdk:"rev_history"`
	Servers            types.List   `tfsdk:"servers"`
	Credentials        types.String `tfsdk:"credentials"`
	CredsFile          types.String `tfsdk:"creds_file"`
	ContextFile        types.String `tfsdk:"context_file"`
	CAFile             types.String `tfsdk:"ca_file"`
	CertFile           types.String `tfsdk:"cert_file"`
	KeyFile            types.String `tfsdk:"key_file"`
	JetStreamDomain    types.String `tfsdk:"jetstream_domain"`
	DeletionProtection types.Bool   `tfsdk:"deletion_protection"`
	Conformance        types.Object `tfsdk:"conformance"`
	ConformanceReport  types.Object `tfsdk:"conformance_report"`
	Adopted            types.Bool   `tfsdk:"adopted"`
	Endpoint           types.String `tfsdk:"endpoint"`
	EndpointRedacted   types.String `tfsdk:"endpoint_redacted"`
	K3sConfig          types.String `tfsdk:"k3s_config"`
	KineArgs           types.List   `tfsdk:"kine_args"`
}

func (r *k3sDatastoreResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_k3s_datastore"
}

func (r *k3sDatastoreResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *k3sDatastoreResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A JetStream key-value bucket prepared for KINE, and the exact `--datastore-endpoint` for `k3s server`. " +
			"The bucket is made exactly as KINE makes it, so KINE accepts it; on every apply a real KINE, linked into the provider, " +
			"is started with that endpoint and driven through the etcd API (`conformance`), so a green apply means k3s can keep its state there.",
		Attributes: map[string]schema.Attribute{
			"id": computed("`<bucket>`, or `<jetstream_domain>/<bucket>`; also the import ID."),
			"bucket": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(k3s.DefaultBucket),
				MarkdownDescription: "Bucket that holds the cluster state. Defaults to `kine`. Changing it replaces the datastore: the cluster state in the old bucket is deleted.",
				Validators:          []validator.String{nameValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"replicas": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(k3s.DefaultReplicas),
				MarkdownDescription: "Replicas of the bucket, 1 to 5; changes in place, with the endpoint kept in step. Defaults to `1`.",
				Validators:          []validator.Int64{int64validator.Between(k3s.MinReplicas, k3s.MaxReplicas)},
			},
			"rev_history": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(k3s.DefaultRevHistory),
				MarkdownDescription: "Revisions KINE keeps per key (its `revHistory`), 2 to 64; changes in place, with the endpoint kept in step. Defaults to `10`.",
				Validators:          []validator.Int64{int64validator.Between(k3s.MinRevHistory, k3s.MaxRevHistory)},
			},
			"servers": schema.ListAttribute{
				ElementType: types.StringType, Optional: true,
				MarkdownDescription: "Servers k3s connects to, as `host:port` or `nats://host:port` (KINE takes only `nats://`). Defaults to the provider's servers, with `tls://` ones as `nats://`: KINE's TLS comes from `ca_file`, `cert_file` and `key_file`, not from the scheme.",
				Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
			},
			"credentials": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "Content of the `.creds` file the provider uses to create and check the datastore, instead of its own identity. " +
					"With `creds_file`, the check runs KINE with these credentials in a private temporary file in place of that path.",
			},
			"creds_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Path of the `.creds` file on the k3s servers; it goes into the endpoint as `credsFile`.",
				Validators:          []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("context_file")), stringvalidator.LengthAtLeast(1)},
			},
			"context_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Path of a `nats` context file on the k3s servers; it goes into the endpoint as `contextFile`, and the endpoint names no host.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"ca_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path on the k3s servers of the CA that signed the NATS servers' certificates. It goes into `k3s_config` as `datastore-cafile` " +
					"and into `kine_args` as `--ca-file`, and makes KINE's connection TLS. The check uses the provider's `tls.ca` in its place.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"cert_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path on the k3s servers of the client certificate for NATS servers that verify clients (`datastore-certfile`, `--cert-file`). " +
					"Needs `key_file`. The check uses the provider's `tls.cert` in its place.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(path.MatchRoot("key_file"))},
			},
			"key_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path on the k3s servers of the client certificate's key (`datastore-keyfile`, `--key-file`). " +
					"Needs `cert_file`. The check uses the provider's `tls.key` in its place.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(path.MatchRoot("cert_file"))},
			},
			"jetstream_domain": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "JetStream domain to create the bucket in. KINE has no domain option: the endpoint's servers must be servers of that domain. Changing it replaces the datastore.",
				Validators:          []validator.String{domainValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"deletion_protection": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "When `true`, destroying the datastore fails and the cluster state is kept. Defaults to `true`.",
			},
			"conformance":        conformanceAttribute(modeEnforce),
			"conformance_report": reportAttribute(),
			"adopted": schema.BoolAttribute{
				Computed:            true,
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
				MarkdownDescription: "Whether the bucket existed already (with exactly KINE's settings) and was adopted rather than created.",
			},
			"endpoint": schema.StringAttribute{
				Computed: true, Sensitive: true,
				MarkdownDescription: "The exact value for `k3s server --datastore-endpoint`. Sensitive, since servers may carry a password or token; see `endpoint_redacted` for display.",
			},
			"endpoint_redacted": computed("The endpoint with any password or token replaced by `REDACTED`, for logs and outputs."),
			"k3s_config": schema.StringAttribute{
				Computed: true, Sensitive: true,
				MarkdownDescription: "A snippet for `/etc/rancher/k3s/config.yaml` that sets `datastore-endpoint`.",
			},
			"kine_args": schema.ListAttribute{
				ElementType: types.StringType, Computed: true, Sensitive: true,
				MarkdownDescription: "Arguments to run the `kine` binary standalone against this datastore (listening on loopback).",
			},
		},
	}
}

// endpoint is the KINE endpoint the model describes. Servers default to the
// provider's.
func (r *k3sDatastoreResource) endpoint(ctx context.Context, m *k3sDatastoreModel) (k3s.Endpoint, diag.Diagnostics) {
	var diags diag.Diagnostics
	ep := k3s.Endpoint{
		Bucket:      m.Bucket.ValueString(),
		Replicas:    int(m.Replicas.ValueInt64()),
		RevHistory:  int(m.RevHistory.ValueInt64()),
		CredsFile:   m.CredsFile.ValueString(),
		ContextFile: m.ContextFile.ValueString(),
		NoEmbed:     true,
	}
	if ep.ContextFile == "" {
		diags.Append(m.Servers.ElementsAs(ctx, &ep.Servers, false)...)
		if len(ep.Servers) == 0 {
			ep.Servers = r.client.endpointServers()
		}
	}
	if err := ep.Validate(); err != nil {
		diags.AddAttributeError(path.Root("servers"), "Invalid datastore endpoint",
			fmt.Sprintf("The endpoint for k3s would be invalid: %v.\n\nKINE accepts only nats:// servers (tls:// ones are turned into them, with ca_file for TLS); set servers explicitly if the provider connects otherwise, for example over websockets.", err))
	}
	return ep, diags
}

// setOutputs fills the computed endpoint attributes from ep.
func setOutputs(m *k3sDatastoreModel, ep k3s.Endpoint) {
	m.Endpoint = types.StringValue(ep.String())
	m.EndpointRedacted = types.StringValue(ep.Redacted())
	tls := k3s.TLSFiles{CA: m.CAFile.ValueString(), Cert: m.CertFile.ValueString(), Key: m.KeyFile.ValueString()}
	m.K3sConfig = types.StringValue(k3s.K3sConfig(ep, tls))
	args := []attr.Value{}
	for _, a := range k3s.KineArgs(ep, tls) {
		args = append(args, types.StringValue(a))
	}
	m.KineArgs = types.ListValueMust(types.StringType, args)
	m.ID = types.StringValue(bucketID(m.JetStreamDomain.ValueString(), ep.Bucket))
}

// ModifyPlan shows the endpoint at plan time and warns before a replacement
// deletes a cluster's state.
func (r *k3sDatastoreResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan k3sDatastoreModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !req.Plan.Raw.IsFullyKnown() || (r.client != nil && r.client.unknown) {
		return
	}
	ep, diags := r.endpoint(ctx, &plan)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	setOutputs(&plan, ep)
	if !req.State.Raw.IsNull() {
		var state k3sDatastoreModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if state.Bucket.ValueString() != plan.Bucket.ValueString() || state.JetStreamDomain.ValueString() != plan.JetStreamDomain.ValueString() {
			resp.Diagnostics.AddWarning("The k3s cluster state would be lost",
				fmt.Sprintf("This plan replaces the datastore: bucket %q, which holds the k3s cluster's state, is deleted and an empty bucket %q is made. "+
					"Every Kubernetes object of that cluster is lost. If that is not what you want, keep bucket and jetstream_domain as they are.",
					bucketID(state.JetStreamDomain.ValueString(), state.Bucket.ValueString()), plan.ID.ValueString()))
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *k3sDatastoreResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.save(ctx, req.Plan, &resp.State, &resp.Diagnostics, func(ctx context.Context, js jetstream.JetStream, ep k3s.Endpoint, m *k3sDatastoreModel) bool {
		adopted, err := k3s.EnsureBucket(ctx, js, ep.Bucket, ep.Replicas, ep.RevHistory)
		var mm *k3s.MismatchError
		if errors.As(err, &mm) {
			resp.Diagnostics.AddAttributeError(path.Root("bucket"), "Existing bucket is not a KINE datastore",
				mm.Error()+"\n\nKINE would refuse to start against it. Use another bucket name, change replicas/rev_history to match, "+
					"or fix the bucket (nats_kv_bucket can manage it) so that it has exactly these settings.")
			return false
		}
		if err != nil {
			addBucketError(&resp.Diagnostics, "create", ep.Bucket, err)
			return false
		}
		m.Adopted = types.BoolValue(adopted)
		return true
	})
}

// save brings the bucket to the plan with write (create or resize), then
// fills the endpoint outputs, runs KINE with exactly that endpoint, and
// saves the state.
func (r *k3sDatastoreResource) save(ctx context.Context, planned tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics,
	write func(context.Context, jetstream.JetStream, k3s.Endpoint, *k3sDatastoreModel) bool) {
	var plan k3sDatastoreModel
	diags.Append(planned.Get(ctx, &plan)...)
	ep, d := r.endpoint(ctx, &plan)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	js, err := r.client.jetStream(ctx, plan.Credentials, plan.JetStreamDomain)
	if err != nil {
		addConnError(diags, err)
		return
	}
	if !write(ctx, js, ep, &plan) {
		return
	}
	setOutputs(&plan, ep)
	plan.ConformanceReport = r.check(ctx, &plan, ep, diags)
	if diags.HasError() && plan.Adopted.ValueBool() && state.Raw.IsNull() {
		// The check failed on a bucket that existed before (perhaps with a
		// live cluster's state): keep it out of state, so it is neither
		// tainted nor replaced; the next apply adopts it again.
		return
	}
	diags.Append(state.Set(ctx, &plan)...)
}

func (r *k3sDatastoreResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state k3sDatastoreModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	js, ok := r.client.refreshJetStream(ctx, state.Credentials, state.JetStreamDomain, &resp.Diagnostics)
	if !ok {
		return
	}
	replicas, history, drift, err := k3s.BucketReplicas(ctx, js, state.Bucket.ValueString())
	if errors.Is(err, k3s.ErrNoBucket) {
		resp.Diagnostics.AddWarning("Datastore bucket deleted outside Terraform",
			fmt.Sprintf("Bucket %q no longer exists: the k3s cluster state in it is gone. It is removed from state and an empty datastore will be created on the next apply.", state.Bucket.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addBucketError(&resp.Diagnostics, "read", state.Bucket.ValueString(), err)
		return
	}
	state.Replicas, state.RevHistory = types.Int64Value(int64(replicas)), types.Int64Value(int64(history))
	// Other settings are not attributes, but KINE refuses the bucket if any
	// of them moved: say so at every plan.
	if len(drift) > 0 {
		parts := make([]string, len(drift))
		for i, d := range drift {
			parts[i] = d.String()
		}
		resp.Diagnostics.AddWarning("Datastore bucket changed outside Terraform",
			fmt.Sprintf("Bucket %q no longer has exactly the settings KINE creates, so k3s will fail on its next start: %s. "+
				"Set them back (for example with the nats CLI), or move the cluster to a new datastore.", state.Bucket.ValueString(), strings.Join(parts, "; ")))
	}
	if state.DeletionProtection.IsNull() { // after import: the defaults
		state.DeletionProtection = types.BoolValue(true)
		state.Conformance = defaultConformance(modeEnforce)
		state.ConformanceReport = types.ObjectNull(reportAttrTypes)
		state.Adopted = types.BoolValue(true)
		state.Servers = types.ListNull(types.StringType)
	}
	ep, diags := r.endpoint(ctx, &state)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	setOutputs(&state, ep)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *k3sDatastoreResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.save(ctx, req.Plan, &resp.State, &resp.Diagnostics, func(ctx context.Context, js jetstream.JetStream, ep k3s.Endpoint, _ *k3sDatastoreModel) bool {
		if err := k3s.ResizeBucket(ctx, js, ep.Bucket, ep.Replicas, ep.RevHistory); err != nil {
			addBucketError(&resp.Diagnostics, "update", ep.Bucket, err)
			return false
		}
		return true
	})
}

func (r *k3sDatastoreResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state k3sDatastoreModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if refuseProtected(state.DeletionProtection, "Datastore",
		fmt.Sprintf("Bucket %q holds a k3s cluster's state and deletion_protection = true, so nothing was deleted.", state.Bucket.ValueString()), &resp.Diagnostics) {
		return
	}
	js, err := r.client.jetStream(ctx, state.Credentials, state.JetStreamDomain)
	if err != nil {
		addConnError(&resp.Diagnostics, err)
		return
	}
	if err := k3s.DeleteBucket(ctx, js, state.Bucket.ValueString()); err != nil && !errors.Is(err, k3s.ErrNoBucket) {
		addBucketError(&resp.Diagnostics, "delete", state.Bucket.ValueString(), err)
	}
}

// ImportState takes "<bucket>" or "<domain>/<bucket>".
func (r *k3sDatastoreResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	domain, name, err := parseBucketID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("bucket"), name)...)
	if domain != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("jetstream_domain"), domain)...)
	}
}

// check runs KINE with exactly the endpoint k3s gets. The creds file path
// lives on the k3s hosts, so the credentials it will hold stand in for it.
func (r *k3sDatastoreResource) check(ctx context.Context, m *k3sDatastoreModel, ep k3s.Endpoint, diags *diag.Diagnostics) types.Object {
	return runConformance(ctx, m.Conformance, fmt.Sprintf("datastore %q", ep.Bucket), func(ctx context.Context, opts conformance.Options) *conformance.Report {
		id, err := r.client.identityFor(m.Credentials).Resolved()
		if err != nil {
			return conformance.Failed(opts, "target", err)
		}
		t := conformance.Target{Endpoint: ep, TLS: targetTLS(id)}
		if ep.CredsFile != "" {
			creds, err := credsContent(id.CredsData, id.CredsFile)
			if err != nil {
				return conformance.Failed(opts, "target", err)
			}
			t.Creds = creds
		}
		if ep.ContextFile != "" {
			if _, err := os.Stat(ep.ContextFile); err != nil {
				return conformance.Failed(opts, "target", fmt.Errorf("context_file %s is not on this machine, so KINE cannot be run with it here (%v): "+
					"run the apply where the file exists, or set conformance.mode = \"report\" or \"off\"", ep.ContextFile, err))
			}
		}
		conn, err := r.client.conn(ctx, m.Credentials)
		if err != nil {
			return conformance.Failed(opts, "connect", err)
		}
		return conformance.Run(ctx, conn.NC, t, opts)
	}, diags)
}

// credsContent is the creds the provider holds for an identity: the content
// itself, or the content of its creds file.
func credsContent(data, file string) ([]byte, error) {
	if data != "" {
		return []byte(data), nil
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read credentials file %s for the check: %w", file, err)
		}
		return b, nil
	}
	return nil, errors.New("creds_file is set, but the provider holds no credentials to stand in for it during the check: " +
		"set credentials on this resource (the content of the creds file k3s will use)")
}
