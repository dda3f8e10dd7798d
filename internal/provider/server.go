package provider

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
	"github.com/natsk3s/terraform-provider-nats/internal/rawstate"
)

// The provider's protocol server is the framework's, with one addition.
// Every plan refreshes and plans every resource, and for a resource nothing
// happened to the framework makes that costly in proportion to its
// attributes, squared: it decodes each request into its own values, runs a
// pass per attribute (defaults, plan modifiers, semantic equality), each of
// which walks the schema and rewrites the whole value, and encodes the
// answer, which is then exactly what came in. For a resource type that
// implements rawRequests, the requests whose answer is "what came in" are
// answered from the decoded values alone; anything else, and every other
// request, goes to the framework unchanged.
//
// What an upstream change would buy instead: a framework that skipped the
// per-attribute passes when the proposed new state equals the prior state
// (and no default applies), and that cached Schema.GetAttributes, would
// make the same gain for every provider.

// rawRequests is implemented by resources that can answer some requests
// from raw values. Each method returns ok false, having changed nothing,
// unless the request is the plain case it knows; the framework answers the
// rest.
type rawRequests interface {
	// readRaw answers a refresh that finds the object as the state has it,
	// or that fails: the state stays, with diags.
	readRaw(ctx context.Context, state tftypes.Value) (diags diag.Diagnostics, ok bool)
	// planRaw answers a plan that changes nothing: config and prior state
	// are known, and the proposed new state equals the prior state.
	planRaw(ctx context.Context, config, prior tftypes.Value, s *rawSchema) (unchanged bool)
	// planCreateRaw answers the plan of a new object, config fully known.
	planCreateRaw(ctx context.Context, config, proposed tftypes.Value, s *rawSchema) (planned tftypes.Value, ok bool)
	// createRaw creates the object planned, unless ok is false: then it
	// has done nothing.
	createRaw(ctx context.Context, planned tftypes.Value, s *rawSchema) (state tftypes.Value, diags diag.Diagnostics, ok bool)
	// deleteRaw deletes the object in state prior, unless ok is false:
	// then it has done nothing.
	deleteRaw(ctx context.Context, prior tftypes.Value) (diags diag.Diagnostics, ok bool)
}

// NewServer returns the provider's protocol server factory. Every server
// shares pool, which the caller closes when the process stops.
func NewServer(version string, pool *natsconn.Pool) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		p := &natsProvider{version: version, pool: pool}
		return &protoServer{ProviderServer: providerserver.NewProtocol6(p)(), provider: p}
	}
}

// The server forwards what tfprotov6.ProviderServer has. Optional
// interfaces of newer protocol features (list resources, actions, state
// stores: Terraform 1.12+, which this provider does not offer) would have
// to be forwarded here too if it ever does.
type protoServer struct {
	tfprotov6.ProviderServer // the framework's
	provider                 *natsProvider

	schemas sync.Map // resource type name -> *rawSchema
}

// raw is the resource behind typeName with its raw schema, when it answers
// raw requests and the provider is configured with known values.
func (s *protoServer) raw(ctx context.Context, typeName string) (rawRequests, *rawSchema, bool) {
	c := s.provider.configured.Load()
	if c == nil || c.unknown {
		return nil, nil, false
	}
	r, rs, ok := s.rawSchema(ctx, typeName)
	if !ok {
		return nil, nil, false
	}
	r.client = c
	return r, rs, true
}

// rawSchema is an unconfigured resource of typeName, when it answers raw
// requests, and its raw schema.
func (s *protoServer) rawSchema(ctx context.Context, typeName string) (*kvBucketResource, *rawSchema, bool) {
	if typeName != "nats_kv_bucket" {
		return nil, nil, false
	}
	r := &kvBucketResource{}
	if v, ok := s.schemas.Load(typeName); ok {
		return r, v.(*rawSchema), true
	}
	rs, err := newRawSchema(ctx, r)
	if err != nil {
		return nil, nil, false
	}
	v, _ := s.schemas.LoadOrStore(typeName, rs)
	return r, v.(*rawSchema), true
}

