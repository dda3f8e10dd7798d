package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

const userAddr = "nats_user.test"

var (
	userKeyPattern = regexp.MustCompile(`^U[A-Z2-7]{55}$`)
	credsPattern   = regexp.MustCompile(`(?s)^-----BEGIN NATS USER JWT-----\n.*-----BEGIN USER NKEY SEED-----\nSU[A-Z2-7]{56}\n`)
)

// userConfig is a nats_user named "test" of acc, signed by acc's signing key.
func userConfig(prov string, acc *testnats.Account, body string) string {
	return userConfigNamed(prov, acc, "test", body)
}

func userConfigNamed(prov string, acc *testnats.Account, name, body string) string {
	return prov + fmt.Sprintf(`
resource "nats_user" "test" {
  name                 = %q
  account              = %q
  account_signing_seed = %q
%s
}
`, name, acc.PublicKey, string(acc.SigningSeed), body)
}

func userIs(name string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(userAddr, tfjsonpath.New(name), v)
}

// userAttr reads an attribute of the user from state.
func userAttr(s *terraform.State, name string) (string, error) {
	rs, ok := s.RootModule().Resources[userAddr]
	if !ok {
		return "", fmt.Errorf("%s is not in state", userAddr)
	}
	v, ok := rs.Primary.Attributes[name]
	if !ok || v == "" {
		return "", fmt.Errorf("%s has no %s in state", userAddr, name)
	}
	return v, nil
}

// asUser runs f with a connection made with the user's creds from state:
// proof that the servers accept what was issued.
func asUser(url string, f func(nc *nats.Conn, js jetstream.JetStream) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		creds, err := userAttr(s, "creds")
		if err != nil {
			return err
		}
		opt, err := testnats.CredsOption([]byte(creds))
		if err != nil {
			return err
		}
		// Denials are expected and checked: keep nats.go from printing them.
		quiet := nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {})
		nc, err := nats.Connect(url, opt, quiet)
		if err != nil {
			return fmt.Errorf("connect with the creds from state: %w", err)
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			return err
		}
		return f(nc, js)
	}
}

// userJWT decodes the JWT in state.
func userJWT(s *terraform.State) (accounts.User, error) {
	tok, err := userAttr(s, "jwt")
	if err != nil {
		return accounts.User{}, err
	}
	return accounts.UserFromJWT(tok)
}

// deniedPublish publishes to subject and reports whether the server refused
// it (the -ERR arrives before the flush's PONG).
func deniedPublish(nc *nats.Conn, subject string) bool {
	if err := nc.Publish(subject, []byte("x")); err != nil {
		return true
	}
	_ = nc.Flush()
	le := nc.LastError()
	return le != nil && strings.Contains(strings.ToLower(le.Error()), "permissions violation for publish to \""+strings.ToLower(subject)+"\"")
}

func quick() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}

