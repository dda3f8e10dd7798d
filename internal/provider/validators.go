package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	serverURLPattern    = regexp.MustCompile(`^(nats|tls|ws|wss)://[^\s,]+$`)
	subjectTokenPattern = regexp.MustCompile(`^[^\s.*>]+(\.[^\s.*>]+)*$`)
	namePattern         = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	subjectPattern      = regexp.MustCompile(`^[^\s.]+(\.[^\s.]+)*$`)
	tierPattern         = regexp.MustCompile(`^R[1-5]$`)
)

// nameValidator accepts what JetStream accepts as a bucket name.
func nameValidator() validator.String {
	return stringvalidator.RegexMatches(namePattern,
		"may only contain letters, digits, '-' and '_' (no dots, spaces or wildcards)")
}

// domainValidator accepts a JetStream domain name.
func domainValidator() validator.String {
	return stringvalidator.RegexMatches(namePattern,
		"must be a JetStream domain name: letters, digits, '-' and '_'")
}

// durationAtLeast rejects Go durations below min (after the type has checked
// that the value parses).
type durationAtLeast struct{ min time.Duration }

func positiveDuration() validator.String    { return durationAtLeast{min: time.Nanosecond} }
func nonNegativeDuration() validator.String { return durationAtLeast{min: 0} }

func (v durationAtLeast) Description(context.Context) string {
	if v.min == 0 {
		return "must not be a negative duration"
	}
	return "must be a positive duration"
}

func (v durationAtLeast) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationAtLeast) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil {
		return // the custom type reports unparsable durations itself
	}
	if d < v.min {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%s %s: got %q.", req.Path, v.Description(ctx), req.ConfigValue.ValueString()))
	}
}

// identityAttributes are the provider's ways to authenticate; at most one may
// be configured.
var identityAttributes = []string{"credentials", "credentials_data", "nkey_seed", "user", "token", "context"}

// oneIdentity reports two identities configured at once, naming both.
type oneIdentity struct{}

func (oneIdentity) Description(context.Context) string {
	return "at most one of " + strings.Join(identityAttributes, ", ") + " may be set"
}

func (v oneIdentity) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (oneIdentity) ValidateProvider(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var set []string
	for _, name := range identityAttributes {
		var v types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), &v)...)
		if !v.IsNull() {
			set = append(set, name)
		}
	}
	if len(set) < 2 {
		return
	}
	resp.Diagnostics.AddAttributeError(path.Root(set[1]), "Two identities configured",
		fmt.Sprintf("Both %s and %s are set, but the provider connects with one identity. "+
			"Keep one of them and remove the other (one of: %s).", set[0], set[1], strings.Join(identityAttributes, ", ")))
}

// accountKeyValidator accepts an account public key.
func accountKeyValidator() validator.String {
	return stringvalidator.RegexMatches(regexp.MustCompile(`^A[A-Z2-7]{55}$`), "must be an account public key: 56 characters starting with A")
}

// mapKeysAreTiers accepts JetStream tier names R1 to R5 as map keys.
func mapKeysAreTiers() validator.Map {
	return mapvalidator.KeysAre(stringvalidator.RegexMatches(tierPattern, "must be a JetStream tier: R1, R2, R3, R4 or R5"))
}

// setValuesAreUserKeys accepts user public keys.
func setValuesAreUserKeys() validator.Set {
	return setvalidator.ValueStringsAre(stringvalidator.RegexMatches(regexp.MustCompile(`^U[A-Z2-7]{55}$`),
		"must be a user public key: 56 characters starting with U"))
}

// notEmptyObject rejects an object whose attributes are all null: the server
// stores no placement then, and the state would not match the plan.
type notEmptyObject struct{}

func (notEmptyObject) Description(context.Context) string {
	return "set at least one attribute, or leave the whole object out"
}

func (v notEmptyObject) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v notEmptyObject) ValidateObject(ctx context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for _, a := range req.ConfigValue.Attributes() {
		if !a.IsNull() {
			return
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Empty "+req.Path.String(),
		fmt.Sprintf("%s has no attribute set: %s.", req.Path, v.Description(ctx)))
}
