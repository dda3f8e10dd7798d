package provider

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
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
	// readRaw answers a refresh that finds the object as the state has it.
	readRaw(ctx context.Context, state tftypes.Value) (unchanged bool)
	// planRaw answers a plan that changes nothing: config and prior state
	// are known, and the proposed new state equals the prior state.
	planRaw(ctx context.Context, config, prior tftypes.Value, s *rawSchema) (unchanged bool)
}

// NewServer returns the provider's protocol server factory. Every server
// shares pool, which the caller closes when the process stops.
func NewServer(version string, pool *natsconn.Pool) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		p := &natsProvider{version: version, pool: pool}
		return &protoServer{ProviderServer: providerserver.NewProtocol6(p)(), provider: p}
	}
}

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
	var r resource.Resource
	switch typeName {
	case "nats_kv_bucket":
		r = &kvBucketResource{client: c}
	default:
		return nil, nil, false
	}
	if v, ok := s.schemas.Load(typeName); ok {
		return r.(rawRequests), v.(*rawSchema), true
	}
	rs, err := newRawSchema(ctx, r)
	if err != nil {
		return nil, nil, false
	}
	v, _ := s.schemas.LoadOrStore(typeName, rs)
	return r.(rawRequests), v.(*rawSchema), true
}

func (s *protoServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	// Private data (an import's mark, among others) and identity need the
	// framework.
	if r, rs, ok := s.raw(ctx, req.TypeName); ok && len(req.Private) == 0 && req.CurrentIdentity == nil && req.CurrentState != nil {
		if st, err := req.CurrentState.Unmarshal(rs.typ); err == nil && !st.IsNull() && r.readRaw(ctx, st) {
			return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState}, nil
		}
	}
	return s.ProviderServer.ReadResource(ctx, req)
}

func (s *protoServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if r, rs, ok := s.raw(ctx, req.TypeName); ok && req.PriorIdentity == nil && req.Config != nil && req.PriorState != nil && req.ProposedNewState != nil {
		if s.planUnchanged(ctx, r, rs, req) {
			return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState, PlannedPrivate: req.PriorPrivate}, nil
		}
	}
	return s.ProviderServer.PlanResourceChange(ctx, req)
}

// planUnchanged says whether the plan is the prior state as it is: a
// destroy (the resources' ModifyPlan has nothing to say about one), or a
// plan the resource finds unchanged.
func (s *protoServer) planUnchanged(ctx context.Context, r rawRequests, rs *rawSchema, req *tfprotov6.PlanResourceChangeRequest) bool {
	proposed, err := req.ProposedNewState.Unmarshal(rs.typ)
	if err != nil {
		return false
	}
	prior, err := req.PriorState.Unmarshal(rs.typ)
	if err != nil || prior.IsNull() {
		return false
	}
	if proposed.IsNull() {
		return true
	}
	if !proposed.Equal(prior) {
		return false
	}
	config, err := req.Config.Unmarshal(rs.typ)
	if err != nil || !config.IsFullyKnown() || !prior.IsFullyKnown() {
		return false
	}
	return rs.defaultsHold(config, prior) && r.planRaw(ctx, config, prior, rs)
}

// configured records the client Configure made, for the raw requests.
type configuredClient = atomic.Pointer[client]
