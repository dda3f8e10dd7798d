package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/nats-io/nkeys"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
)

// subjectSetValidators check every subject of a permission list.
func subjectSetValidators(queue bool) []validator.Set {
	return []validator.Set{setvalidator.ValueStringsAre(permissionSubject{queue: queue})}
}

// inboxPrefixValidators accept a literal subject prefix, only with a bucket.
func inboxPrefixValidators() []validator.String {
	return []validator.String{
		stringvalidator.RegexMatches(subjectTokenPattern,
			"must be subject tokens separated by dots, without wildcards or spaces, such as _INBOX_k3s"),
		stringvalidator.AlsoRequires(path.MatchRoot("kine_bucket")),
	}
}

// permissionSubject accepts a subject as a permission takes it: tokens
// separated by dots, `*` and `>` only as whole tokens and `>` last. With
// queue, "<subject> <queue group>" too (subscribe permissions).
type permissionSubject struct{ queue bool }

func (v permissionSubject) Description(context.Context) string {
	if v.queue {
		return "must be a subject, optionally followed by one space and a queue group"
	}
	return "must be a subject without spaces"
}

func (v permissionSubject) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v permissionSubject) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	problem := subjectProblem(s, v.queue)
	if problem == "" {
		return
	}
	example := "such as orders.*.created or orders.>"
	if v.queue {
		example += "; a queue group may follow after one space: orders.> workers"
	}
	// Terraform shows the whole resource for a path inside a nested
	// attribute, so the message names the list.
	list := req.Path
	if last, _ := req.Path.Steps().LastStep(); last != nil {
		if _, isElem := last.(path.PathStepElementKeyValue); isElem {
			list = req.Path.ParentPath()
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid subject",
		fmt.Sprintf("%s: %q %s. A permission subject is tokens separated by dots, with * and > only as whole tokens and > last, %s.", list, s, problem, example))
}

// subjectProblem says what is wrong with s, or "" when it is fine.
func subjectProblem(s string, queue bool) string {
	subject, group, hasGroup := strings.Cut(s, " ")
	switch {
	case s == "":
		return "is empty"
	case hasGroup && !queue:
		return "contains a space: publish permissions take a subject only"
	case strings.ContainsFunc(subject, isSpace) || strings.ContainsFunc(group, isSpace):
		return "contains white space"
	case hasGroup && group == "":
		return "has an empty queue group"
	}
	tokens := strings.Split(subject, ".")
	for i, tok := range tokens {
		switch {
		case tok == "":
			return "has an empty token (a leading, trailing or double dot)"
		case tok == ">" && i != len(tokens)-1:
			return "has > before the last token"
		case tok != "*" && tok != ">" && strings.ContainsAny(tok, "*>"):
			return fmt.Sprintf("has a wildcard inside the token %q", tok)
		}
	}
	if hasGroup && (strings.HasPrefix(group, ".") || strings.HasSuffix(group, ".") || strings.Contains(group, "..")) {
		return "has a queue group with an empty token"
	}
	return ""
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

// cidrNetwork accepts a network in CIDR notation.
type cidrNetwork struct{}

func (cidrNetwork) Description(context.Context) string {
	return "must be a network in CIDR notation, such as 10.0.0.0/8"
}

func (v cidrNetwork) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v cidrNetwork) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, _, err := net.ParseCIDR(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid network",
			fmt.Sprintf("%q is not a network in CIDR notation: %s, such as 10.0.0.0/8 or 2001:db8::/32 (a single address is 192.0.2.1/32).",
				req.ConfigValue.ValueString(), v.Description(ctx)))
	}
}

// accountPublicKey accepts an account public key. It never repeats the
// value: a seed pasted here by mistake must not reach the output.
type accountPublicKey struct{}

func (accountPublicKey) Description(context.Context) string {
	return "must be an account public key (56 characters, starting with A)"
}

func (v accountPublicKey) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v accountPublicKey) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := strings.TrimSpace(req.ConfigValue.ValueString())
	if nkeys.IsValidPublicAccountKey(s) {
		return
	}
	detail := "The value is not an account public key. Set account to the public key of the account (56 characters, starting with A), " +
		"such as the public_key of a nats_account."
	if strings.HasPrefix(s, "S") {
		detail += " The value looks like a seed: seeds are secrets, and the account's signing seed belongs in account_signing_seed. " +
			"If this seed was committed anywhere, consider it exposed."
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid account public key", detail)
}

// accountSeed accepts a seed of one kind. Its messages come from the
// accounts package, which never quotes a seed.
type accountSeed struct{ kind accounts.KeyKind }

func (v accountSeed) Description(context.Context) string {
	return fmt.Sprintf("must be an %s seed", v.kind)
}

func (v accountSeed) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v accountSeed) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	kp, err := accounts.ParseSeed([]byte(req.ConfigValue.ValueString()), v.kind)
	if err == nil {
		kp.Wipe()
		return
	}
	hint := "Set it to the seed of the account's identity key or of one of its signing keys: it starts with SA."
	if errors.Is(err, accounts.ErrWrongSeedKind) {
		hint = "This is a seed of another kind. " + hint + " A user's seed (SU) never signs other users."
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid account signing seed", fmt.Sprintf("%s is not usable: %v.\n\n%s", req.Path, err, hint))
}
