package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

const operatorAddr = "nats_operator.test"

// operatorSecrets are the attributes that hold seeds.
var operatorSecrets = []string{"seed", "signing_seed", "system_account_signing_seed", "system_user_creds"}

// operatorKeys are everything made at create: an in-place update keeps them
// all, a replacement changes them all.
var operatorKeys = []string{"id", "public_key", "seed", "jwt", "signing_key", "signing_seed", "system_account",
	"system_account_jwt", "system_account_signing_key", "system_account_signing_seed", "system_user_creds"}

// operatorConfig needs no provider block: the resource never connects.
func operatorConfig(body string) string {
	return fmt.Sprintf("resource \"nats_operator\" \"test\" {\n%s\n}\n", body)
}

// The schema marks exactly the seed-bearing attributes sensitive, so the CLI
// never prints them; server_config carries only JWTs and stays readable.
func TestOperatorResourceSchema(t *testing.T) {
	ctx := context.Background()
	var resp fwresource.SchemaResponse
	newOperatorResource().Schema(ctx, fwresource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatal(diags)
	}
	for name, a := range resp.Schema.Attributes {
		want := slices.Contains(operatorSecrets, name)
		if a.IsSensitive() != want {
			t.Errorf("%s: sensitive = %v, want %v", name, a.IsSensitive(), want)
		}
	}
	for _, name := range operatorKeys {
		a, ok := resp.Schema.Attributes[name].(schema.StringAttribute)
		if !ok || !a.Computed || a.Optional || len(a.PlanModifiers) == 0 {
			t.Errorf("%s: want a computed string kept from state (UseStateForUnknown)", name)
		}
	}
}

// valueCollector is what statecheck.CompareValue returns (its type is not
// exported).
type valueCollector interface {
	AddStateValue(string, tfjsonpath.Path) statecheck.StateCheck
}

func collectors(n int, comparer compare.ValueComparer) []valueCollector {
	c := make([]valueCollector, n)
	for i := range c {
		c[i] = statecheck.CompareValue(comparer)
	}
	return c
}

func addValues(c []valueCollector, attrs []string, more ...statecheck.StateCheck) []statecheck.StateCheck {
	for i, a := range attrs {
		more = append(more, c[i].AddStateValue(operatorAddr, tfjsonpath.New(a)))
	}
	return more
}

func operatorStateIs(name string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(operatorAddr, tfjsonpath.New(name), v)
}