// Create, read back with an empty plan, re-issue in place (same key, new
// JWT), replace on a new account; the creds work on the servers and stay in
// their account.
func TestAccUser_lifecycle(t *testing.T) {
	url := operator.Servers[0].URL
	prov := providerBlock([]string{url}, "")
	bucketA, bucketB := uniqueName(t)+"_a", uniqueName(t)+"_b"
	jsA := testnats.JetStream(t, url, accA.Creds, "")
	jsB := testnats.JetStream(t, url, accB.Creds, "")
	ctx := context.Background()
	if _, err := kv.CreateExact(ctx, jsB, jetstream.KeyValueConfig{Bucket: bucketB}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = jsB.DeleteKeyValue(ctx, bucketB)
		_ = jsA.DeleteKeyValue(ctx, bucketA)
	})
	expires := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	samePub := statecheck.CompareValue(compare.ValuesSame())
	newPub := statecheck.CompareValue(compare.ValuesDiffer())
	newJWT := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:           userConfig(prov, accA, ""),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					userIs("public_key", knownvalue.StringRegexp(userKeyPattern)),
					statecheck.CompareValuePairs(userAddr, tfjsonpath.New("id"), userAddr, tfjsonpath.New("public_key"), compare.ValuesSame()),
					userIs("seed", knownvalue.StringRegexp(regexp.MustCompile(`^SU[A-Z2-7]{56}$`))),
					userIs("creds", knownvalue.StringRegexp(credsPattern)),
					statecheck.ExpectSensitiveValue(userAddr, tfjsonpath.New("seed")),
					statecheck.ExpectSensitiveValue(userAddr, tfjsonpath.New("creds")),
					statecheck.ExpectSensitiveValue(userAddr, tfjsonpath.New("jwt")),
					statecheck.ExpectSensitiveValue(userAddr, tfjsonpath.New("account_signing_seed")),
					userIs("conformance_report", knownvalue.Null()),
					userIs("kine_inbox_prefix", knownvalue.Null()),
					samePub.AddStateValue(userAddr, tfjsonpath.New("public_key")),
					newJWT.AddStateValue(userAddr, tfjsonpath.New("jwt")),
				},
				Check: resource.ComposeTestCheckFunc(
					func(s *terraform.State) error {
						u, err := userJWT(s)
						if err != nil {
							return err
						}
						if u.Account != accA.PublicKey || u.Name != "test" || len(u.Pub.Allow)+len(u.Sub.Allow) != 0 {
							return fmt.Errorf("JWT says account %s, name %q, allows %v/%v; want account A, name test, no restrictions", u.Account, u.Name, u.Pub.Allow, u.Sub.Allow)
						}
						return nil
					},
					asUser(url, func(_ *nats.Conn, js jetstream.JetStream) error {
						ctx, cancel := quick()
						defer cancel()
						if _, err := kv.CreateExact(ctx, js, jetstream.KeyValueConfig{Bucket: bucketA}); err != nil {
							return fmt.Errorf("create a bucket as the new user: %w", err)
						}
						if _, err := jsA.KeyValue(ctx, bucketA); err != nil {
							return fmt.Errorf("the bucket is not in account A: %w", err)
						}
						if _, err := js.KeyValue(ctx, bucketB); !errors.Is(err, jetstream.ErrBucketNotFound) {
							return fmt.Errorf("a user of account A looked up account B's bucket: got %v, want bucket not found", err)
						}
						return nil
					}),
				),
			},
			{
				Config: userConfigNamed(prov, accA, "renamed", fmt.Sprintf(`  publish   = { deny = ["secret.>"] }
  subscribe = { allow = ["_INBOX.>", "app.> workers"] }
  allow_responses = { max_msgs = 2, ttl = "30s" }
  expires   = %q
  allowed_connection_types = ["STANDARD"]
  source_networks = ["127.0.0.0/8"]`, expires.Format(time.RFC3339))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					samePub.AddStateValue(userAddr, tfjsonpath.New("public_key")),
					newPub.AddStateValue(userAddr, tfjsonpath.New("public_key")),
					newJWT.AddStateValue(userAddr, tfjsonpath.New("jwt")),
				},
				Check: resource.ComposeTestCheckFunc(
					func(s *terraform.State) error {
						u, err := userJWT(s)
						if err != nil {
							return err
						}
						slices.Sort(u.Sub.Allow)
						var problems []string
						check := func(what string, ok bool, got any) {
							if !ok {
								problems = append(problems, fmt.Sprintf("%s: got %v", what, got))
							}
						}
						check("name renamed", u.Name == "renamed", u.Name)
						check("account A", u.Account == accA.PublicKey, u.Account)
						check("publish deny secret.>", slices.Equal(u.Pub.Deny, []string{"secret.>"}) && u.Pub.Allow == nil, u.Pub)
						check("subscribe allow with a queue group", slices.Equal(u.Sub.Allow, []string{"_INBOX.>", "app.> workers"}), u.Sub)
						check("responses 2 within 30s", u.AllowResponses != nil && *u.AllowResponses == accounts.ResponsePermission{MaxMsgs: 2, TTL: 30 * time.Second}, u.AllowResponses)
						check("expires "+expires.String(), u.Expires.Equal(expires), u.Expires)
						check("STANDARD connections", slices.Equal(u.ConnectionTypes, []string{"STANDARD"}), u.ConnectionTypes)
						check("from 127.0.0.0/8", slices.Equal(u.SourceNetworks, []string{"127.0.0.0/8"}), u.SourceNetworks)
						if len(problems) > 0 {
							return fmt.Errorf("re-issued JWT: %s", strings.Join(problems, "; "))
						}
						return nil
					},
					asUser(url, func(nc *nats.Conn, _ jetstream.JetStream) error {
						if !deniedPublish(nc, "secret.plans") {
							return errors.New("the re-issued user may publish to secret.plans; its JWT denies secret.>")
						}
						return nil
					}),
				),
			},
			{
				Config: userConfig(prov, accB, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{newPub.AddStateValue(userAddr, tfjsonpath.New("public_key"))},
				Check: asUser(url, func(_ *nats.Conn, js jetstream.JetStream) error {
					ctx, cancel := quick()
					defer cancel()
					if _, err := js.KeyValue(ctx, bucketB); err != nil {
						return fmt.Errorf("a user of account B cannot open its bucket: %w", err)
					}
					if _, err := js.KeyValue(ctx, bucketA); !errors.Is(err, jetstream.ErrBucketNotFound) {
						return fmt.Errorf("a user of account B looked up account A's bucket: got %v, want bucket not found", err)
					}
					return nil
				}),
			},
		},
	})
}

