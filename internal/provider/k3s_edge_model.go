package provider

import (
	"context"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/natsk3s/terraform-provider-nats/internal/edge"
)

// k3sEdgeModel is nats_k3s_edge: an edge site's inputs and the files its
// host needs.
type k3sEdgeModel struct {
	ID                types.String   `tfsdk:"id"`
	Name              types.String   `tfsdk:"name"`
	HubURLs           types.List     `tfsdk:"hub_urls"`
	Credentials       types.String   `tfsdk:"credentials"`
	CredentialsWO     types.String   `tfsdk:"credentials_wo"`
	CredentialsWOVer  types.Int64    `tfsdk:"credentials_wo_version"`
	CredentialsFile   types.String   `tfsdk:"credentials_file"`
	JetStreamDomain   types.String   `tfsdk:"jetstream_domain"`
	StoreDir          types.String   `tfsdk:"store_dir"`
	ServerConfigFile  types.String   `tfsdk:"server_config_file"`
	K3sConfigFile     types.String   `tfsdk:"k3s_config_file"`
	Bucket            types.String   `tfsdk:"bucket"`
	RevHistory        types.Int64    `tfsdk:"rev_history"`
	Listen            types.String   `tfsdk:"listen"`
	MaxPayload        types.Int64    `tfsdk:"max_payload"`
	TLS               types.Object   `tfsdk:"tls"`
	Conformance       types.Object   `tfsdk:"conformance"`
	ConformanceReport types.Object   `tfsdk:"conformance_report"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
	ServerConfig      types.String   `tfsdk:"server_config"`
	Endpoint          types.String   `tfsdk:"endpoint"`
	K3sConfig         types.String   `tfsdk:"k3s_config"`
	Files             types.List     `tfsdk:"files"`
}

// edgeTLSModel is the leaf connection's TLS: paths on the edge host, and
// what stands in for them during the check.
type edgeTLSModel struct {
	CAFile   types.String `tfsdk:"ca_file"`
	CertFile types.String `tfsdk:"cert_file"`
	KeyFile  types.String `tfsdk:"key_file"`
	CA       types.String `tfsdk:"ca"`
	Cert     types.String `tfsdk:"cert"`
	Key      types.String `tfsdk:"key"`
}

var edgeFileAttrTypes = map[string]attr.Type{
	"path":    types.StringType,
	"kind":    types.StringType,
	"mode":    types.StringType,
	"purpose": types.StringType,
}

// site is the edge site the model describes. The domain is the model's,
// which ModifyPlan has filled in.
func (m *k3sEdgeModel) site(ctx context.Context) (edge.Site, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := edge.Site{
		Name:             m.Name.ValueString(),
		CredentialsFile:  m.CredentialsFile.ValueString(),
		Domain:           m.JetStreamDomain.ValueString(),
		StoreDir:         m.StoreDir.ValueString(),
		ServerConfigFile: m.ServerConfigFile.ValueString(),
		K3sConfigFile:    m.K3sConfigFile.ValueString(),
		Bucket:           m.Bucket.ValueString(),
		RevHistory:       int(m.RevHistory.ValueInt64()),
		Listen:           m.Listen.ValueString(),
		MaxPayload:       int(m.MaxPayload.ValueInt64()),
	}
	diags.Append(m.HubURLs.ElementsAs(ctx, &s.HubURLs, false)...)
	if t := m.tls(ctx, &diags); t != nil {
		s.TLS = edge.TLSFiles{CA: t.CAFile.ValueString(), Cert: t.CertFile.ValueString(), Key: t.KeyFile.ValueString()}
	}
	return s.WithDefaults(), diags
}

func (m *k3sEdgeModel) tls(ctx context.Context, diags *diag.Diagnostics) *edgeTLSModel {
	if m.TLS.IsNull() || m.TLS.IsUnknown() {
		return nil
	}
	var t edgeTLSModel
	diags.Append(m.TLS.As(ctx, &t, objectAsOptions)...)
	return &t
}

// setOutputs fills in what the edge host gets.
func (m *k3sEdgeModel) setOutputs(s edge.Site) {
	m.ID = types.StringValue(s.Name)
	m.JetStreamDomain = types.StringValue(s.Domain)
	m.ServerConfig = types.StringValue(s.ServerConfig())
	m.Endpoint = types.StringValue(s.Endpoint().String())
	m.K3sConfig = types.StringValue(s.K3sConfig())
	files := []attr.Value{}
	for _, f := range s.Files() {
		files = append(files, types.ObjectValueMust(edgeFileAttrTypes, map[string]attr.Value{
			"path":    types.StringValue(f.Path),
			"kind":    types.StringValue(f.Kind),
			"mode":    types.StringValue(f.Mode),
			"purpose": types.StringValue(f.Purpose),
		}))
	}
	m.Files = types.ListValueMust(types.ObjectType{AttrTypes: edgeFileAttrTypes}, files)
}

// edgeFieldPaths are the attributes edge.Site's fields come from.
var edgeFieldPaths = map[string]path.Path{
	"Name":             path.Root("name"),
	"Domain":           path.Root("jetstream_domain"),
	"HubURLs":          path.Root("hub_urls"),
	"CredentialsFile":  path.Root("credentials_file"),
	"StoreDir":         path.Root("store_dir"),
	"ServerConfigFile": path.Root("server_config_file"),
	"K3sConfigFile":    path.Root("k3s_config_file"),
	"TLS.CA":           path.Root("tls").AtName("ca_file"),
	"TLS.Cert":         path.Root("tls").AtName("cert_file"),
	"TLS.Key":          path.Root("tls").AtName("key_file"),
	"MaxPayload":       path.Root("max_payload"),
	"Listen":           path.Root("listen"),
	"Creds":            path.Root("credentials"),
	"Endpoint":         path.Root("bucket"),
}

// fieldPath is the attribute of an edge.Problem's field ("HubURLs[2]"
// included).
func fieldPath(field string) path.Path {
	name, index, hasIndex := strings.Cut(strings.TrimSuffix(field, "]"), "[")
	p, ok := edgeFieldPaths[name]
	if !ok {
		return path.Empty()
	}
	if hasIndex {
		if i, err := strconv.Atoi(index); err == nil {
			return p.AtListIndex(i)
		}
	}
	return p
}

// addProblems reports a site's problems on their attributes.
func addProblems(diags *diag.Diagnostics, summary string, problems []edge.Problem) {
	for _, p := range problems {
		diags.AddAttributeError(fieldPath(p.Field), summary, p.Message+".")
	}
}
