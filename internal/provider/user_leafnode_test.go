package provider

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
)

// The leaf node preset: exactly the link's subjects for the edge's domain,
// leaf node connections only, no check of its own (the edge checks it);
// changing the hub clients' inbox prefix re-issues the JWT in place.
func TestAccUser_leafnode(t *testing.T) {
	prov := providerBlock([]string{operator.Servers[0].URL}, "")
	wantJWT := func(inbox string) resource.TestCheckFunc {
		return wantLeafJWT(accounts.LeafnodePermissions("edge-store-7", inbox))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:            userConfig(prov, accA, `  leafnode = { jetstream_domain = "edge-store-7" }`),
				ConfigStateChecks: []statecheck.StateCheck{userIs("conformance_report", knownvalue.Null())},
				Check:             wantJWT(""),
			},
			{
				Config: userConfig(prov, accA, `  leafnode = {
    jetstream_domain = "edge-store-7"
    inbox_prefix     = "_INBOX_hub"
  }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionUpdate)}},
				Check:            wantJWT("_INBOX_hub"),
			},
		},
	})
}

// With the hub's domain the preset is a link between two regions: the
// region link grant (mirrors both ways, nothing else), re-issued in place.
func TestAccUser_leafnodeRegionLink(t *testing.T) {
	prov := providerBlock([]string{operator.Servers[0].URL}, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: userConfig(prov, accA, `  leafnode = { jetstream_domain = "region-b" }`),
				Check:  wantLeafJWT(accounts.LeafnodePermissions("region-b", "")),
			},
			{
				Config: userConfig(prov, accA, `  leafnode = {
    jetstream_domain     = "region-b"
    hub_jetstream_domain = "region-a"
  }`),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionUpdate)}},
				ConfigStateChecks: []statecheck.StateCheck{userIs("conformance_report", knownvalue.Null())},
				Check:             wantLeafJWT(accounts.RegionLinkPermissions("region-b", "region-a", "")),
			},
		},
	})
}

// wantLeafJWT checks that the user's JWT carries exactly pub and sub, for
// leaf node connections only.
func wantLeafJWT(pub, sub []string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		u, err := userJWT(s)
		if err != nil {
			return err
		}
		if !slices.Equal(u.Pub.Allow, pub) || !slices.Equal(u.Sub.Allow, sub) {
			return fmt.Errorf("permissions %q / %q, want %q / %q", u.Pub.Allow, u.Sub.Allow, pub, sub)
		}
		if !slices.Equal(u.ConnectionTypes, []string{"LEAFNODE"}) || u.MaxPayload != 0 {
			return fmt.Errorf("connection types %q, max payload %d; want LEAFNODE only and no limit", u.ConnectionTypes, u.MaxPayload)
		}
		return nil
	}
}

// A leaf node user that could not carry its link is refused before any
// plan, on the attribute to fix.
func TestAccUser_leafnodeBadInput(t *testing.T) {
	prov := providerBlock([]string{operator.Servers[0].URL}, "")
	for name, tc := range map[string]struct{ body, want string }{
		"payload below the edge's default": {`  leafnode    = { jetstream_domain = "edge-x" }
  max_payload = 4194304`, `max_payload.*4194304 bytes, below the edge's max_payload of 8388608`},
		"payload below the edge's": {`  leafnode    = { jetstream_domain = "edge-x", max_payload = 16777216 }
  max_payload = 8388608`, `max_payload.*below the edge's max_payload of 16777216`},
		"no leaf connection type": {`  leafnode                 = { jetstream_domain = "edge-x" }
  allowed_connection_types = ["STANDARD"]`, `allowed_connection_types.*leaves out LEAFNODE`},
		"also a KINE user": {`  leafnode    = { jetstream_domain = "edge-x" }
  kine_bucket = "kine"`, `Invalid Attribute Combination.*kine_bucket`},
		"domain with a dot":  {`  leafnode = { jetstream_domain = "edge.x" }`, `jetstream_domain.*JetStream domain name`},
		"edge payload below": {`  leafnode = { jetstream_domain = "edge-x", max_payload = 1048576 }`, `max_payload.*between 2101248 and 67108864`},
		"region link within one domain": {`  leafnode = { jetstream_domain = "region-a", hub_jetstream_domain = "region-a" }`,
			`Region link within one JetStream domain.*leafnode.hub_jetstream_domain and leafnode.jetstream_domain are both "region-a"`},
		"hub domain with a dot": {`  leafnode = { jetstream_domain = "region-b", hub_jetstream_domain = "region.a" }`, `hub_jetstream_domain.*JetStream domain name`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps:                    []resource.TestStep{{Config: userConfig(prov, accA, tc.body), ExpectError: errorLike(tc.want)}},
			})
		})
	}
}

