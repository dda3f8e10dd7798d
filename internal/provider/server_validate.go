package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// validateRaw validates a resource's configuration as the framework's
// ValidateResourceConfig does, walking the decoded value once instead of
// looking every attribute up from the root (which rebuilds the schema's
// attribute maps at each step). It runs the same validators with the same
// requests, in the framework's order, for schemas of attributes, single
// nested attributes and single nested blocks.
//
// Where the framework would write a diagnostic of its own (a read-only
// attribute set, a required one missing, a write-only value the client
// cannot take, a deprecation) or meets something this walk does not follow
// (collection nesting with values, dynamic values, resource-level
// validators), ok is false and nothing is decided: the framework validates.
func validateRaw(ctx context.Context, r resource.Resource, s schema.Schema, config tftypes.Value,
	caps validator.ValidateSchemaClientCapabilities) (diag.Diagnostics, bool) {
	if _, ok := r.(resource.ResourceWithConfigValidators); ok {
		return nil, false
	}
	if _, ok := r.(resource.ResourceWithValidateConfig); ok {
		return nil, false
	}
	if config.IsNull() || !config.IsKnown() || s.DeprecationMessage != "" {
		return nil, false
	}
	c := &configCheck{ctx: ctx, config: tfsdk.Config{Raw: config, Schema: s}, caps: caps}
	vals := objectValues(config)
	for name, a := range s.Attributes {
		if !c.attribute(a, path.Root(name), path.MatchRoot(name), vals[name]) {
			return nil, false
		}
	}
	for name, b := range s.Blocks {
		if !c.block(b, path.Root(name), path.MatchRoot(name), vals[name]) {
			return nil, false
		}
	}
	return c.diags, true
}

type configCheck struct {
	ctx    context.Context
	config tfsdk.Config
	caps   validator.ValidateSchemaClientCapabilities
	diags  diag.Diagnostics
}

// objectValues are an object's attribute values. Those of a null or
// unknown object are the zero tftypes.Value, which is what the framework
// finds at a path through one: a null.
func objectValues(v tftypes.Value) map[string]tftypes.Value {
	var m map[string]tftypes.Value
	if v.IsKnown() && !v.IsNull() && v.As(&m) != nil {
		return nil
	}
	return m
}

// value is the attribute value of tv, with the type's or the value's own
// validation, as the framework reads a value at a path.
func (c *configCheck) value(typ attr.Type, tv tftypes.Value, p path.Path) (attr.Value, diag.Diagnostics, bool) {
	v, err := typ.ValueFromTerraform(c.ctx, tv)
	if err != nil {
		return nil, nil, false
	}
	switch t := v.(type) {
	case xattr.ValidateableAttribute:
		var resp xattr.ValidateAttributeResponse
		t.ValidateAttribute(c.ctx, xattr.ValidateAttributeRequest{Path: p}, &resp)
		return v, resp.Diagnostics, true
	default:
		//nolint:staticcheck // deprecated, and still called by the framework
		if tv2, ok := typ.(xattr.TypeWithValidate); ok {
			return v, tv2.Validate(c.ctx, tv, p), true
		}
	}
	return v, nil, true
}

func (c *configCheck) attribute(a schema.Attribute, p path.Path, pe path.Expression, tv tftypes.Value) bool {
	if (!a.IsRequired() && !a.IsOptional() && !a.IsComputed()) || a.GetDeprecationMessage() != "" ||
		(a.IsWriteOnly() && (a.IsComputed() || (a.IsRequired() && a.IsOptional()))) {
		return false
	}
	v, diags, ok := c.value(a.GetType(), tv, p)
	if !ok {
		return false
	}
	c.diags.Append(diags...)
	if diags.HasError() {
		return true
	}
	if _, dynamic := v.(basetypes.DynamicValuable); dynamic {
		return false
	}
	null := v.IsNull()
	switch {
	case a.IsComputed() && !a.IsOptional() && !null, a.IsRequired() && null,
		a.IsWriteOnly() && !null && !c.caps.WriteOnlyAttributesAllowed:
		return false
	}
	errs := c.diags.ErrorsCount()
	if !c.validators(a, v, p, pe) {
		return false
	}
	switch a := a.(type) {
	case schema.SingleNestedAttribute:
		o, ok := c.object(v)
		if !ok {
			return false
		}
		// The framework walks no further into an object its validators
		// refused.
		if o.IsNull() || o.IsUnknown() || c.diags.ErrorsCount() > errs {
			return true
		}
		c.objectValidators(a.GetNestedObject(), o, p, pe)
		vals := objectValues(tv)
		for name, na := range a.Attributes {
			if !c.attribute(na, p.AtName(name), pe.AtName(name), vals[name]) {
				return false
			}
		}
	case schema.ListNestedAttribute, schema.SetNestedAttribute, schema.MapNestedAttribute:
		return null // elements would be walked: the framework's
	}
	return true
}

func (c *configCheck) block(b schema.Block, p path.Path, pe path.Expression, tv tftypes.Value) bool {
	sb, ok := b.(schema.SingleNestedBlock)
	if !ok || sb.DeprecationMessage != "" {
		return false
	}
	v, diags, ok := c.value(sb.Type(), tv, p)
	if !ok {
		return false
	}
	c.diags.Append(diags...)
	if diags.HasError() {
		return true
	}
	o, ok := c.object(v)
	if !ok {
		return false
	}
	errs := c.diags.ErrorsCount()
	c.runObject(sb.ObjectValidators(), o, p, pe)
	if c.diags.ErrorsCount() > errs {
		return true // as for a nested attribute: refused, not walked
	}
	c.objectValidators(sb.GetNestedObject(), o, p, pe)
	// Unlike a nested attribute's, a block's attributes are validated
	// when the block is null or unknown too.
	vals := objectValues(tv)
	for name, na := range sb.Attributes {
		if !c.attribute(na, p.AtName(name), pe.AtName(name), vals[name]) {
			return false
		}
	}
	for name, nb := range sb.Blocks {
		if !c.block(nb, p.AtName(name), pe.AtName(name), vals[name]) {
			return false
		}
	}
	return true
}

