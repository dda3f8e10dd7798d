package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Provider functions need Terraform 1.8.
var functionVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}

func TestAccFunction_datastoreEndpoint(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   functionVersions,
		Steps: []resource.TestStep{{
			Config: `
output "built" {
  value = provider::nats::datastore_endpoint({
    servers     = ["nats-1:4222", "nats://nats-2:4222"]
    bucket      = "prod"
    replicas    = 3
    rev_history = 20
    creds_file  = "/etc/rancher/k3s/nats.creds"
    no_embed    = true
  })
}
output "round_trip" {
  value = provider::nats::datastore_endpoint(provider::nats::parse_datastore_endpoint(
    "nats://nats-1:4222?bucket=prod&replicas=3&revHistory=20&credsFile=%2Fetc%2Fk3s.creds&noEmbed=true,nats://nats-2:4222"))
}
output "parsed" {
  value = provider::nats::parse_datastore_endpoint("nats://a:4222?bucket=x&replicas=3")
}
output "embedded" {
  value = provider::nats::datastore_endpoint({
    server_config = "/etc/rancher/k3s/nats/server.conf"
    bucket        = "kine"
    dont_listen   = true
  })
}
output "embedded_parsed" {
  value = provider::nats::parse_datastore_endpoint("nats://?serverConfig=/etc/nats.conf&dataDir=/var/lib/nats&dontListen")
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("built", knownvalue.StringExact(
					"nats://nats-1:4222?bucket=prod&replicas=3&revHistory=20&credsFile=%2Fetc%2Francher%2Fk3s%2Fnats.creds&noEmbed=true,nats://nats-2:4222")),
				statecheck.ExpectKnownOutputValue("round_trip", knownvalue.StringExact(
					"nats://nats-1:4222?bucket=prod&replicas=3&revHistory=20&credsFile=%2Fetc%2Fk3s.creds&noEmbed=true,nats://nats-2:4222")),
				statecheck.ExpectKnownOutputValue("parsed", knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"servers":     knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("a:4222")}),
					"bucket":      knownvalue.StringExact("x"),
					"replicas":    knownvalue.Int64Exact(3),
					"rev_history": knownvalue.Null(),
					"no_embed":    knownvalue.Bool(false),
				})),
				statecheck.ExpectKnownOutputValue("embedded", knownvalue.StringExact(
					"nats://?bucket=kine&serverConfig=%2Fetc%2Francher%2Fk3s%2Fnats%2Fserver.conf&dontListen=true")),
				statecheck.ExpectKnownOutputValue("embedded_parsed", knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"servers":        knownvalue.Null(),
					"server_config":  knownvalue.StringExact("/etc/nats.conf"),
					"data_dir":       knownvalue.StringExact("/var/lib/nats"),
					"dont_listen":    knownvalue.Bool(true),
					"stdout_logging": knownvalue.Bool(false),
				})),
			},
		}},
	})
}

func TestAccFunction_badInput(t *testing.T) {
	cases := map[string]struct{ config, want string }{
		"non-numeric replicas":    {`output "x" { value = provider::nats::parse_datastore_endpoint("nats://a:4222?replicas=three") }`, `replicas`},
		"replicas out of range":   {`output "x" { value = provider::nats::datastore_endpoint({ servers = ["a:4222"], replicas = 9 }) }`, `(?i)replicas`},
		"unknown part":            {`output "x" { value = provider::nats::datastore_endpoint({ servers = ["a:4222"], bukket = "x" }) }`, `unknown parts bukket`},
		"not an object":           {`output "x" { value = provider::nats::datastore_endpoint("nats://a:4222") }`, `parts must be an object`},
		"dont_listen with a host": {`output "x" { value = provider::nats::datastore_endpoint({ servers = ["a:4222"], dont_listen = true }) }`, `must be empty with DontListen`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				TerraformVersionChecks:   functionVersions,
				Steps:                    []resource.TestStep{{Config: tc.config, ExpectError: errorLike(tc.want)}},
			})
		})
	}
}
