package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// What a leaked credential looks like: an nkey seed of any kind, the
// decorations of a creds file, a JWT.
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`S[OAUNCPX][A-Z2-7]{56}`),
	regexp.MustCompile(`BEGIN NATS USER JWT|BEGIN USER NKEY SEED`),
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}`),
}

// checkNoSecretsInState fails when any attribute of any resource in state
// holds something that looks like a credential, or one of known.
func checkNoSecretsInState(known ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, m := range s.Modules {
			for addr, rs := range m.Resources {
				if strings.HasPrefix(addr, "ephemeral.") {
					return fmt.Errorf("ephemeral resource %s is in state", addr)
				}
				for name, v := range rs.Primary.Attributes {
					if leak := leaked(v, known); leak != "" {
						return fmt.Errorf("state of %s, attribute %s, holds %s", addr, name, leak)
					}
				}
			}
		}
		return nil
	}
}

// leaked names what in text looks like a secret, or "" when nothing does.
// It never returns the secret itself.
func leaked(text string, known []string) string {
	for _, p := range secretPatterns {
		if loc := p.FindStringIndex(text); loc != nil {
			return fmt.Sprintf("something matching %s at offset %d", p, loc[0])
		}
	}
	for i, k := range known {
		if k != "" && strings.Contains(text, k) {
			return fmt.Sprintf("known secret #%d", i)
		}
	}
	return ""
}

// Credentials minted by the ephemeral resource configure a second provider
// instance, which creates a bucket in the account: they work, and none of
// them reaches state.
func TestAccUserCredentials_providerAlias(t *testing.T) {
	url := operator.Servers[0].URL
	bucket := uniqueName(t)
	jsA := testnats.JetStream(t, url, accA.Creds, "")
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, jsA, bucket),
		Steps: []resource.TestStep{{
			// The default provider has no identity at all: only the
			// minted user can reach account A. Both configurations share
			// one in-process provider, whose last Configure wins; the
			// alias depends on the ephemeral resource, which depends on the
			// default configuration, so the alias is always configured last.
			// Nothing in state can carry the minted values (they are not
			// known to the test), so state is searched for anything shaped
			// like a seed, a creds file or a JWT.
			Config: fmt.Sprintf(`
provider "nats" {
  servers = [%[1]q]
}

ephemeral "nats_user_credentials" "x" {
  name                 = "minted"
  account              = %[2]q
  account_signing_seed = %[3]q
  ttl                  = "10m"
}

provider "nats" {
  alias            = "minted"
  servers          = [%[1]q]
  credentials_data = ephemeral.nats_user_credentials.x.creds
}

resource "nats_kv_bucket" "test" {
  provider    = nats.minted
  name        = %[4]q
  conformance = { mode = "off" }
}
`, url, accA.PublicKey, string(accA.SigningSeed), bucket),
			ConfigPlanChecks: expectEmptyPlanAfterApply(),
			Check: resource.ComposeTestCheckFunc(
				checkStream(t, jsA, bucket, func(jetstream.StreamConfig) error { return nil }),
				checkNoSecretsInState(string(accA.SigningSeed)),
				func(s *terraform.State) error {
					if n := len(s.RootModule().Resources); n != 1 {
						return fmt.Errorf("state holds %d resources, want only the bucket", n)
					}
					return nil
				},
			),
		}},
	})
}

// ephemeralConfig is a configuration of the ephemeral resource's schema
// with the given attributes set and every other one null.
func ephemeralConfig(t *testing.T, e ephemeral.EphemeralResource, set map[string]tftypes.Value) (tfsdk.Config, tfsdk.EphemeralResultData) {
	t.Helper()
	ctx := context.Background()
	var sr ephemeral.SchemaResponse
	e.Schema(ctx, ephemeral.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := set[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	raw := tftypes.NewValue(typ, vals)
	return tfsdk.Config{Schema: sr.Schema, Raw: raw}, tfsdk.EphemeralResultData{Schema: sr.Schema, Raw: raw.Copy()}
}

// Open mints a fresh user for every call whose JWT expires after ttl, with
// KINE's permissions for the provider's inbox prefix.
func TestUserCredentials_open(t *testing.T) {
	ctx := context.Background()
	e := &userCredentialsEphemeral{client: &client{identity: natsconn.Identity{InboxPrefix: "_INBOX_k3s"}}}
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	cfg, result := ephemeralConfig(t, e, map[string]tftypes.Value{
		"name":                 str("short"),
		"account":              str(accA.PublicKey),
		"account_signing_seed": str(string(accA.SigningSeed)),
		"ttl":                  str("90s"),
		"kine_bucket":          str("kine"),
	})
	open := func() userCredentialsModel {
		resp := ephemeral.OpenResponse{Result: result}
		e.Open(ctx, ephemeral.OpenRequest{Config: cfg}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatal(resp.Diagnostics)
		}
		var m userCredentialsModel
		if d := resp.Result.Get(ctx, &m); d.HasError() {
			t.Fatal(d)
		}
		return m
	}
	before := time.Now()
	m := open()
	u, err := accounts.UserFromJWT(m.JWT.ValueString())
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi := before.Add(90*time.Second).Truncate(time.Second), time.Now().Add(92*time.Second); u.Expires.Before(lo) || u.Expires.After(hi) {
		t.Errorf("JWT expires at %s, want 90s from now", u.Expires)
	}
	if got, _ := m.Expires.ValueRFC3339Time(); !got.Equal(u.Expires) {
		t.Errorf("expires attribute %s, JWT %s", got, u.Expires)
	}
	pub, sub := k3s.Permissions("kine", "_INBOX_k3s")
	slices.Sort(pub)
	slices.Sort(u.Pub.Allow)
	if !slices.Equal(u.Pub.Allow, pub) || !slices.Equal(u.Sub.Allow, sub) || m.KineInboxPrefix.ValueString() != "_INBOX_k3s" {
		t.Errorf("permissions %v / %v, inbox prefix %s; want KINE's for the provider's inbox prefix: %v / %v", u.Pub.Allow, u.Sub.Allow, m.KineInboxPrefix, pub, sub)
	}
	if u.Account != accA.PublicKey || u.PublicKey != m.PublicKey.ValueString() {
		t.Errorf("JWT of %s in account %s; want %s in account A", u.PublicKey, u.Account, m.PublicKey)
	}
	tok, seed, err := accounts.ParseCreds([]byte(m.Creds.ValueString()))
	if err != nil || tok != m.JWT.ValueString() || string(seed) != m.Seed.ValueString() {
		t.Errorf("creds do not hold the jwt and seed (%v)", err)
	}
	if again := open(); again.PublicKey.Equal(m.PublicKey) {
		t.Error("a second open reused the user key")
	}
}
