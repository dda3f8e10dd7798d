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
// Terraform type, and the defaults the framework plans for attributes the
// configuration leaves null.
type rawSchema struct {
	typ      tftypes.Type
	defaults defaultTree
}

// defaultTree holds the default of every attribute that has one, and the
// defaults inside single nested attributes.
type defaultTree struct {
	values map[string]tftypes.Value
	nested map[string]defaultTree
	// others are attributes nested in ways the tree does not follow
	// (lists, sets and maps of objects) that hold defaults: a plan that
	// configures them goes to the framework.
	others map[string]bool
}

func newRawSchema(ctx context.Context, r resource.Resource) (*rawSchema, error) {
	var resp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		return nil, errors.New("schema has errors")
	}
	for _, a := range resp.Schema.Attributes {
		if a.IsWriteOnly() {
			// The framework nulls write-only values in every plan: that is
			// not "what came in".
			return nil, errors.New("schema has write-only attributes")
		}
	}
	for name, b := range resp.Schema.Blocks {
		if blockHasDefaults(b) {
			return nil, errors.New("block " + name + " holds defaults, which are not followed")
		}
	}
	t, err := newDefaultTree(ctx, resp.Schema.Attributes)
	if err != nil {
		return nil, err
	}
	return &rawSchema{typ: resp.Schema.Type().TerraformType(ctx), defaults: t}, nil
}

func newDefaultTree(ctx context.Context, attrs map[string]schema.Attribute) (defaultTree, error) {
	t := defaultTree{values: map[string]tftypes.Value{}, nested: map[string]defaultTree{}, others: map[string]bool{}}
	for name, a := range attrs {
		v, err := defaultOf(ctx, a)
		if err != nil {
			return t, err
		}
		if v != nil {
			tv, err := v.ToTerraformValue(ctx)
			if err != nil {
				return t, err
			}
			t.values[name] = tv
		}
		switch n := a.(type) {
		case schema.SingleNestedAttribute:
			sub, err := newDefaultTree(ctx, n.Attributes)
			if err != nil {
				return t, err
			}
			if !sub.empty() {
				t.nested[name] = sub
			}
		case schema.ListNestedAttribute, schema.SetNestedAttribute, schema.MapNestedAttribute:
			t.others[name] = true
		}
	}
	return t, nil
}

func (t defaultTree) empty() bool {
	return len(t.values) == 0 && len(t.nested) == 0 && len(t.others) == 0
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
// attribute with a default.
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
		if n, ok := a.(schema.SingleNestedAttribute); ok {
			if t, err := newDefaultTree(context.Background(), n.Attributes); err != nil || !t.empty() {
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
	return s.defaults.hold(config, prior)
}

func (t defaultTree) hold(config, prior tftypes.Value) bool {
	cfg, ok := rawAttrs(config)
	if !ok {
		return false
	}
	st, ok := rawAttrs(prior)
	if !ok {
		return false
	}
	for name, want := range t.values {
		if rawIsNull(cfg, name) && !want.Equal(st[name]) {
			return false
		}
	}
	for name, sub := range t.nested {
		if rawIsNull(cfg, name) {
			continue
		}
		if !sub.hold(cfg[name], st[name]) {
			return false
		}
	}
	for name := range t.others {
		if !rawIsNull(cfg, name) {
			return false
		}
	}
	return true
}