// Create, then change the resolver settings in place (same keys, new
// server_config), then flip strict mode (new operator). After each apply a
// real nats-server runs on server_config and the provider's own operator
// code, fed the outputs, pushes and deletes an account through it.
func TestAccOperator_lifecycle(t *testing.T) {
	dir1 := filepath.Join(t.TempDir(), "jwt")
	dir2 := filepath.Join(t.TempDir(), "accounts jwt") // a space needs quoting in the server config
	dir3 := filepath.Join(t.TempDir(), "jwt")          // the new operator's servers start afresh
	name := uniqueName(t)
	first := operatorConfig(fmt.Sprintf("  name = %q\n  resolver_dir = %q", name, dir1))
	second := operatorConfig(fmt.Sprintf("  name = %q\n  resolver_dir = %q\n  allow_delete = false\n  resolver_sync_interval = \"30s\"", name, dir2))
	strict := operatorConfig(fmt.Sprintf("  name = %q\n  resolver_dir = %q\n  allow_delete = false\n  resolver_sync_interval = \"30s\"\n  strict_signing_keys = true", name, dir3))
	unprotected := func(config string) string {
		return strings.Replace(config, "\n}\n", "\n  deletion_protection = false\n}\n", 1)
	}

	kept := collectors(len(operatorKeys), compare.ValuesSame())
	replaced := collectors(len(operatorKeys), compare.ValuesDiffer())
	rendered := statecheck.CompareValue(compare.ValuesDiffer())
	sensitive := func() []plancheck.PlanCheck {
		var c []plancheck.PlanCheck
		for _, a := range operatorSecrets {
			c = append(c, plancheck.ExpectSensitiveValue(operatorAddr, tfjsonpath.New(a)))
		}
		return c
	}
	var stateSensitive []statecheck.StateCheck
	for _, a := range operatorSecrets {
		stateSensitive = append(stateSensitive, statecheck.ExpectSensitiveValue(operatorAddr, tfjsonpath.New(a)))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: first,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(operatorAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectUnknownValue(operatorAddr, tfjsonpath.New("server_config")),
					},
					// A refresh changes nothing, and the seeds stay hidden in
					// every later plan.
					PostApplyPostRefresh: append(sensitive(), plancheck.ExpectEmptyPlan()),
				},
				ConfigStateChecks: addValues(kept, operatorKeys, append(stateSensitive,
					rendered.AddStateValue(operatorAddr, tfjsonpath.New("server_config")),
					operatorStateIs("system_account_name", knownvalue.StringExact("SYS")),
					operatorStateIs("system_user_name", knownvalue.StringExact("sys")),
					operatorStateIs("strict_signing_keys", knownvalue.Bool(false)),
					operatorStateIs("allow_delete", knownvalue.Bool(true)),
					operatorStateIs("resolver_sync_interval", knownvalue.Null()),
				)...),
				Check: checkOperator(t, name, dir1, false, true),
			},
			{
				Config: second,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: append(sensitive(),
						plancheck.ExpectResourceAction(operatorAddr, plancheck.ResourceActionUpdate),
						// The new fragment is known at plan time, not "known after apply".
						plancheck.ExpectKnownValue(operatorAddr, tfjsonpath.New("server_config"), knownvalue.StringRegexp(
							regexp.MustCompile(regexp.QuoteMeta(fmt.Sprintf("  dir: %q\n  allow_delete: false\n  interval: \"30s\"\n", dir2))))),
					),
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: addValues(replaced, operatorKeys, addValues(kept, operatorKeys,
					rendered.AddStateValue(operatorAddr, tfjsonpath.New("server_config")))...),
				Check: checkOperator(t, name, dir2, false, false),
			},
			{
				// A new operator while deletion_protection is on: refused at
				// plan time, nothing changes.
				Config:      strict,
				ExpectError: errorLike(`The operator is protected from deletion.*This plan replaces operator.*Its seeds exist only in this state`),
			},
			{
				Config: unprotected(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(operatorAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: addValues(kept, operatorKeys),
			},
			{
				Config: unprotected(strict),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(operatorAddr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectUnknownValue(operatorAddr, tfjsonpath.New("jwt")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: addValues(replaced, operatorKeys),
				Check:             checkOperator(t, name, dir3, true, false),
			},
		},
	})
}

// checkOperator checks every output against the others, then runs a
// nats-server on server_config and works it the way the provider will: system
// user ping, account push into dir, delete.
func checkOperator(t *testing.T, name, dir string, strict, allowDelete bool) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[operatorAddr]
		if !ok {
			return fmt.Errorf("%s not in state", operatorAddr)
		}
		a := rs.Primary.Attributes
		if err := checkOperatorOutputs(a, name, strict); err != nil {
			return err
		}
		cfg := a["server_config"]
		for _, secret := range []string{a["seed"], a["signing_seed"], a["system_account_signing_seed"]} {
			if strings.Contains(cfg, secret) {
				return errors.New("server_config contains a seed")
			}
		}
		if _, userSeed, err := accounts.ParseCreds([]byte(a["system_user_creds"])); err != nil || strings.Contains(cfg, string(userSeed)) {
			return fmt.Errorf("system user creds unusable or their seed is in server_config (err %v)", err)
		}
		if want := fmt.Sprintf("allow_delete: %t", allowDelete); !strings.Contains(cfg, want) {
			return fmt.Errorf("server_config lacks %q:\n%s", want, cfg)
		}
		if !strings.Contains(cfg, fmt.Sprintf("dir: %q", dir)) {
			return fmt.Errorf("server_config lacks the resolver directory %q:\n%s", dir, cfg)
		}
		return runOperatorServer(a, cfg, dir, allowDelete)
	}
}