// UpgradeResourceState decodes a state of the current schema version as
// the framework does, without its passes over the value (one over null
// collection blocks, which a schema without such blocks does not need):
// rawstate converts the JSON in one pass, and what it leaves alone goes to
// the framework.
func (s *protoServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if _, rs, ok := s.rawSchema(ctx, req.TypeName); ok && req.Version == rs.version && req.RawState != nil && req.RawState.Flatmap == nil {
		if b, err := rawstate.ToMsgPack(req.RawState.JSON, rs.typ, true); err == nil {
			return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &tfprotov6.DynamicValue{MsgPack: b}}, nil
		}
	}
	return s.ProviderServer.UpgradeResourceState(ctx, req)
}

// ValidateResourceConfig validates in one walk over the decoded value
// (validateRaw), or through the framework where that walk declines.
func (s *protoServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	if r, rs, ok := s.rawSchema(ctx, req.TypeName); ok && req.Config != nil {
		if config, err := req.Config.Unmarshal(rs.typ); err == nil {
			caps := validator.ValidateSchemaClientCapabilities{
				WriteOnlyAttributesAllowed: req.ClientCapabilities != nil && req.ClientCapabilities.WriteOnlyAttributesAllowed,
			}
			if diags, ok := validateRaw(ctx, r, rs.schema, config, caps); ok && pathsConvert(diags) {
				return &tfprotov6.ValidateResourceConfigResponse{Diagnostics: protoDiagnostics(diags)}, nil
			}
		}
	}
	return s.ProviderServer.ValidateResourceConfig(ctx, req)
}

func (s *protoServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	// Private data (an import's mark, among others) and identity need the
	// framework.
	if r, rs, ok := s.raw(ctx, req.TypeName); ok && len(req.Private) == 0 && req.CurrentIdentity == nil && req.CurrentState != nil {
		if st, err := req.CurrentState.Unmarshal(rs.typ); err == nil && !st.IsNull() {
			if diags, ok := r.readRaw(ctx, st); ok {
				return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Diagnostics: protoDiagnostics(diags)}, nil
			}
		}
	}
	return s.ProviderServer.ReadResource(ctx, req)
}

func (s *protoServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if r, rs, ok := s.raw(ctx, req.TypeName); ok && req.PriorIdentity == nil && req.Config != nil && req.PriorState != nil && req.ProposedNewState != nil {
		if planned, ok := s.planRaw(ctx, r, rs, req); ok {
			return &tfprotov6.PlanResourceChangeResponse{PlannedState: planned, PlannedPrivate: req.PriorPrivate}, nil
		}
	}
	return s.ProviderServer.PlanResourceChange(ctx, req)
}

// planRaw answers a destroy (the resources' ModifyPlan has nothing to say
// about one), a plan the resource finds unchanged, and the plan of a new
// object whose configuration is fully known.
func (s *protoServer) planRaw(ctx context.Context, r rawRequests, rs *rawSchema, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.DynamicValue, bool) {
	proposed, err := req.ProposedNewState.Unmarshal(rs.typ)
	if err != nil {
		return nil, false
	}
	prior, err := req.PriorState.Unmarshal(rs.typ)
	if err != nil {
		return nil, false
	}
	if proposed.IsNull() { // a destroy
		return req.ProposedNewState, !prior.IsNull()
	}
	config, err := req.Config.Unmarshal(rs.typ)
	if err != nil || !config.IsFullyKnown() {
		return nil, false
	}
	if prior.IsNull() { // a create
		if len(req.PriorPrivate) > 0 {
			return nil, false
		}
		planned, ok := r.planCreateRaw(ctx, config, proposed, rs)
		if !ok {
			return nil, false
		}
		dv, err := tfprotov6.NewDynamicValue(rs.typ, planned)
		return &dv, err == nil
	}
	unchanged := proposed.Equal(prior) && prior.IsFullyKnown() &&
		rs.defaultsHold(config, prior) && r.planRaw(ctx, config, prior, rs)
	return req.ProposedNewState, unchanged
}

