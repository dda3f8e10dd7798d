package main

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	natsprovider "github.com/natsk3s/terraform-provider-nats/internal/provider"
)

// minimal_shape stands for a plain bucket in `make bench` only while
// Terraform sees the same schema: the same attributes and blocks, with the
// same types, nesting and flags (descriptions, validators and plan
// modifiers aside, which Terraform does not act on).
func TestShapeIsTheBucketsSchema(t *testing.T) {
	bucket := resourceSchema(t, natsprovider.NewServer("test", nil)(), "nats_kv_bucket")
	shape := resourceSchema(t, providerserver.NewProtocol6(func() provider.Provider { return minimalProvider{} }())(), "minimal_shape")
	compareBlocks(t, "", bucket.Block, shape.Block)
}

func resourceSchema(t *testing.T, s tfprotov6.ProviderServer, typeName string) *tfprotov6.Schema {
	t.Helper()
	resp, err := s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %v", err, resp.Diagnostics)
	}
	sch, ok := resp.ResourceSchemas[typeName]
	if !ok {
		t.Fatalf("no schema for %s", typeName)
	}
	return sch
}

func compareBlocks(t *testing.T, at string, want, got *tfprotov6.SchemaBlock) {
	t.Helper()
	compareAttrs(t, at, byName(want.Attributes, attrName), byName(got.Attributes, attrName))
	wantBlocks, gotBlocks := byName(want.BlockTypes, blockName), byName(got.BlockTypes, blockName)
	if w, g := slices.Sorted(maps.Keys(wantBlocks)), slices.Sorted(maps.Keys(gotBlocks)); !slices.Equal(w, g) {
		t.Errorf("%sblocks: %v, want %v", at, g, w)
	}
	for name, w := range wantBlocks {
		if g, ok := gotBlocks[name]; ok {
			if w.Nesting != g.Nesting || w.MinItems != g.MinItems || w.MaxItems != g.MaxItems {
				t.Errorf("%s%s: block nesting %v [%d, %d], want %v [%d, %d]", at, name, g.Nesting, g.MinItems, g.MaxItems, w.Nesting, w.MinItems, w.MaxItems)
			}
			compareBlocks(t, at+name+".", w.Block, g.Block)
		}
	}
}

func compareAttrs(t *testing.T, at string, want, got map[string]*tfprotov6.SchemaAttribute) {
	t.Helper()
	if w, g := slices.Sorted(maps.Keys(want)), slices.Sorted(maps.Keys(got)); !slices.Equal(w, g) {
		t.Errorf("%sattributes: %v, want %v", at, g, w)
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			continue
		}
		if w.Required != g.Required || w.Optional != g.Optional || w.Computed != g.Computed || w.Sensitive != g.Sensitive || w.WriteOnly != g.WriteOnly {
			t.Errorf("%s%s: required/optional/computed/sensitive/write-only %v/%v/%v/%v/%v, want %v/%v/%v/%v/%v", at, name,
				g.Required, g.Optional, g.Computed, g.Sensitive, g.WriteOnly, w.Required, w.Optional, w.Computed, w.Sensitive, w.WriteOnly)
		}
		switch {
		case (w.NestedType == nil) != (g.NestedType == nil):
			t.Errorf("%s%s: nested %v, want %v", at, name, g.NestedType != nil, w.NestedType != nil)
		case w.NestedType != nil:
			if w.NestedType.Nesting != g.NestedType.Nesting {
				t.Errorf("%s%s: nesting %v, want %v", at, name, g.NestedType.Nesting, w.NestedType.Nesting)
			}
			compareAttrs(t, at+name+".", byName(w.NestedType.Attributes, attrName), byName(g.NestedType.Attributes, attrName))
		case !w.Type.Equal(g.Type):
			t.Errorf("%s%s: type %s, want %s", at, name, g.Type, w.Type)
		}
	}
}

func byName[T any](xs []T, name func(T) string) map[string]T {
	m := make(map[string]T, len(xs))
	for _, x := range xs {
		m[name(x)] = x
	}
	return m
}

func attrName(a *tfprotov6.SchemaAttribute) string { return a.Name }

func blockName(b *tfprotov6.SchemaNestedBlock) string { return b.TypeName }