func checkOperatorOutputs(a map[string]string, name string, strict bool) error {
	oc, err := jwt.DecodeOperatorClaims(a["jwt"])
	if err != nil {
		return fmt.Errorf("jwt: %w", err)
	}
	switch {
	case oc.Subject != a["public_key"] || a["id"] != a["public_key"] || oc.Issuer != oc.Subject:
		return fmt.Errorf("operator jwt subject %s issuer %s, public_key %s, id %s", oc.Subject, oc.Issuer, a["public_key"], a["id"])
	case oc.Name != name:
		return fmt.Errorf("operator name %q, want %q", oc.Name, name)
	case oc.SystemAccount != a["system_account"]:
		return fmt.Errorf("operator names system account %s, output is %s", oc.SystemAccount, a["system_account"])
	case !oc.SigningKeys.Contains(a["signing_key"]):
		return fmt.Errorf("operator signing keys %v lack %s", oc.SigningKeys, a["signing_key"])
	case oc.StrictSigningKeyUsage != strict:
		return fmt.Errorf("strict signing keys %v, want %v", oc.StrictSigningKeyUsage, strict)
	}
	for _, k := range []struct {
		seed, pub string
		kind      nkeys.PrefixByte
	}{
		{"seed", "public_key", nkeys.PrefixByteOperator},
		{"signing_seed", "signing_key", nkeys.PrefixByteOperator},
		{"system_account_signing_seed", "system_account_signing_key", nkeys.PrefixByteAccount},
	} {
		kind, _, err := nkeys.DecodeSeed([]byte(a[k.seed]))
		if err != nil || kind != k.kind {
			return fmt.Errorf("%s is not a %v seed (err %v)", k.seed, k.kind, err)
		}
		kp, _ := nkeys.FromSeed([]byte(a[k.seed]))
		if pub, _ := kp.PublicKey(); pub != a[k.pub] {
			return fmt.Errorf("%s belongs to %s, not %s %s", k.seed, pub, k.pub, a[k.pub])
		}
	}
	ac, err := jwt.DecodeAccountClaims(a["system_account_jwt"])
	if err != nil {
		return fmt.Errorf("system_account_jwt: %w", err)
	}
	if ac.Subject != a["system_account"] || ac.Issuer != a["signing_key"] || ac.Name != "SYS" ||
		!ac.SigningKeys.Contains(a["system_account_signing_key"]) {
		return fmt.Errorf("system account jwt: subject %s issuer %s name %s signing keys %v", ac.Subject, ac.Issuer, ac.Name, ac.SigningKeys.Keys())
	}
	userJWT, userSeed, err := accounts.ParseCreds([]byte(a["system_user_creds"]))
	if err != nil {
		return fmt.Errorf("system_user_creds: %w", err)
	}
	uc, err := jwt.DecodeUserClaims(userJWT)
	if err != nil {
		return fmt.Errorf("system user jwt: %w", err)
	}
	if uc.IssuerAccount != a["system_account"] || uc.Issuer != a["system_account_signing_key"] || uc.Name != "sys" {
		return fmt.Errorf("system user: issuer_account %s issuer %s name %s", uc.IssuerAccount, uc.Issuer, uc.Name)
	}
	if pub, err := accounts.PublicKeyOf(userSeed, accounts.KeyUser); err != nil || pub != uc.Subject {
		return fmt.Errorf("system user seed does not match its jwt (err %v)", err)
	}
	return nil
}