// ApplyResourceChange creates and deletes objects through the raw
// requests; an update, like every other request, goes to the framework.
func (s *protoServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	if r, rs, ok := s.raw(ctx, req.TypeName); ok && req.PlannedIdentity == nil && len(req.PlannedPrivate) == 0 &&
		req.PlannedState != nil && req.PriorState != nil {
		if resp, ok := s.applyRaw(ctx, r, rs, req); ok {
			return resp, nil
		}
	}
	return s.ProviderServer.ApplyResourceChange(ctx, req)
}

func (s *protoServer) applyRaw(ctx context.Context, r rawRequests, rs *rawSchema, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, bool) {
	planned, err := req.PlannedState.Unmarshal(rs.typ)
	if err != nil {
		return nil, false
	}
	prior, err := req.PriorState.Unmarshal(rs.typ)
	if err != nil {
		return nil, false
	}
	switch {
	case prior.IsNull() && !planned.IsNull():
		state, diags, ok := r.createRaw(ctx, planned, rs)
		if !ok {
			return nil, false
		}
		dv, err := tfprotov6.NewDynamicValue(rs.typ, state)
		if err != nil {
			// The bucket exists; the framework cannot make it again.
			diags.AddError("Cannot record the new object in state", err.Error()+"\n\nThis is a bug in the provider. Import the object to manage it.")
			null, _ := tfprotov6.NewDynamicValue(rs.typ, tftypes.NewValue(rs.typ, nil))
			dv = null
		}
		return &tfprotov6.ApplyResourceChangeResponse{NewState: &dv, Diagnostics: protoDiagnostics(diags)}, true
	case !prior.IsNull() && planned.IsNull():
		diags, ok := r.deleteRaw(ctx, prior)
		if !ok {
			return nil, false
		}
		if diags.HasError() { // the object stays
			return &tfprotov6.ApplyResourceChangeResponse{NewState: req.PriorState, Diagnostics: protoDiagnostics(diags)}, true
		}
		return &tfprotov6.ApplyResourceChangeResponse{NewState: req.PlannedState, Diagnostics: protoDiagnostics(diags)}, true
	}
	return nil, false
}

// protoDiagnostics are diags as the protocol carries them.
func protoDiagnostics(diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	out := make([]*tfprotov6.Diagnostic, 0, len(diags))
	for _, d := range diags {
		pd := &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityWarning, Summary: d.Summary(), Detail: d.Detail()}
		if d.Severity() == diag.SeverityError {
			pd.Severity = tfprotov6.DiagnosticSeverityError
		}
		if dp, ok := d.(diag.DiagnosticWithPath); ok {
			pd.Attribute = attributePath(dp.Path())
		}
		out = append(out, pd)
	}
	return out
}

// pathsConvert is whether attributePath carries every path in diags.
func pathsConvert(diags diag.Diagnostics) bool {
	for _, d := range diags {
		if dp, ok := d.(diag.DiagnosticWithPath); ok && len(dp.Path().Steps()) > 0 && attributePath(dp.Path()) == nil {
			return false
		}
	}
	return true
}

// attributePath is p as the protocol carries it; nil for steps other than
// attribute names and element keys.
func attributePath(p path.Path) *tftypes.AttributePath {
	ap := tftypes.NewAttributePath()
	for _, step := range p.Steps() {
		switch step := step.(type) {
		case path.PathStepAttributeName:
			ap = ap.WithAttributeName(string(step))
		case path.PathStepElementKeyString:
			ap = ap.WithElementKeyString(string(step))
		case path.PathStepElementKeyInt:
			ap = ap.WithElementKeyInt(int(step))
		default:
			return nil
		}
	}
	return ap
}

// configured records the client Configure made, for the raw requests.
type configuredClient = atomic.Pointer[client]
