package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Write-only attributes (Terraform 1.11 and later) take a secret that a
// resource only consumes while it is applied: Terraform passes the value
// from the configuration to create and update and never stores it, in plan
// or state. Each comes with a `_wo_version`, an ordinary attribute, since
// Terraform cannot see a write-only value change: bumping the version is
// what makes the next apply use a new secret.

// writeOnlyPair is the plain attribute and its write-only variant.
type writeOnlyPair struct {
	plain string // account_signing_seed
	wo    string // account_signing_seed_wo
}

func (p writeOnlyPair) version() string { return p.wo + "_version" }

var (
	signingSeedPair = writeOnlyPair{plain: "account_signing_seed", wo: "account_signing_seed_wo"}
	edgeCredsPair   = writeOnlyPair{plain: "credentials", wo: "credentials_wo"}
)

// attributes are the write-only variant and its version, described after
// the plain attribute's description desc, with the validators the value
// needs.
func (p writeOnlyPair) attributes(desc string, valueValidators ...validator.String) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		p.wo: schema.StringAttribute{
			Optional: true, Sensitive: true, WriteOnly: true,
			MarkdownDescription: desc + fmt.Sprintf(" Write-only (Terraform 1.11 and later): read from the configuration on create and update and never "+
				"stored in plan or state, so it may come from an ephemeral value. Exactly one of `%s` and `%s` must be set. "+
				"Terraform cannot see a change of this value: change `%s` to make the next apply use a new one.", p.plain, p.wo, p.version()),
			Validators: append([]validator.String{stringvalidator.ConflictsWith(path.MatchRoot(p.plain))}, valueValidators...),
		},
		p.version(): schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Any number, kept in state: changing it makes the next apply re-read `%s` and update the resource in place. "+
				"Requires `%s`.", p.wo, p.wo),
			Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot(p.wo))},
		},
	}
}

// plainValidators require the plain attribute or the write-only variant,
// not both (the variant's ConflictsWith says which attribute to drop).
func (p writeOnlyPair) plainValidators() []validator.String {
	return []validator.String{stringvalidator.ExactlyOneOf(path.MatchRoot(p.wo))}
}

// value is the secret: the plain attribute's value from the plan when set,
// else the write-only value from the configuration. The path is the
// attribute it came from, for diagnostics.
func (p writeOnlyPair) value(ctx context.Context, plain types.String, config tfsdk.Config, diags *diag.Diagnostics) (string, path.Path) {
	if !plain.IsNull() && !plain.IsUnknown() {
		return plain.ValueString(), path.Root(p.plain)
	}
	var wo types.String
	diags.Append(config.GetAttribute(ctx, path.Root(p.wo), &wo)...)
	if wo.IsNull() || wo.IsUnknown() {
		diags.AddAttributeError(path.Root(p.wo), "Missing "+p.wo,
			fmt.Sprintf("Neither %s nor %s has a value at apply time. Set one of them; a write-only value must be known when the resource is applied.", p.plain, p.wo))
		return "", path.Root(p.wo)
	}
	return wo.ValueString(), path.Root(p.wo)
}

// configValue is what value returns, at plan time: ok is false while the
// secret is not known yet.
func (p writeOnlyPair) configValue(ctx context.Context, config tfsdk.Config) (string, path.Path, bool) {
	for _, name := range []string{p.plain, p.wo} {
		var v types.String
		if config.GetAttribute(ctx, path.Root(name), &v).HasError() || v.IsNull() {
			continue
		}
		return v.ValueString(), path.Root(name), !v.IsUnknown()
	}
	return "", path.Empty(), false
}
