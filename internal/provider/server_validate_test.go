package provider

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Each configuration is validated by the framework and by the raw walk:
// the same diagnostics, or the raw walk declines and the server's answer
// is the framework's.
func TestRawValidateIsTheFrameworksValidate(t *testing.T) {
	ctx := context.Background()
	s := rawServer(t, "", single.URL)
	typ := bucketType(t, s)
	r, rs, _ := s.rawSchema(ctx, "nats_kv_bucket")
	unknown := func(t tftypes.Type) tftypes.Value { return tftypes.NewValue(t, tftypes.UnknownValue) }
	str := tftypes.String
	object := func(name string, vals map[string]tftypes.Value) tftypes.Value {
		return objectWith(typ.AttributeTypes[name].(tftypes.Object), vals)
	}
	timeouts := func(create string) tftypes.Value {
		return object("timeouts", map[string]tftypes.Value{"create": tfString(create)})
	}
	placement := func(cluster string, tags ...string) tftypes.Value {
		vals := map[string]tftypes.Value{}
		if cluster != "" {
			vals["cluster"] = tfString(cluster)
		}
		if tags != nil {
			l := make([]tftypes.Value, len(tags))
			for i, tag := range tags {
				l[i] = tfString(tag)
			}
			vals["tags"] = tftypes.NewValue(tftypes.List{ElementType: str}, l)
		}
		return object("placement", vals)
	}

	for _, tc := range []struct {
		name string
		set  map[string]tftypes.Value
		raw  bool // the raw walk answers
		errs int  // errors the framework finds
	}{
		{name: "plain", raw: true},
		{name: "everything", raw: true, set: map[string]tftypes.Value{
			"description": tfString("d"), "ttl": tfString("1h"), "limit_marker_ttl": tfString("1m"),
			"max_bytes": tfNumber(1 << 20), "max_value_size": tfNumber(1024), "replicas": tfNumber(3),
			"compression": tftypes.NewValue(tftypes.Bool, true), "metadata": tfStringMap("owner", "me"),
			"placement": placement("c1", "ssd"), "deletion_protection": tftypes.NewValue(tftypes.Bool, true),
			"republish":   object("republish", map[string]tftypes.Value{"destination": tfString("changes.>")}),
			"conformance": conformanceValue(typ, "report", "full", "5m"), "timeouts": timeouts("10m"),
			"jetstream_domain": tfString("hub"), "credentials": tfString("creds"),
		}},
		{name: "bad name", raw: true, errs: 1, set: map[string]tftypes.Value{"name": tfString("no spaces!")}},
		{name: "bad numbers", raw: true, errs: 4, set: map[string]tftypes.Value{
			"history": tfNumber(65), "replicas": tfNumber(6), "max_bytes": tfNumber(0), "max_value_size": tfNumber(-2),
		}},
		{name: "bad durations", raw: true, errs: 6, set: map[string]tftypes.Value{
			"ttl": tfString("-1h"), "limit_marker_ttl": tfString("soon"),
			"conformance": conformanceValue(typ, "sometimes", "deep", "0s"), "timeouts": timeouts("10 minutes"),
		}},
		{name: "bad storage and domain", raw: true, errs: 2, set: map[string]tftypes.Value{"storage": tfString("disk"), "jetstream_domain": tfString("a b")}},
		{name: "empty placement", raw: true, errs: 1, set: map[string]tftypes.Value{"placement": placement("")}},
		{name: "placement without tags", raw: true, errs: 1, set: map[string]tftypes.Value{"placement": placement("", []string{}...)}},
		{name: "unknowns", raw: true, set: map[string]tftypes.Value{
			"name": unknown(str), "ttl": unknown(str), "placement": unknown(typ.AttributeTypes["placement"]),
			"conformance": unknown(typ.AttributeTypes["conformance"]), "timeouts": unknown(typ.AttributeTypes["timeouts"]),
			"metadata": unknown(typ.AttributeTypes["metadata"]),
		}},
		{name: "unknown inside", raw: true, set: map[string]tftypes.Value{
			"conformance": object("conformance", map[string]tftypes.Value{"mode": unknown(str)}),
			"placement":   object("placement", map[string]tftypes.Value{"tags": unknown(tftypes.List{ElementType: str})}),
		}},
		// The framework's own diagnostics: the raw walk leaves them to it.
		{name: "read-only set", errs: 1, set: map[string]tftypes.Value{"stream_name": tfString("KV_x")}},
		{name: "required missing", errs: 1, set: map[string]tftypes.Value{"name": tftypes.NewValue(str, nil)}},
		{name: "required missing inside", errs: 1, set: map[string]tftypes.Value{"republish": object("republish", nil)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			config := bucketConfigValues(typ, "b", tc.set)
			caps := validator.ValidateSchemaClientCapabilities{WriteOnlyAttributesAllowed: true}
			if _, ok := validateRaw(ctx, r, rs.schema, config, caps); ok != tc.raw {
				t.Fatalf("raw walk answers: %v, want %v", ok, tc.raw)
			}
			req := func() *tfprotov6.ValidateResourceConfigRequest {
				return &tfprotov6.ValidateResourceConfigRequest{TypeName: "nats_kv_bucket", Config: dynamic(t, typ, config),
					ClientCapabilities: &tfprotov6.ValidateResourceConfigClientCapabilities{WriteOnlyAttributesAllowed: true}}
			}
			fw, err1 := s.ProviderServer.ValidateResourceConfig(ctx, req())
			ours, err2 := s.ValidateResourceConfig(ctx, req())
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			want, got := diagLines(fw.Diagnostics), diagLines(ours.Diagnostics)
			if !slices.Equal(got, want) {
				t.Errorf("diagnostics\n%q\nwant the framework's\n%q", got, want)
			}
			if len(want) != tc.errs {
				t.Errorf("the framework says %q, want %d errors: the case does not test what it says", want, tc.errs)
			}
		})
	}
}