// A kine_bucket user has exactly KINE's permissions: KINE runs with it (the
// report passes), and it can touch no other bucket of its account. An
// explicit deny of STREAM.CREATE fails the apply at the permissions step.
func TestAccUser_kineBucket(t *testing.T) {
	url := operator.Servers[0].URL
	prov := providerBlock([]string{url}, "")
	bucket, other := uniqueName(t), uniqueName(t)+"_other"
	jsA := testnats.JetStream(t, url, accA.Creds, "")
	ctx := context.Background()
	if _, err := kv.CreateExact(ctx, jsA, jetstream.KeyValueConfig{Bucket: other}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = jsA.DeleteKeyValue(ctx, other)
		_ = jsA.DeleteKeyValue(ctx, bucket)
	})
	pub, sub := k3s.Permissions(bucket, "")
	createSubject := "$JS.API.STREAM.CREATE.KV_" + bucket
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:           userConfig(prov, accA, fmt.Sprintf("  kine_bucket = %q", bucket)),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					userIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{"passed": knownvalue.Bool(true)})),
					userIs("kine_inbox_prefix", knownvalue.StringExact("_INBOX")),
				},
				Check: resource.ComposeTestCheckFunc(
					func(s *terraform.State) error {
						u, err := userJWT(s)
						if err != nil {
							return err
						}
						slices.Sort(u.Pub.Allow)
						slices.Sort(pub)
						if !slices.Equal(u.Pub.Allow, pub) || !slices.Equal(u.Sub.Allow, sub) || u.Pub.Deny != nil || u.Sub.Deny != nil {
							return fmt.Errorf("JWT allows publish %v, subscribe %v; want exactly KINE's %v, %v", u.Pub.Allow, u.Sub.Allow, pub, sub)
						}
						return nil
					},
					asUser(url, func(nc *nats.Conn, js jetstream.JetStream) error {
						ctx, cancel := quick()
						defer cancel()
						if _, err := js.KeyValue(ctx, bucket); err != nil {
							return fmt.Errorf("the KINE user cannot open its own bucket (KINE made it during the check): %w", err)
						}
						for _, subject := range []string{"$JS.API.STREAM.CREATE.KV_" + other + "2", "$JS.API.STREAM.INFO.KV_" + other, "$KV." + other + ".key"} {
							if !deniedPublish(nc, subject) {
								return fmt.Errorf("the KINE user of %s may publish to %s", bucket, subject)
							}
						}
						short, cancel2 := context.WithTimeout(ctx, 2*time.Second)
						defer cancel2()
						if _, err := kv.CreateExact(short, js, jetstream.KeyValueConfig{Bucket: other + "2"}); err == nil {
							return errors.New("the KINE user created another bucket")
						}
						return nil
					}),
				),
			},
			{
				Config: userConfig(prov, accA, fmt.Sprintf("  kine_bucket = %q\n  publish = { deny = [%q] }", bucket, createSubject)),
				ExpectError: errorLike(`KINE conformance check failed for user "test" with bucket "` + bucket + `".*permissions.*` +
					regexp.QuoteMeta(createSubject)),
			},
		},
	})
}

// The timeouts block bounds what a create waits for: the KINE check stops
// at the create limit, not at its own 60s.
func TestAccUser_createTimeoutBoundsCheck(t *testing.T) {
	prov := providerBlock([]string{operator.Servers[0].URL}, "")
	bucket := uniqueName(t)
	// Parallel first: the clock starts when the test runs, not while it
	// waits for the serial tests to finish.
	t.Parallel()
	start := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:      userConfig(prov, accA, fmt.Sprintf("  kine_bucket = %q\n  timeouts { create = \"100ms\" }", bucket)),
			ExpectError: errorLike(`KINE conformance check failed for user "test".*no time left`),
		}},
	})
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the create took %s with a 100ms limit", d)
	}
}