// nats_user_credentials takes the same preset, and refuses the same.
func TestUserCredentials_leafnode(t *testing.T) {
	ctx := context.Background()
	e := &userCredentialsEphemeral{client: &client{}}
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	leaf := func(domain, hub string) tftypes.Value {
		hubValue := tftypes.NewValue(tftypes.String, nil)
		if hub != "" {
			hubValue = str(hub)
		}
		return tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{
			"jetstream_domain": tftypes.String, "hub_jetstream_domain": tftypes.String, "inbox_prefix": tftypes.String, "max_payload": tftypes.Number,
		}}, map[string]tftypes.Value{
			"jetstream_domain": str(domain), "hub_jetstream_domain": hubValue,
			"inbox_prefix": tftypes.NewValue(tftypes.String, nil), "max_payload": tftypes.NewValue(tftypes.Number, nil),
		})
	}
	mint := func(leafnode tftypes.Value) accounts.User {
		t.Helper()
		cfg, result := ephemeralConfig(t, e, map[string]tftypes.Value{
			"name": str("leaf"), "account": str(accA.PublicKey), "account_signing_seed": str(string(accA.SigningSeed)),
			"leafnode": leafnode,
		})
		resp := ephemeral.OpenResponse{Result: result}
		e.Open(ctx, ephemeral.OpenRequest{Config: cfg}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatal(resp.Diagnostics)
		}
		var m userCredentialsModel
		if d := resp.Result.Get(ctx, &m); d.HasError() {
			t.Fatal(d)
		}
		u, err := accounts.UserFromJWT(m.JWT.ValueString())
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	check := func(what string, u accounts.User, pub, sub []string) {
		t.Helper()
		if !slices.Equal(u.Pub.Allow, pub) || !slices.Equal(u.Sub.Allow, sub) || !slices.Equal(u.ConnectionTypes, []string{"LEAFNODE"}) {
			t.Errorf("%s: minted %q / %q / %q", what, u.Pub.Allow, u.Sub.Allow, u.ConnectionTypes)
		}
	}
	pub, sub := accounts.LeafnodePermissions("edge-eph", "")
	check("edge", mint(leaf("edge-eph", "")), pub, sub)
	pub, sub = accounts.RegionLinkPermissions("region-b", "region-a", "")
	check("region link", mint(leaf("region-b", "region-a")), pub, sub)

	for what, c := range map[string]map[string]tftypes.Value{
		"a payload limit below the edge's max_payload": {"leafnode": leaf("edge-eph", ""), "max_payload": tftypes.NewValue(tftypes.Number, 1<<20)},
		"a region link within one domain":              {"leafnode": leaf("region-a", "region-a")},
	} {
		c["name"], c["account"], c["account_signing_seed"] = str("leaf"), str(accA.PublicKey), str(string(accA.SigningSeed))
		cfg, _ := ephemeralConfig(t, e, c)
		var vr ephemeral.ValidateConfigResponse
		e.ValidateConfig(ctx, ephemeral.ValidateConfigRequest{Config: cfg}, &vr)
		if !vr.Diagnostics.HasError() {
			t.Errorf("%s was not refused", what)
		}
	}
}