// diagLines are diagnostics as sorted lines: the framework walks the
// schema's maps in no fixed order.
func diagLines(ds []*tfprotov6.Diagnostic) []string {
	lines := make([]string, 0, len(ds))
	for _, d := range ds {
		lines = append(lines, fmt.Sprintf("%s|%s|%s|%v", d.Severity, d.Attribute, d.Summary, d.Detail))
	}
	slices.Sort(lines)
	return lines
}

// A schema the bucket's does not cover: an object whose validators refuse
// it, as an attribute and as a block. The framework then validates nothing
// inside it, and neither does the raw walk.
func TestRawValidateStopsAtARefusedObject(t *testing.T) {
	ctx := context.Background()
	inner := map[string]schema.Attribute{
		"a": schema.StringAttribute{Optional: true, Validators: []validator.String{stringvalidator.OneOf("ok")}},
		"b": schema.StringAttribute{Optional: true},
	}
	needsB := []validator.Object{objectvalidator.AlsoRequires(path.MatchRelative().AtName("b"))}
	r := schemaOnly{schema.Schema{
		Attributes: map[string]schema.Attribute{"o": schema.SingleNestedAttribute{Optional: true, Validators: needsB, Attributes: inner}},
		Blocks:     map[string]schema.Block{"k": schema.SingleNestedBlock{Validators: needsB, Attributes: inner}},
	}}
	typ := r.s.Type().TerraformType(ctx).(tftypes.Object)
	bad := func(name string) tftypes.Value {
		return tftypes.NewValue(typ.AttributeTypes[name], map[string]tftypes.Value{"a": tfString("bad"), "b": tftypes.NewValue(tftypes.String, nil)})
	}
	config := tftypes.NewValue(typ, map[string]tftypes.Value{"o": bad("o"), "k": bad("k")})
	diags, ok := validateRaw(ctx, r, r.s, config, validator.ValidateSchemaClientCapabilities{})
	if !ok {
		t.Fatal("the raw walk declines")
	}
	fw, err := providerserver.NewProtocol6(schemaOnlyProvider{r})().ValidateResourceConfig(ctx,
		&tfprotov6.ValidateResourceConfigRequest{TypeName: "x_r", Config: dynamic(t, typ, config)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := diagLines(protoDiagnostics(diags)), diagLines(fw.Diagnostics); !slices.Equal(got, want) || len(want) != 2 {
		t.Errorf("diagnostics\n%q\nwant the framework's two\n%q", got, want)
	}
}

// schemaOnly is a resource that has a schema and does nothing.
type schemaOnly struct{ s schema.Schema }

func (r schemaOnly) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "x_r"
}
func (r schemaOnly) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.s
}
func (schemaOnly) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}
func (schemaOnly) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (schemaOnly) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (schemaOnly) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

type schemaOnlyProvider struct{ r schemaOnly }

func (schemaOnlyProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "x"
}
func (schemaOnlyProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (schemaOnlyProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (p schemaOnlyProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return p.r }}
}
func (schemaOnlyProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