// Bad input is refused at plan time on the attribute at fault, and nothing
// reaches state.
func TestAccUser_badInput(t *testing.T) {
	prov := providerBlock([]string{operator.Servers[0].URL}, "")
	userSeed, err := accounts.NewKey(accounts.KeyUser)
	if err != nil {
		t.Fatal(err)
	}
	bad := func(signingSeed, body string) string {
		return prov + fmt.Sprintf(`
resource "nats_user" "test" {
  name                 = "bad"
  account              = %q
  account_signing_seed = %q
%s
}
`, accA.PublicKey, signingSeed, body)
	}
	good := string(accA.SigningSeed)
	step := func(config, pattern string) resource.TestStep {
		return resource.TestStep{Config: config, ExpectError: errorLike(pattern)}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			step(bad("SAnotaseed", ""), `Invalid account signing seed.*with nats_user.test.*account_signing_seed =.*account seed:`),
			step(bad(string(userSeed.Seed), ""), `Invalid account signing seed.*account_signing_seed =.*got a user seed.*starts with SA`),
			step(bad(good, `  expires = "2020-01-01T00:00:00Z"`), `Expiry in the past.*with nats_user.test.*expires =.*has passed`),
			step(bad(good, `  expires = "tomorrow"`), `Invalid RFC3339 String Value.*expires =`),
			step(bad(good, `  publish = { allow = ["orders created"] }`), `Invalid subject.*with nats_user.test.*publish.allow: "orders created" contains a space`),
			step(bad(good, `  subscribe = { deny = ["a b c"] }`), `Invalid subject.*subscribe.deny: "a b c" contains white space`),
			step(bad(good, `  publish = { allow = ["orders.>.x"] }`), `Invalid subject.*has > before the last token`),
			step(bad(good, `  source_networks = ["10.0.0.0/33"]`), `Invalid network.*source_networks`),
			step(bad(good, `  allowed_connection_types = ["TELNET"]`), `allowed_connection_types.*value must be one of`),
			step(bad(good, `  kine_inbox_prefix = "_INBOX_k3s"`), `"kine_bucket" must be specified when "kine_inbox_prefix" is specified`),
			step(strings.Replace(bad(good, ""), accA.PublicKey, "ANOTAKEY", 1), `Invalid account public key.*account =`),
			{
				Config: prov + `resource "terraform_data" "nothing" {}`,
				Check: func(s *terraform.State) error {
					if _, ok := s.RootModule().Resources[userAddr]; ok {
						return errors.New("a refused nats_user reached state")
					}
					return nil
				},
			},
		},
	})
}

// The subject rules, including what only subscribe permissions may carry.
func TestUser_subjectProblems(t *testing.T) {
	for _, c := range []struct {
		s     string
		queue bool
		want  string
	}{
		{"orders.>", false, ""},
		{"orders.*.created", false, ""},
		{">", false, ""},
		{"$JS.API.STREAM.CREATE.KV_kine", false, ""},
		{"orders.> workers", true, ""},
		{"orders.> workers", false, "contains a space"},
		{"orders  workers", true, "white space"},
		{"orders.\tx", false, "white space"},
		{"orders.", false, "empty token"},
		{".orders", false, "empty token"},
		{"a..b", false, "empty token"},
		{"a.>.b", false, "> before the last token"},
		{"a.b*", false, "wildcard inside"},
		{"a.> ", true, "empty queue group"},
		{"", false, "is empty"},
	} {
		got := subjectProblem(c.s, c.queue)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("subjectProblem(%q, queue %v) = %q, want %q", c.s, c.queue, got, c.want)
		}
	}
}

// Seed diagnostics sit on the attribute and never repeat the seed, whatever
// was pasted where.
func TestUser_seedDiagnosticsDoNotEcho(t *testing.T) {
	ctx := context.Background()
	user, _ := accounts.NewKey(accounts.KeyUser)
	op, _ := accounts.NewKey(accounts.KeyOperator)
	acct, _ := accounts.NewKey(accounts.KeyAccount)
	truncated := string(acct.Seed[:len(acct.Seed)-3])
	p := path.Root("account_signing_seed")
	for _, seed := range []string{string(user.Seed), string(op.Seed), truncated, "SA" + strings.Repeat("Q", 56)} {
		var resp validator.StringResponse
		accountSeed{kind: accounts.KeyAccount}.ValidateString(ctx, validator.StringRequest{Path: p, ConfigValue: types.StringValue(seed)}, &resp)
		if !resp.Diagnostics.HasError() {
			t.Errorf("seed of %d chars accepted as an account seed", len(seed))
			continue
		}
		for _, d := range resp.Diagnostics {
			withPath, ok := d.(interface{ Path() path.Path })
			if !ok || !withPath.Path().Equal(p) {
				t.Errorf("diagnostic %q is not on account_signing_seed", d.Summary())
			}
			if strings.Contains(d.Summary()+d.Detail(), seed) || strings.Contains(d.Detail(), seed[2:20]) {
				t.Errorf("diagnostic repeats the seed: %s", d.Detail())
			}
		}
	}
	var resp validator.StringResponse
	accountSeed{kind: accounts.KeyAccount}.ValidateString(ctx, validator.StringRequest{Path: p, ConfigValue: types.StringValue(string(acct.Seed))}, &resp)
	if resp.Diagnostics.HasError() {
		t.Errorf("an account seed was refused: %v", resp.Diagnostics)
	}
	// A seed pasted into account is not repeated either.
	resp = validator.StringResponse{}
	accountPublicKey{}.ValidateString(ctx, validator.StringRequest{Path: path.Root("account"), ConfigValue: types.StringValue(string(acct.Seed))}, &resp)
	if !resp.Diagnostics.HasError() || strings.Contains(resp.Diagnostics[0].Detail(), string(acct.Seed)) ||
		!strings.Contains(resp.Diagnostics[0].Detail(), "looks like a seed") {
		t.Errorf("a seed in account: %v", resp.Diagnostics)
	}
}