// runOperatorServer starts a server on cfg, pings it as the system user, and
// pushes and deletes an account through the provider's client, configured
// with the outputs exactly as a provider "operator" block would carry them.
func runOperatorServer(a map[string]string, cfg, dir string, allowDelete bool) error {
	srv, err := testnats.Start(testnats.Config{Extra: cfg})
	if err != nil {
		return fmt.Errorf("nats-server on server_config: %w", err)
	}
	defer srv.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()

	creds, err := testnats.CredsOption([]byte(a["system_user_creds"]))
	if err != nil {
		return err
	}
	nc, err := nats.Connect(srv.URL, creds)
	if err != nil {
		return fmt.Errorf("connect with system_user_creds: %w", err)
	}
	defer nc.Close()
	msg, err := nc.RequestWithContext(ctx, "$SYS.REQ.SERVER.PING", nil)
	if err != nil {
		return fmt.Errorf("$SYS.REQ.SERVER.PING: %w", err)
	}
	var pong struct {
		Server struct {
			Name string `json:"name"`
		} `json:"server"`
	}
	if err := json.Unmarshal(msg.Data, &pong); err != nil || pong.Server.Name != srv.Name() {
		return fmt.Errorf("ping answered %q (err %v), want server %s", msg.Data, err, srv.Name())
	}

	pool := natsconn.NewPool()
	defer pool.Close()
	c := &client{pool: pool, identity: natsconn.Identity{Servers: []string{srv.URL}}, operator: &operatorSettings{
		jwt: a["jwt"], signingSeed: a["signing_seed"], systemCreds: a["system_user_creds"],
	}}
	res, signer, err := c.resolver(ctx)
	if err != nil {
		return fmt.Errorf("provider operator block from the outputs: %w", err)
	}
	acc, err := accounts.NewKey(accounts.KeyAccount)
	if err != nil {
		return err
	}
	tok, _, err := signer.EncodeAccount(accounts.Account{Name: "probe", PublicKey: acc.PublicKey}, "")
	if err != nil {
		return err
	}
	if _, err := res.Push(ctx, tok); err != nil {
		return fmt.Errorf("push an account: %w", err)
	}
	// The resolver keeps it in the configured directory.
	if _, err := os.Stat(filepath.Join(dir, acc.PublicKey+".jwt")); err != nil {
		return fmt.Errorf("pushed account not in resolver_dir: %w", err)
	}
	_, err = res.Delete(ctx, signer, acc.PublicKey)
	switch {
	case allowDelete && err != nil:
		return fmt.Errorf("delete with allow_delete = true: %w", err)
	case !allowDelete && !errors.Is(err, accounts.ErrDeleteNotAllowed):
		return fmt.Errorf("delete with allow_delete = false: got %v, want the resolver to refuse", err)
	}
	return nil
}

// Every invalid value gives a diagnostic on its attribute, and nothing is
// created: the next plan of a valid configuration creates the operator.
func TestAccOperator_badInput(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"no name", `resolver_dir = "./jwt"`, `The argument "name" is required`},
		{"empty name", `name = ""`, `name = "".*must not be empty or only spaces`},
		{"blank name", `name = "   "`, `name = "   ".*must not be empty or only spaces`},
		{"empty system account name", "name = \"o\"\n  system_account_name = \"\"", `system_account_name.*must not be empty`},
		{"blank system user name", "name = \"o\"\n  system_user_name = \" \"", `system_user_name.*must not be empty`},
		{"empty resolver_dir", "name = \"o\"\n  resolver_dir = \"\"", `resolver_dir.*must not be empty`},
		{"newline in resolver_dir", "name = \"o\"\n  resolver_dir = \"a\\nb\"", `resolver_dir.*must not contain control characters`},
		{"bad interval", "name = \"o\"\n  resolver_sync_interval = \"soon\"", `Invalid Time Duration.*resolver_sync_interval = "soon"`},
		{"zero interval", "name = \"o\"\n  resolver_sync_interval = \"0s\"", `resolver_sync_interval.*must be a positive duration`},
		{"negative interval", "name = \"o\"\n  resolver_sync_interval = \"-1m\"", `resolver_sync_interval.*must be a positive duration`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps: []resource.TestStep{
					{Config: operatorConfig("  " + tc.body), ExpectError: errorLike(tc.want)},
					{
						Config: operatorConfig("  name = \"o\"\n  deletion_protection = false"),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(operatorAddr, plancheck.ResourceActionCreate),
						}},
					},
				},
			})
		})
	}
}
