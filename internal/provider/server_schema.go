package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// rawSchema is what the raw requests need of a resource's schema: its
// Terraform type, and for each attribute what the framework plans when the
// configuration leaves it null.
type rawSchema struct {
	schema  schema.Schema
	typ     tftypes.Type
	version int64
	attrs   attrTree
}

// attrTree describes attributes by name.
type attrTree map[string]attrInfo

type attrInfo struct {
	computed bool
	def      *tftypes.Value // the default, if any
	nested   attrTree       // a single nested attribute's attributes
	// other marks attributes nested in ways the tree does not follow
	// (lists, sets and maps of objects) that hold defaults or computed
	// values: a plan that configures them goes to the framework.
	other bool
	// defaults is whether the attribute or any inside it has a default.
	defaults bool
}

func newRawSchema(ctx context.Context, r resource.Resource) (*rawSchema, error) {
	var resp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		return nil, errors.New("schema has errors")
	}
	for name, b := range resp.Schema.Blocks {
		if _, single := b.(schema.SingleNestedBlock); !single {
			// The framework turns null list and set blocks into empty
			// ones in every state it reads.
			return nil, errors.New("block " + name + " is a collection")
		}
		if blockHasDefaults(b) {
			return nil, errors.New("block " + name + " holds defaults, which are not followed")
		}
	}
	t, err := newAttrTree(ctx, resp.Schema.Attributes)
	if err != nil {
		return nil, err
	}
	return &rawSchema{schema: resp.Schema, typ: resp.Schema.Type().TerraformType(ctx), version: resp.Schema.Version, attrs: t}, nil
}

func newAttrTree(ctx context.Context, attrs map[string]schema.Attribute) (attrTree, error) {
	t := attrTree{}
	for name, a := range attrs {
		if a.IsWriteOnly() {
			// The framework nulls write-only values in every plan and
			// state: that is not "what came in".
			return t, errors.New("write-only attribute " + name)
		}
		info := attrInfo{computed: a.IsComputed()}
		v, err := defaultOf(ctx, a)
		if err != nil {
			return t, err
		}
		if v != nil {
			tv, err := v.ToTerraformValue(ctx)
			if err != nil {
				return t, err
			}
			info.def = &tv
		}
		var inner map[string]schema.Attribute
		switch n := a.(type) {
		case schema.SingleNestedAttribute:
			if info.nested, err = newAttrTree(ctx, n.Attributes); err != nil {
				return t, err
			}
		case schema.ListNestedAttribute:
			inner = n.NestedObject.Attributes
		case schema.SetNestedAttribute:
			inner = n.NestedObject.Attributes
		case schema.MapNestedAttribute:
			inner = n.NestedObject.Attributes
		}
		if inner != nil {
			sub, err := newAttrTree(ctx, inner)
			if err != nil {
				return t, err
			}
			info.other = sub.plans()
			info.defaults = sub.anyDefaults()
		}
		info.defaults = info.defaults || info.def != nil || info.nested.anyDefaults()
		t[name] = info
	}
	return t, nil
}

func (t attrTree) anyDefaults() bool {
	for _, a := range t {
		if a.defaults {
			return true
		}
	}
	return false
}

// plans says whether the framework would plan any value of t that the
// configuration leaves null: a default or an unknown.
func (t attrTree) plans() bool {
	for _, a := range t {
		if a.computed || a.def != nil || a.other || a.nested.plans() {
			return true
		}
	}
	return false
}

// defaultOf is an attribute's default value, or nil when it has none.
func defaultOf(ctx context.Context, a schema.Attribute) (attr.Value, error) {
	p := path.Empty()
	switch a := a.(type) {
	case schema.StringAttribute:
		if a.Default != nil {
			var resp defaults.StringResponse
			a.Default.DefaultString(ctx, defaults.StringRequest{Path: p}, &resp)
			return resp.PlanValue, diagsErr(resp.Diagnostics.HasError())
		}
	case schema.Int64Attribute:
		if a.Default != nil {
			var resp defaults.Int64Response
			a.Default.DefaultInt64(ctx, defaults.Int64Request{Path: p}, &resp)
			return resp.PlanValue, diagsErr(resp.Diagnostics.HasError())
		}
	case schema.BoolAttribute:
		if a.Default != nil {
			var resp defaults.BoolResponse
			a.Default.DefaultBool(ctx, defaults.BoolRequest{Path: p}, &resp)
			return resp.PlanValue, diagsErr(resp.Diagnostics.HasError())
		}
	case schema.MapAttribute:
		if a.Default != nil {
			var resp defaults.MapResponse
			a.Default.DefaultMap(ctx, defaults.MapRequest{Path: p}, &resp)
			return resp.PlanValue, diagsErr(resp.Diagnostics.HasError())
		}
	case schema.SingleNestedAttribute:
		if a.Default != nil {
			return nil, errors.New("object defaults are not followed")
		}
	default:
		if hasDefault(a) {
			return nil, errors.New("a default of a kind not followed")
		}
	}
	return nil, nil
}

