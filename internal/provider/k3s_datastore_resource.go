package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
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
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
)

var (
	_ resource.ResourceWithConfigure      = (*k3sDatastoreResource)(nil)
	_ resource.ResourceWithImportState    = (*k3sDatastoreResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*k3sDatastoreResource)(nil)
	_ resource.ResourceWithValidateConfig = (*k3sDatastoreResource)(nil)
)

type k3sDatastoreResource struct{ client *client }

func newK3sDatastoreResource() resource.Resource { return &k3sDatastoreResource{} }

type k3sDatastoreModel struct {
	ID                 types.String   `tfsdk:"id"`
	Bucket             types.String   `tfsdk:"bucket"`
	Replicas           types.Int64    `tfsdk:"replicas"`
	RevHistory         types.Int64    `tfsdk:"rev_history"`
	Servers            types.List     `tfsdk:"servers"`
	Credentials        types.String   `tfsdk:"credentials"`
	CredsFile          types.String   `tfsdk:"creds_file"`
	ContextFile        types.String   `tfsdk:"context_file"`
	CAFile             types.String   `tfsdk:"ca_file"`
	CertFile           types.String   `tfsdk:"cert_file"`
	KeyFile            types.String   `tfsdk:"key_file"`
	JetStreamDomain    types.String   `tfsdk:"jetstream_domain"`
	DeletionProtection types.Bool     `tfsdk:"deletion_protection"`
	AllowHistoryTrim   types.Bool     `tfsdk:"allow_history_trim"`
	Conformance        types.Object   `tfsdk:"conformance"`
	ConformanceReport  types.Object   `tfsdk:"conformance_report"`
	Adopted            types.Bool     `tfsdk:"adopted"`
	Endpoint           types.String   `tfsdk:"endpoint"`
	EndpointRedacted   types.String   `tfsdk:"endpoint_redacted"`
	K3sConfig          types.String   `tfsdk:"k3s_config"`
	KineArgs           types.List     `tfsdk:"kine_args"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

func (r *k3sDatastoreResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_k3s_datastore"
}

func (r *k3sDatastoreResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *k3sDatastoreResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
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
				MarkdownDescription: "Revisions KINE keeps per key (its `revHistory`), 2 to 64; changes in place, with the endpoint kept in step. " +
					"Lowering it deletes older revisions of every key at once, so it needs `allow_history_trim = true`. Defaults to `10`.",
				Validators: []validator.Int64{int64validator.Between(k3s.MinRevHistory, k3s.MaxRevHistory)},
			},
			"servers": schema.ListAttribute{
				ElementType: types.StringType, Optional: true,
				MarkdownDescription: "Servers k3s connects to, as `host:port` or `nats://host:port` (KINE takes only `nats://`). Defaults to the provider's servers, with `tls://` ones as `nats://`: KINE's TLS comes from `ca_file`, `cert_file` and `key_file`, not from the scheme.",
				Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
			},
			"credentials": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "Content of the `.creds` file the provider uses to create and check the datastore, instead of its own identity. " +
					"With `creds_file`, the check runs KINE with these credentials in a private temporary file in place of that path. " + docCredentialsState,
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
				Optional: true, Computed: true,
				MarkdownDescription: "JetStream domain to create the bucket in; defaults to the provider's `jetstream_domain`. KINE has no domain option: " +
					"the endpoint's servers must be servers of that domain. Changing the domain the bucket is in replaces the datastore (deleting " +
					"the cluster state, which deletion_protection stops); writing out the provider's default does not.",
				Validators: []validator.String{domainValidator()},
			},
			"deletion_protection": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "When `true`, destroying or replacing the datastore fails and the cluster state is kept. Defaults to `true`.",
			},
			"allow_history_trim": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Allow lowering `rev_history` below what the bucket keeps: every key then loses its older revisions at once " +
					"(KINE serves them to watches and reads at past revisions). Without it such a plan fails. Defaults to `false`.",
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
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
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

