package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/edge"
)

var (
	_ resource.ResourceWithConfigure  = (*k3sEdgeResource)(nil)
	_ resource.ResourceWithModifyPlan = (*k3sEdgeResource)(nil)
)

// k3sEdgeResource renders an edge site's files and checks them end to end.
// Nothing of it lives on the servers: Read and Delete only keep state.
type k3sEdgeResource struct{ client *client }

func newK3sEdgeResource() resource.Resource { return &k3sEdgeResource{} }

func (r *k3sEdgeResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_k3s_edge"
}

func (r *k3sEdgeResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *k3sEdgeResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = k3sEdgeSchema(ctx)
}

// hubWait bounds the plan's questions to the hub.
const hubWait = 5 * time.Second

// ModifyPlan shows the files at plan time, refuses what can never work
// (the hub's own domain, a leaf user that cannot carry the link) and warns
// when the edge's state would stay behind.
func (r *k3sEdgeResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan k3sEdgeModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var configDomain types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("jetstream_domain"), &configDomain)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Never in plan or state: as null, it cannot make a plan differ from state.
	plan.CredentialsWO = types.StringNull()
	if configDomain.IsNull() {
		plan.JetStreamDomain = types.StringUnknown()
		if !plan.Name.IsUnknown() {
			plan.JetStreamDomain = types.StringValue(edge.DefaultDomain(plan.Name.ValueString()))
		}
	}
	if !r.outputsKnown(ctx, &plan) {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	site, d := plan.site(ctx)
	resp.Diagnostics.Append(d...)
	if problems := site.Problems(); len(problems) > 0 {
		addProblems(&resp.Diagnostics, "Invalid edge site", problems)
		return
	}
	plan.setOutputs(site)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	planNoChange(req, resp)

	var state *k3sEdgeModel
	if !req.State.Raw.IsNull() {
		state = &k3sEdgeModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Plan.Raw.Equal(req.State.Raw) {
			return // nothing to apply, nothing to refuse
		}
	}
	r.refuseHubDomain(ctx, site, &resp.Diagnostics)
	if creds, credsPath, ok := edgeCredsPair.configValue(ctx, req.Config); ok {
		_, problems, err := edge.LeafUser([]byte(creds), site, r.hubInboxPrefix())
		if err != nil {
			resp.Diagnostics.AddAttributeError(credsPath, "Invalid leaf user credentials",
				err.Error()+". Set "+credsPath.String()+" to the content of a .creds file, such as nats_user.<leaf>.creds.")
		}
		addProblems(&resp.Diagnostics, fmt.Sprintf("Leaf user cannot carry the edge's link (check step %q)", edge.StepLeafUser), problems)
	}
	warnEdgePlan(site, state, &resp.Diagnostics)
}

// outputsKnown reports whether everything the files depend on is known.
func (r *k3sEdgeResource) outputsKnown(ctx context.Context, m *k3sEdgeModel) bool {
	for _, v := range []interface{ IsUnknown() bool }{m.Name, m.HubURLs, m.CredentialsFile, m.JetStreamDomain, m.StoreDir,
		m.ServerConfigFile, m.K3sConfigFile, m.Bucket, m.RevHistory, m.Listen, m.MaxPayload, m.TLS} {
		if v.IsUnknown() {
			return false
		}
	}
	var urls []types.String
	m.HubURLs.ElementsAs(ctx, &urls, false)
	for _, u := range urls {
		if u.IsUnknown() {
			return false
		}
	}
	if t := m.tls(ctx, new(diag.Diagnostics)); t != nil {
		return !t.CAFile.IsUnknown() && !t.CertFile.IsUnknown() && !t.KeyFile.IsUnknown()
	}
	return true
}

// refuseHubDomain asks the hub for its JetStream domain, when the provider
// can reach it, and refuses the same domain for the edge. The check does
// the same at apply time when the plan could not ask.
func (r *k3sEdgeResource) refuseHubDomain(ctx context.Context, site edge.Site, diags *diag.Diagnostics) {
	if r.client == nil || r.client.unknown {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, hubWait)
	defer cancel()
	js, err := r.client.jetStream(ctx, types.StringNull(), types.StringNull())
	if err != nil {
		return
	}
	info, err := js.AccountInfo(ctx)
	if err != nil || info.Domain != site.Domain {
		return
	}
	diags.AddAttributeError(path.Root("jetstream_domain"), "Edge domain is the hub's",
		fmt.Sprintf("jetstream_domain %q is the JetStream domain of the hub the provider connects to. The edge needs a domain of its own: "+
			"with the hub's, the hub could never reach the edge's JetStream nor mirror its bucket. Remove jetstream_domain for the default edge-<name>, or choose another.", site.Domain))
}

// hubInboxPrefix is the inbox prefix of the provider's hub connection,
// whose replies the leaf user must let through.
func (r *k3sEdgeResource) hubInboxPrefix() string {
	if r.client == nil {
		return ""
	}
	return r.client.identity.InboxPrefix
}