// hasDefault reports defaults on attribute kinds defaultOf does not read,
// so that a schema that grows one is not answered wrongly.
func hasDefault(a schema.Attribute) bool {
	switch a := a.(type) {
	case schema.Float64Attribute:
		return a.Default != nil
	case schema.Float32Attribute:
		return a.Default != nil
	case schema.Int32Attribute:
		return a.Default != nil
	case schema.NumberAttribute:
		return a.Default != nil
	case schema.ListAttribute:
		return a.Default != nil
	case schema.SetAttribute:
		return a.Default != nil
	case schema.ObjectAttribute:
		return a.Default != nil
	case schema.DynamicAttribute:
		return a.Default != nil
	}
	return false
}

// blockHasDefaults says whether a block, or a block inside it, has an
// attribute with a default, or one the framework plans or nulls itself
// (computed, write-only).
func blockHasDefaults(b schema.Block) bool {
	var attrs map[string]schema.Attribute
	var blocks map[string]schema.Block
	switch b := b.(type) {
	case schema.SingleNestedBlock:
		attrs, blocks = b.Attributes, b.Blocks
	case schema.ListNestedBlock:
		attrs, blocks = b.NestedObject.Attributes, b.NestedObject.Blocks
	case schema.SetNestedBlock:
		attrs, blocks = b.NestedObject.Attributes, b.NestedObject.Blocks
	default:
		return true
	}
	for _, a := range attrs {
		if v, err := defaultOf(context.Background(), a); v != nil || err != nil {
			return true
		}
		if a.IsComputed() || a.IsWriteOnly() {
			return true // the tree does not follow blocks
		}
		if n, ok := a.(schema.SingleNestedAttribute); ok {
			if t, err := newAttrTree(context.Background(), n.Attributes); err != nil || t.plans() {
				return true
			}
		}
	}
	for _, sub := range blocks {
		if blockHasDefaults(sub) {
			return true
		}
	}
	return false
}

func diagsErr(failed bool) error {
	if failed {
		return errors.New("default has errors")
	}
	return nil
}

// defaultsHold says whether the framework's defaults pass would leave
// prior as it is: every attribute config leaves null that has a default
// already holds it. (The framework sets defaults only where the
// configuration is null, and not inside a null object.)
func (s *rawSchema) defaultsHold(config, prior tftypes.Value) bool {
	return s.attrs.hold(config, prior)
}

func (t attrTree) hold(config, prior tftypes.Value) bool {
	cfg, ok := rawAttrs(config)
	if !ok {
		return false
	}
	st, ok := rawAttrs(prior)
	if !ok {
		return false
	}
	for name, a := range t {
		null := rawIsNull(cfg, name)
		switch {
		case null && a.def != nil && !a.def.Equal(st[name]):
			return false
		case !null && a.nested != nil && !a.nested.hold(cfg[name], st[name]):
			return false
		case null && a.computed && a.nested.anyDefaults() && !rawIsNull(st, name):
			// The framework plans defaults inside a computed object the
			// configuration leaves null: not followed here.
			return false
		case !null && a.other:
			return false
		}
	}
	return true
}

// createPlan is what the framework plans for a new object before plan
// modifiers run: the proposed value with defaults where the configuration
// is null, and unknown for computed attributes without one. ok is false
// for what it does not follow.
func (s *rawSchema) createPlan(config, proposed tftypes.Value) (tftypes.Value, bool) {
	return s.attrs.createPlan(config, proposed)
}

func (t attrTree) createPlan(config, proposed tftypes.Value) (tftypes.Value, bool) {
	cfg, ok := rawAttrs(config)
	if !ok {
		return proposed, false
	}
	plan, ok := rawObject(proposed)
	if !ok {
		return proposed, false
	}
	for name, a := range t {
		v, ok := plan[name]
		if !ok {
			return proposed, false
		}
		if !rawIsNull(cfg, name) {
			switch {
			case a.other:
				return proposed, false
			case a.nested != nil:
				if plan[name], ok = a.nested.createPlan(cfg[name], v); !ok {
					return proposed, false
				}
			}
			continue
		}
		switch {
		case a.def != nil:
			plan[name] = *a.def
		case a.computed:
			plan[name] = tftypes.NewValue(v.Type(), tftypes.UnknownValue)
		}
	}
	return tftypes.NewValue(proposed.Type(), plan), true
}
