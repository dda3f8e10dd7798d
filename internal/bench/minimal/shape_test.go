package main

import (
	"context"
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
	wantAttrs, gotAttrs := map[string]*tfprotov6.SchemaAttribute{}, map[string]*tfprotov6.SchemaAttribute{}
	for _, a := range want.Attributes {
		wantAttrs[a.Name] = a
	}
	for _, a := range got.Attributes {
		gotAttrs[a.Name] = a
	}
	compareAttrs(t, at, wantAttrs, gotAttrs)
	wantBlocks, gotBlocks := map[string]*tfprotov6.SchemaNestedBlock{}, map[string]*tfprotov6.SchemaNestedBlock{}
	for _, b := range want.BlockTypes {
		wantBlocks[b.TypeName] = b
	}
	for _, b := range got.BlockTypes {
		gotBlocks[b.TypeName] = b
	}
	if w, g := sortedKeys(wantBlocks), sortedKeys(gotBlocks); !slices.Equal(w, g) {
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
	if w, g := sortedKeys(want), sortedKeys(got); !slices.Equal(w, g) {
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
			wn, gn := map[string]*tfprotov6.SchemaAttribute{}, map[string]*tfprotov6.SchemaAttribute{}
			for _, a := range w.NestedType.Attributes {
				wn[a.Name] = a
			}
			for _, a := range g.NestedType.Attributes {
				gn[a.Name] = a
			}
			compareAttrs(t, at+name+".", wn, gn)
		case !w.Type.Equal(g.Type):
			t.Errorf("%s%s: type %s, want %s", at, name, g.Type, w.Type)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