// warnEdgePlan warns about state left behind and an open listener.
func warnEdgePlan(site edge.Site, state *k3sEdgeModel, diags *diag.Diagnostics) {
	if state != nil {
		var moved []string
		if d := state.JetStreamDomain.ValueString(); d != site.Domain {
			moved = append(moved, fmt.Sprintf("domain %s to %s", d, site.Domain))
		}
		if b := state.Bucket.ValueString(); b != site.Bucket {
			moved = append(moved, fmt.Sprintf("bucket %s to %s", b, site.Bucket))
		}
		if len(moved) > 0 {
			diags.AddWarning("The edge's state stays where it was",
				fmt.Sprintf("This plan moves the site from %s. The edge's cluster state stays in the old bucket and domain, in store_dir on the edge host: "+
					"once the new files are there, KINE starts over with an empty datastore, so the site's Kubernetes objects are gone for k3s, "+
					"and hub mirrors of the old bucket stop following. Keep jetstream_domain and bucket as they are unless you mean to start the site afresh.",
					strings.Join(moved, " and ")))
		}
	}
	if site.ListensBeyondLoopback() && (state == nil || state.Listen.ValueString() != site.Listen) {
		diags.AddAttributeWarning(path.Root("listen"), "The edge's NATS accepts clients without authentication",
			fmt.Sprintf("The edge server will listen on %s without authorization of its own: anyone who reaches that address can read and write "+
				"the k3s cluster state, Secrets included. Listen on loopback (127.0.0.1:<port>), or keep the address behind a firewall.", site.Listen))
	}
}

func (r *k3sEdgeResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.save(ctx, req.Plan, req.Config, &resp.State, &resp.Diagnostics, opCreate)
}

func (r *k3sEdgeResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.save(ctx, req.Plan, req.Config, &resp.State, &resp.Diagnostics, opUpdate)
}

// save renders the site and checks it; a check that fails in enforce mode
// keeps the new files out of state (a create leaves nothing, an update the
// previous files), so nobody ships what did not work.
func (r *k3sEdgeResource) save(ctx context.Context, planned tfsdk.Plan, config tfsdk.Config, state *tfsdk.State, diags *diag.Diagnostics, op string) {
	var m k3sEdgeModel
	diags.Append(planned.Get(ctx, &m)...)
	if diags.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, m.Timeouts, op, diags)
	defer cancel()
	if m.JetStreamDomain.IsUnknown() || m.JetStreamDomain.IsNull() {
		m.JetStreamDomain = types.StringValue(edge.DefaultDomain(m.Name.ValueString()))
	}
	site, d := m.site(ctx)
	diags.Append(d...)
	if problems := site.Problems(); len(problems) > 0 {
		addProblems(diags, "Invalid edge site", problems)
	}
	if diags.HasError() {
		return
	}
	creds, _ := edgeCredsPair.value(ctx, m.Credentials, config, diags)
	if diags.HasError() {
		return
	}
	m.setOutputs(site)
	m.ConformanceReport = r.check(ctx, &m, site, creds, op == opUpdate, diags)
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, &m)...)
}

// Read keeps the state: the site lives on the edge host, not the servers.
func (r *k3sEdgeResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

// Delete forgets the site; the edge host keeps its files and state.
func (r *k3sEdgeResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// check runs the edge check as conformance says, and puts a failure on the
// attribute to fix.
func (r *k3sEdgeResource) check(ctx context.Context, m *k3sEdgeModel, site edge.Site, creds string, existing bool, diags *diag.Diagnostics) types.Object {
	var rep *conformance.Report
	var local diag.Diagnostics
	obj := runConformance(ctx, m.Conformance, fmt.Sprintf("edge site %q", site.Name), func(ctx context.Context, opts conformance.Options) *conformance.Report {
		rep = r.runCheck(ctx, m, site, creds, existing, opts)
		return rep
	}, &local)
	var failed *conformance.Step
	if rep != nil {
		failed = rep.Failed()
	}
	for _, d := range local {
		if d.Severity() == diag.SeverityError && failed != nil {
			diags.AddAttributeError(stepPath(failed), d.Summary(), d.Detail())
			continue
		}
		diags.Append(d)
	}
	return obj
}

func (r *k3sEdgeResource) runCheck(ctx context.Context, m *k3sEdgeModel, site edge.Site, creds string, existing bool, opts conformance.Options) *conformance.Report {
	if r.client.unknown {
		return conformance.Failed(opts, "connect", errConfigUnknown)
	}
	conn, err := r.client.conn(ctx, types.StringNull())
	if err != nil {
		return conformance.Failed(opts, "connect", err)
	}
	t := edge.Target{Site: site, Creds: []byte(creds), Hub: conn.NC, Existing: existing}
	own := r.client.identity.TLS
	t.TLS = edge.TLSContent{CA: own.CA, Cert: own.Cert, Key: own.Key}
	if tls := m.tls(ctx, new(diag.Diagnostics)); tls != nil {
		for _, f := range []struct {
			v   types.String
			dst *string
		}{{tls.CA, &t.TLS.CA}, {tls.Cert, &t.TLS.Cert}, {tls.Key, &t.TLS.Key}} {
			if f.v.ValueString() != "" {
				*f.dst = f.v.ValueString()
			}
		}
	}
	return edge.Check(ctx, t, opts)
}

// stepPath is the attribute to fix when step failed.
func stepPath(step *conformance.Step) path.Path {
	text := step.Detail + " " + step.Hint
	switch step.Name {
	case edge.StepLeafUser:
		if strings.Contains(text, "payload limit") {
			return path.Root("max_payload")
		}
		return path.Root("credentials")
	case edge.StepEdgeConfig:
		switch {
		case strings.Contains(text, "tls "), strings.Contains(text, "TLS."):
			return path.Root("tls")
		case strings.Contains(text, "MaxPayload"):
			return path.Root("max_payload")
		}
	case edge.StepEdgeDomain:
		return path.Root("jetstream_domain")
	case edge.StepLeafConnection:
		switch {
		case strings.Contains(text, "refused the leaf user"):
			return path.Root("credentials")
		case strings.Contains(text, "TLS handshake"):
			return path.Root("tls")
		}
		return path.Root("hub_urls")
	case edge.StepLeafAccount:
		return path.Root("credentials")
	case edge.StepLeafPayload, conformance.StepMaxPayload:
		return path.Root("max_payload")
	}
	return path.Root("conformance")
}