// An expiry that has passed is an error whenever the JWT would be issued
// (create, or any change), and only a warning while nothing changes.
func TestUser_expiryAtPlan(t *testing.T) {
	ctx := context.Background()
	r := &userResource{client: &client{}}
	var sr fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	nulls := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		nulls[name] = tftypes.NewValue(at, nil)
	}
	user := func(name string) tftypes.Value {
		vals := maps.Clone(nulls)
		for k, v := range map[string]any{
			"name": name, "account": accA.PublicKey, "account_signing_seed": string(accA.SigningSeed),
			"expires": "2020-01-01T00:00:00Z", "id": "UX", "public_key": "UX", "seed": "SUX", "jwt": "x", "creds": "x",
		} {
			vals[k] = tftypes.NewValue(tftypes.String, v)
		}
		vals["bearer"] = tftypes.NewValue(tftypes.Bool, false)
		conf, err := defaultConformance(modeEnforce).ToTerraformValue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		vals["conformance"] = conf
		return tftypes.NewValue(typ, vals)
	}
	modify := func(prior, planned tftypes.Value) diag.Diagnostics {
		req := fwresource.ModifyPlanRequest{
			Config: tfsdk.Config{Schema: sr.Schema, Raw: planned},
			State:  tfsdk.State{Schema: sr.Schema, Raw: prior},
			Plan:   tfsdk.Plan{Schema: sr.Schema, Raw: planned},
		}
		resp := fwresource.ModifyPlanResponse{Plan: req.Plan}
		r.ModifyPlan(ctx, req, &resp)
		return resp.Diagnostics
	}
	onExpires := func(ds diag.Diagnostics) bool {
		for _, d := range ds {
			if p, ok := d.(diag.DiagnosticWithPath); !ok || !p.Path().Equal(path.Root("expires")) {
				return false
			}
		}
		return len(ds) == 1
	}
	if d := modify(user("a"), user("a")); d.HasError() || d.WarningsCount() != 1 || !onExpires(d) {
		t.Errorf("expired, unchanged: want one warning on expires, got %v", d)
	}
	if d := modify(user("a"), user("b")); d.ErrorsCount() != 1 || !onExpires(d) {
		t.Errorf("expired, renamed: want one error on expires, got %v", d)
	}
	if d := modify(tftypes.NewValue(typ, nil), user("a")); d.ErrorsCount() != 1 || !onExpires(d) {
		t.Errorf("expired at create: want one error on expires, got %v", d)
	}
}

// With the provider's custom inbox prefix, the KINE user may subscribe
// below it; KINE reads a custom prefix only from a context file, so the
// check says it was not run rather than failing.
func TestAccUser_kineInboxPrefix(t *testing.T) {
	url := operator.Servers[0].URL
	bucket := uniqueName(t)
	prov := providerBlock([]string{url}, `  inbox_prefix = "_INBOX_k3s"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:           userConfig(prov, accA, fmt.Sprintf("  kine_bucket = %q", bucket)),
			ConfigPlanChecks: expectEmptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{
				userIs("kine_inbox_prefix", knownvalue.StringExact("_INBOX_k3s")),
				userIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"passed":  knownvalue.Bool(true),
					"summary": knownvalue.StringRegexp(errorLike(`was not run: the user's KINE inbox prefix is _INBOX_k3s`)),
				})),
			},
			Check: func(s *terraform.State) error {
				u, err := userJWT(s)
				if err != nil {
					return err
				}
				if !slices.Equal(u.Sub.Allow, []string{"_INBOX_k3s.>"}) {
					return fmt.Errorf("subscribe allow %v, want [_INBOX_k3s.>]", u.Sub.Allow)
				}
				return nil
			},
		}},
	})
}