// ValidateConfig rejects servers KINE cannot take, at validate and plan
// time rather than at apply.
func (r *k3sDatastoreResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var list types.List
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("servers"), &list)...)
	if list.IsNull() || list.IsUnknown() {
		return // the provider's servers, or not known until plan or apply
	}
	var servers []types.String
	resp.Diagnostics.Append(list.ElementsAs(ctx, &servers, false)...)
	for i, s := range servers {
		if s.IsNull() || s.IsUnknown() {
			continue
		}
		ep := k3s.Endpoint{Servers: []string{s.ValueString()}}
		if err := ep.Validate(); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("servers").AtListIndex(i), "Invalid datastore server",
				fmt.Sprintf("KINE cannot use this server: %s.\n\nGive host:port or nats://host:port (TLS comes from ca_file, cert_file and key_file, not from the scheme).",
					strings.TrimPrefix(err.Error(), "Servers[0]: ")))
		}
	}
}

// ModifyPlan plans the effective domain, shows the endpoint and config
// whenever what they depend on is known (so they stay known, and unchanged,
// through changes that do not touch them), and guards the cluster state:
// a replacement warns, and lowering rev_history needs allow_history_trim.
func (r *k3sDatastoreResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	r.client.planDomain(ctx, req, resp)
	var plan k3sDatastoreModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if conformanceMode(ctx, plan.Conformance) == modeOff {
		plan.ConformanceReport = types.ObjectNull(reportAttrTypes)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	}
	if !req.State.Raw.IsNull() {
		var state k3sDatastoreModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		guardDatastorePlan(&state, &plan, resp)
	}
	if !plan.endpointKnown() || (r.client != nil && r.client.unknown && plan.Servers.IsNull() && plan.ContextFile.IsNull()) {
		return // the outputs stay unknown until what they depend on is known
	}
	ep, diags := r.endpoint(ctx, &plan)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	setOutputs(&plan, ep)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	planNoChange(req, resp)
}

// endpointKnown says whether everything the endpoint and config outputs
// depend on is known.
func (m *k3sDatastoreModel) endpointKnown() bool {
	for _, v := range []interface{ IsUnknown() bool }{m.Bucket, m.Replicas, m.RevHistory, m.Servers, m.CredsFile, m.ContextFile,
		m.CAFile, m.CertFile, m.KeyFile, m.JetStreamDomain} {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// guardDatastorePlan warns before a replacement deletes a cluster's state
// and refuses to lower rev_history without allow_history_trim.
func guardDatastorePlan(state, plan *k3sDatastoreModel, resp *resource.ModifyPlanResponse) {
	was := bucketID(state.JetStreamDomain.ValueString(), state.Bucket.ValueString())
	replaced := plan.Bucket.IsUnknown() || state.Bucket.ValueString() != plan.Bucket.ValueString()
	for _, p := range resp.RequiresReplace {
		replaced = replaced || p.Equal(path.Root("jetstream_domain"))
	}
	if replaced {
		resp.Diagnostics.AddWarning("The k3s cluster state would be lost",
			fmt.Sprintf("This plan replaces the datastore: bucket %q, which holds the k3s cluster's state, is deleted and an empty bucket is made. "+
				"Every Kubernetes object of that cluster is lost. deletion_protection = %t on the current datastore%s. "+
				"If that is not what you want, keep bucket and jetstream_domain as they are.",
				was, state.DeletionProtection.ValueBool(), map[bool]string{true: " stops it at apply", false: " lets it happen"}[state.DeletionProtection.ValueBool()]))
		return
	}
	if plan.RevHistory.IsUnknown() || plan.RevHistory.ValueInt64() >= state.RevHistory.ValueInt64() {
		return
	}
	what := fmt.Sprintf("datastore %q", was)
	wasCfg, nowCfg := kv.Config{History: int(state.RevHistory.ValueInt64())}, kv.Config{History: int(plan.RevHistory.ValueInt64())}
	if !plan.AllowHistoryTrim.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("rev_history"), "Lowering rev_history deletes k3s cluster history",
			fmt.Sprintf("rev_history goes from %d to %d on %s: every key would keep only its newest %d revisions, and the older ones are deleted at once "+
				"(KINE serves them to watches and to reads at past revisions). Set allow_history_trim = true to do it anyway, or keep rev_history at %d.",
				state.RevHistory.ValueInt64(), plan.RevHistory.ValueInt64(), what, plan.RevHistory.ValueInt64(), state.RevHistory.ValueInt64()))
		return
	}
	warnLosses(&resp.Diagnostics, what, wasCfg, nowCfg, map[string]string{"history": "rev_history"})
}