func (c *configCheck) object(v attr.Value) (basetypes.ObjectValue, bool) {
	ov, ok := v.(basetypes.ObjectValuable)
	if !ok {
		return basetypes.ObjectValue{}, false
	}
	o, d := ov.ToObjectValue(c.ctx)
	return o, !d.HasError()
}

// objectValidators runs a nested object's own validators, which the
// framework runs besides the attribute's or block's (for a single nested
// one, the same validators run twice).
func (c *configCheck) objectValidators(nested any, o basetypes.ObjectValue, p path.Path, pe path.Expression) {
	if ov, ok := nested.(interface{ ObjectValidators() []validator.Object }); ok {
		c.runObject(ov.ObjectValidators(), o, p, pe)
	}
}

func (c *configCheck) runObject(vs []validator.Object, o basetypes.ObjectValue, p path.Path, pe path.Expression) {
	req := validator.ObjectRequest{ClientCapabilities: c.caps, Config: c.config, ConfigValue: o, Path: p, PathExpression: pe}
	for _, x := range vs {
		var resp validator.ObjectResponse
		x.ValidateObject(c.ctx, req, &resp)
		c.diags.Append(resp.Diagnostics...)
	}
}

// validators runs the attribute's validators of its kind, found in the
// framework's order of kinds; the kinds the bucket's schema has no
// attribute of are left to the framework.
func (c *configCheck) validators(a schema.Attribute, v attr.Value, p path.Path, pe path.Expression) bool {
	switch a := a.(type) {
	case interface{ BoolValidators() []validator.Bool }:
		bv, ok := v.(basetypes.BoolValuable)
		return ok && run(c, bv.ToBoolValue, a.BoolValidators(), func(x validator.Bool, t basetypes.BoolValue) diag.Diagnostics {
			var resp validator.BoolResponse
			x.ValidateBool(c.ctx, validator.BoolRequest{ClientCapabilities: c.caps, Config: c.config, ConfigValue: t, Path: p, PathExpression: pe}, &resp)
			return resp.Diagnostics
		})
	case interface{ Float32Validators() []validator.Float32 }, interface{ Float64Validators() []validator.Float64 },
		interface{ Int32Validators() []validator.Int32 }, interface{ NumberValidators() []validator.Number },
		interface{ SetValidators() []validator.Set }, interface{ DynamicValidators() []validator.Dynamic }:
		return false // kinds no raw-answered schema has
	case interface{ Int64Validators() []validator.Int64 }:
		iv, ok := v.(basetypes.Int64Valuable)
		return ok && run(c, iv.ToInt64Value, a.Int64Validators(), func(x validator.Int64, t basetypes.Int64Value) diag.Diagnostics {
			var resp validator.Int64Response
			x.ValidateInt64(c.ctx, validator.Int64Request{ClientCapabilities: c.caps, Config: c.config, ConfigValue: t, Path: p, PathExpression: pe}, &resp)
			return resp.Diagnostics
		})
	case interface{ ListValidators() []validator.List }:
		lv, ok := v.(basetypes.ListValuable)
		return ok && run(c, lv.ToListValue, a.ListValidators(), func(x validator.List, t basetypes.ListValue) diag.Diagnostics {
			var resp validator.ListResponse
			x.ValidateList(c.ctx, validator.ListRequest{ClientCapabilities: c.caps, Config: c.config, ConfigValue: t, Path: p, PathExpression: pe}, &resp)
			return resp.Diagnostics
		})
	case interface{ MapValidators() []validator.Map }:
		mv, ok := v.(basetypes.MapValuable)
		return ok && run(c, mv.ToMapValue, a.MapValidators(), func(x validator.Map, t basetypes.MapValue) diag.Diagnostics {
			var resp validator.MapResponse
			x.ValidateMap(c.ctx, validator.MapRequest{ClientCapabilities: c.caps, Config: c.config, ConfigValue: t, Path: p, PathExpression: pe}, &resp)
			return resp.Diagnostics
		})
	case interface{ ObjectValidators() []validator.Object }:
		o, ok := c.object(v)
		if ok {
			c.runObject(a.ObjectValidators(), o, p, pe)
		}
		return ok
	case interface{ StringValidators() []validator.String }:
		sv, ok := v.(basetypes.StringValuable)
		return ok && run(c, sv.ToStringValue, a.StringValidators(), func(x validator.String, t basetypes.StringValue) diag.Diagnostics {
			var resp validator.StringResponse
			x.ValidateString(c.ctx, validator.StringRequest{ClientCapabilities: c.caps, Config: c.config, ConfigValue: t, Path: p, PathExpression: pe}, &resp)
			return resp.Diagnostics
		})
	}
	return true
}

// run converts the value to its kind and runs each validator on it; a
// value that does not convert is left to the framework.
func run[T any, V any](c *configCheck, conv func(context.Context) (T, diag.Diagnostics), vs []V, validate func(V, T) diag.Diagnostics) bool {
	t, d := conv(c.ctx)
	if d.HasError() {
		return false
	}
	c.diags.Append(d...)
	for _, x := range vs {
		c.diags.Append(validate(x, t)...)
	}
	return true
}
