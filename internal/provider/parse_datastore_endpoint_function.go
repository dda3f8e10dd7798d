package provider

import (
	"context"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

var _ function.Function = (*parseDatastoreEndpointFunction)(nil)

type parseDatastoreEndpointFunction struct{}

func newParseDatastoreEndpointFunction() function.Function { return &parseDatastoreEndpointFunction{} }

// endpointAttrTypes are the parts of a datastore endpoint, as the functions
// return and take them. Absent parts are null.
var endpointAttrTypes = map[string]attr.Type{
	"servers":      types.ListType{ElemType: types.StringType},
	"user":         types.StringType,
	"password":     types.StringType,
	"token":        types.StringType,
	"bucket":       types.StringType,
	"replicas":     types.NumberType,
	"rev_history":  types.NumberType,
	"slow_method":  types.StringType,
	"creds_file":   types.StringType,
	"context_file": types.StringType,
	"no_embed":     types.BoolType,
	// KINE builds with embedded NATS only.
	"server_config":  types.StringType,
	"data_dir":       types.StringType,
	"dont_listen":    types.BoolType,
	"stdout_logging": types.BoolType,
}

func (f *parseDatastoreEndpointFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "parse_datastore_endpoint"
}

func (f *parseDatastoreEndpointFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Splits a k3s NATS datastore endpoint into its parts.",
		MarkdownDescription: "Parses a KINE NATS endpoint (`nats://...`, or the legacy `jetstream://nats://...`) exactly as KINE reads it, and returns " +
			"an object with `servers`, `user`, `password`, `token`, `bucket`, `replicas`, `rev_history`, `slow_method`, `creds_file`, `context_file` " +
			"and `no_embed`, and the embedded server's `server_config`, `data_dir`, `dont_listen` and `stdout_logging` (KINE builds with embedded NATS, " +
			"such as k3s'); parts the endpoint does not set are null. It rejects what KINE would silently misread, such as a non-numeric `replicas`. " +
			"`provider::nats::datastore_endpoint` turns the object back into the endpoint.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "endpoint", MarkdownDescription: "The `--datastore-endpoint` value."},
		},
		Return: function.ObjectReturn{AttributeTypes: endpointAttrTypes},
	}
}

func (f *parseDatastoreEndpointFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var s string
	resp.Error = req.Arguments.Get(ctx, &s)
	if resp.Error != nil {
		return
	}
	ep, err := k3s.ParseEndpoint(s)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, endpointObject(ep))
}

// endpointObject is ep as the functions' object.
func endpointObject(ep k3s.Endpoint) types.Object {
	str := func(v string) attr.Value {
		if v == "" {
			return types.StringNull()
		}
		return types.StringValue(v)
	}
	num := func(v int) attr.Value {
		if v == 0 {
			return types.NumberNull()
		}
		return types.NumberValue(big.NewFloat(float64(v)))
	}
	servers := types.ListNull(types.StringType)
	if len(ep.Servers) > 0 {
		vals := make([]attr.Value, len(ep.Servers))
		for i, s := range ep.Servers {
			vals[i] = types.StringValue(s)
		}
		servers = types.ListValueMust(types.StringType, vals)
	}
	slow := types.StringNull()
	if ep.SlowMethod > 0 {
		slow = types.StringValue(ep.SlowMethod.String())
	}
	return types.ObjectValueMust(endpointAttrTypes, map[string]attr.Value{
		"servers":        servers,
		"user":           str(ep.User),
		"password":       str(ep.Password),
		"token":          str(ep.Token),
		"bucket":         str(ep.Bucket),
		"replicas":       num(ep.Replicas),
		"rev_history":    num(ep.RevHistory),
		"slow_method":    slow,
		"creds_file":     str(ep.CredsFile),
		"context_file":   str(ep.ContextFile),
		"no_embed":       types.BoolValue(ep.NoEmbed),
		"server_config":  str(ep.ServerConfig),
		"data_dir":       str(ep.DataDir),
		"dont_listen":    types.BoolValue(ep.DontListen),
		"stdout_logging": types.BoolValue(ep.StdoutLogging),
	})
}