func (r *k3sDatastoreResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.save(ctx, req.Plan, &resp.State, opCreate, &resp.Diagnostics, func(ctx context.Context, js jetstream.JetStream, ep k3s.Endpoint, m *k3sDatastoreModel) error {
		adopted, err := k3s.EnsureBucket(ctx, js, ep.Bucket, ep.Replicas, ep.RevHistory)
		m.Adopted = types.BoolValue(adopted)
		return err
	})
}

// save brings the bucket to the plan with write (create or resize), then
// fills the endpoint outputs, runs KINE with exactly that endpoint, and
// saves the state.
func (r *k3sDatastoreResource) save(ctx context.Context, planned tfsdk.Plan, state *tfsdk.State, op string, diags *diag.Diagnostics,
	write func(context.Context, jetstream.JetStream, k3s.Endpoint, *k3sDatastoreModel) error) {
	var plan k3sDatastoreModel
	diags.Append(planned.Get(ctx, &plan)...)
	ep, d := r.endpoint(ctx, &plan)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts, op, diags)
	defer cancel()
	js, err := r.client.jetStream(ctx, plan.Credentials, plan.JetStreamDomain)
	if err != nil {
		addConnError(diags, err)
		return
	}
	setOutputs(&plan, ep)
	if err := write(ctx, js, ep, &plan); err != nil {
		var mm *k3s.MismatchError
		switch {
		case errors.As(err, &mm):
			diags.AddAttributeError(path.Root("bucket"), "Existing bucket is not a KINE datastore",
				mm.Error()+"\n\nKINE would refuse to start against it. Use another bucket name, change replicas/rev_history to match, "+
					"or fix the bucket (nats_kv_bucket can manage it) so that it has exactly these settings.")
		case errors.Is(err, k3s.ErrHistoryTrim):
			diags.AddAttributeError(path.Root("rev_history"), "Lowering rev_history deletes k3s cluster history",
				err.Error()+"\n\nSet allow_history_trim = true to do it anyway, or keep rev_history where it is.")
		default:
			addBucketError(diags, op, ep.Bucket, err)
		}
		if op == opCreate && errors.Is(err, kv.ErrMayExist) {
			// The server may hold the new bucket: keep it in state
			// (tainted), so it is not orphaned.
			plan.ConformanceReport = types.ObjectNull(reportAttrTypes)
			diags.Append(state.Set(ctx, &plan)...)
		}
		return
	}
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
	state.JetStreamDomain = r.client.effectiveDomain(state.JetStreamDomain)
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
		state.AllowHistoryTrim = types.BoolValue(false)
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
	r.save(ctx, req.Plan, &resp.State, opUpdate, &resp.Diagnostics, func(ctx context.Context, js jetstream.JetStream, ep k3s.Endpoint, m *k3sDatastoreModel) error {
		return k3s.ResizeBucket(ctx, js, ep.Bucket, ep.Replicas, ep.RevHistory, m.AllowHistoryTrim.ValueBool())
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
	r.client.deleteBucket(ctx, state.Credentials, state.JetStreamDomain, state.Timeouts, state.Bucket.ValueString(),
		k3s.DeleteBucket, k3s.ErrNoBucket, &resp.Diagnostics)
}

// ImportState takes "<bucket>" or "<domain>/<bucket>".
func (r *k3sDatastoreResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importBucketID(ctx, req, resp, "bucket")
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
