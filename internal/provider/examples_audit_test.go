package provider

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Every resource, data source, ephemeral resource and function has its
// example under examples/, which the docs show; a resource has import.sh
// and import-by-string-id.tf exactly when it can be imported.
func TestExamplesCoverEverything(t *testing.T) {
	ctx := context.Background()
	p := &natsProvider{version: "test"}
	root := filepath.Join("..", "..", "examples")
	has := func(parts ...string) bool {
		_, err := os.Stat(filepath.Join(append([]string{root}, parts...)...))
		return err == nil
	}
	for _, f := range p.Resources(ctx) {
		r := f()
		var md resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "nats"}, &md)
		if !has("resources", md.TypeName, "resource.tf") {
			t.Errorf("resource %s: no examples/resources/%s/resource.tf", md.TypeName, md.TypeName)
		}
		_, importable := r.(resource.ResourceWithImportState)
		for _, file := range []string{"import.sh", "import-by-string-id.tf"} {
			if has("resources", md.TypeName, file) != importable {
				t.Errorf("resource %s: importable is %v, but examples/resources/%s/%s exists is %v", md.TypeName, importable, md.TypeName, file, !importable)
			}
		}
	}
	for _, f := range p.DataSources(ctx) {
		var md datasource.MetadataResponse
		f().Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "nats"}, &md)
		if !has("data-sources", md.TypeName, "data-source.tf") {
			t.Errorf("data source %s: no examples/data-sources/%s/data-source.tf", md.TypeName, md.TypeName)
		}
	}
	for _, f := range p.EphemeralResources(ctx) {
		var md ephemeral.MetadataResponse
		f().Metadata(ctx, ephemeral.MetadataRequest{ProviderTypeName: "nats"}, &md)
		if !has("ephemeral-resources", md.TypeName, "ephemeral-resource.tf") {
			t.Errorf("ephemeral resource %s: no examples/ephemeral-resources/%s/ephemeral-resource.tf", md.TypeName, md.TypeName)
		}
	}
	for _, f := range p.Functions(ctx) {
		var md function.MetadataResponse
		f().Metadata(ctx, function.MetadataRequest{}, &md)
		if !has("functions", md.Name, "function.tf") {
			t.Errorf("function %s: no examples/functions/%s/function.tf", md.Name, md.Name)
		}
	}
	if !has("provider", "provider.tf") {
		t.Error("no examples/provider/provider.tf")
	}
}
