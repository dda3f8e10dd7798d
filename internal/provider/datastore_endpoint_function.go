package provider

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

var _ function.Function = (*datastoreEndpointFunction)(nil)

type datastoreEndpointFunction struct{}

func newDatastoreEndpointFunction() function.Function { return &datastoreEndpointFunction{} }

func (f *datastoreEndpointFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "datastore_endpoint"
}

func (f *datastoreEndpointFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Builds a k3s NATS datastore endpoint from its parts.",
		MarkdownDescription: "Builds the exact `--datastore-endpoint` value that `nats_k3s_datastore` outputs, from an object with any of " +
			"`servers` (list of `host:port` or `nats://host:port`), `user`, `password`, `token`, `bucket`, `replicas` (1-5), `rev_history` (2-64), " +
			"`slow_method` (a duration), `creds_file`, `context_file` and `no_embed`, and, for KINE builds with embedded NATS (k3s' own), " +
			"`server_config`, `data_dir`, `dont_listen` and `stdout_logging`; with those, `servers` holds at most the embedded server's listen address. " +
			"Parameters go on the first URL only, since KINE reads only those. The result of `provider::nats::parse_datastore_endpoint` is accepted as it is.",
		Parameters: []function.Parameter{
			function.DynamicParameter{Name: "parts", MarkdownDescription: "An object with the endpoint's parts; absent or null parts are left out."},
		},
		Return: function.StringReturn{},
	}
}

func (f *datastoreEndpointFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var parts types.Dynamic
	resp.Error = req.Arguments.Get(ctx, &parts)
	if resp.Error != nil {
		return
	}
	ep, err := endpointFromParts(parts.UnderlyingValue())
	if err == nil {
		err = ep.Validate()
	}
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, ep.String())
}

// endpointFromParts reads the object (or map) the function takes.
func endpointFromParts(v attr.Value) (k3s.Endpoint, error) {
	var ep k3s.Endpoint
	var fields map[string]attr.Value
	switch o := v.(type) {
	case basetypes.ObjectValue:
		fields = o.Attributes()
	case basetypes.MapValue:
		fields = o.Elements()
	default:
		return ep, fmt.Errorf("parts must be an object such as { servers = [\"nats-1:4222\"], bucket = \"kine\" }, not %s", v.Type(context.Background()))
	}
	var unknown []string
	for name, val := range fields {
		if val.IsNull() {
			continue
		}
		if val.IsUnknown() {
			return ep, fmt.Errorf("%s is not known yet", name)
		}
		var err error
		switch name {
		case "servers":
			ep.Servers, err = stringList(name, val)
		case "user":
			ep.User, err = stringPart(name, val)
		case "password":
			ep.Password, err = stringPart(name, val)
		case "token":
			ep.Token, err = stringPart(name, val)
		case "bucket":
			ep.Bucket, err = stringPart(name, val)
		case "creds_file":
			ep.CredsFile, err = stringPart(name, val)
		case "context_file":
			ep.ContextFile, err = stringPart(name, val)
		case "replicas":
			ep.Replicas, err = intPart(name, val)
		case "rev_history":
			ep.RevHistory, err = intPart(name, val)
		case "slow_method":
			var s string
			if s, err = stringPart(name, val); err == nil {
				if ep.SlowMethod, err = time.ParseDuration(s); err != nil {
					err = fmt.Errorf("slow_method: %q is not a duration such as 500ms", s)
				}
			}
		case "server_config":
			ep.ServerConfig, err = stringPart(name, val)
		case "data_dir":
			ep.DataDir, err = stringPart(name, val)
		case "no_embed":
			ep.NoEmbed, err = boolPart(name, val)
		case "dont_listen":
			ep.DontListen, err = boolPart(name, val)
		case "stdout_logging":
			ep.StdoutLogging, err = boolPart(name, val)
		default:
			unknown = append(unknown, name)
		}
		if err != nil {
			return ep, err
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return ep, fmt.Errorf("unknown parts %s: the parts are servers, user, password, token, bucket, replicas, rev_history, slow_method, creds_file, context_file, no_embed, "+
			"server_config, data_dir, dont_listen and stdout_logging", strings.Join(unknown, ", "))
	}
	return ep, nil
}

func stringPart(name string, v attr.Value) (string, error) {
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return "", fmt.Errorf("%s must be a string", name)
	}
	return s.ValueString(), nil
}

func boolPart(name string, v attr.Value) (bool, error) {
	b, ok := v.(basetypes.BoolValue)
	if !ok {
		return false, fmt.Errorf("%s must be a bool", name)
	}
	return b.ValueBool(), nil
}

func intPart(name string, v attr.Value) (int, error) {
	n, ok := v.(basetypes.NumberValue)
	if !ok {
		return 0, fmt.Errorf("%s must be a number", name)
	}
	i, acc := n.ValueBigFloat().Int64()
	if acc != big.Exact {
		return 0, fmt.Errorf("%s must be a whole number", name)
	}
	return int(i), nil
}

func stringList(name string, v attr.Value) ([]string, error) {
	var elems []attr.Value
	switch l := v.(type) {
	case basetypes.ListValue:
		elems = l.Elements()
	case basetypes.TupleValue:
		elems = l.Elements()
	case basetypes.SetValue:
		elems = l.Elements()
	default:
		return nil, fmt.Errorf("%s must be a list of strings", name)
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		s, err := stringPart(name, e)
		if err != nil {
			return nil, fmt.Errorf("%s must be a list of strings", name)
		}
		out = append(out, s)
	}
	return out, nil
}
