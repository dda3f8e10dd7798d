package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// Replacement follows the domain a bucket is in, not how it is spelled:
// writing out the provider's default domain on a bucket or datastore plans
// nothing (it used to plan a destroy and create, deleting the data); a new
// provider default moves (replaces) what follows it.
func TestAccDomain_spelledOutDefaultIsNoChange(t *testing.T) {
	name := uniqueName(t)
	leafJS := testnats.JetStream(t, hubLeaf.Leaf.URL, nil, "")
	hubJS := testnats.JetStream(t, hubLeaf.Hub.URL, nil, "")
	config := func(providerDomain, resourceDomain string) string {
		domain := ""
		if resourceDomain != "" {
			domain = fmt.Sprintf("  jetstream_domain = %q", resourceDomain)
		}
		return providerBlock([]string{hubLeaf.Hub.URL}, fmt.Sprintf("  jetstream_domain = %q", providerDomain)) + fmt.Sprintf(`
resource "nats_kv_bucket" "test" {
  name        = %[1]q
  conformance = { mode = "off" }
%[2]s
}

resource "nats_k3s_datastore" "test" {
  bucket              = "%[1]s_k3s"
  deletion_protection = false
  # KINE has no domain option: the check would need servers of that domain.
  conformance = { mode = "off" }
%[2]s
}
`, name, domain)
	}
	inLeaf := checkStream(t, leafJS, name, func(jetstream.StreamConfig) error { return nil })
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             resource.ComposeTestCheckFunc(checkNoBucket(t, leafJS, name), checkNoBucket(t, hubJS, name)),
		Steps: []resource.TestStep{
			{
				Config: config("leaf", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					stateIs("jetstream_domain", knownvalue.StringExact("leaf")),
					stateIs("id", knownvalue.StringExact("leaf/"+name)),
					datastoreIs("id", knownvalue.StringExact("leaf/"+name+"_k3s")),
				},
				Check: inLeaf,
			},
			{
				// The default written out: nothing to do.
				Config: config("leaf", "leaf"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction(datastoreAddr, plancheck.ResourceActionNoop),
				}},
				Check: inLeaf,
			},
			{
				// And left out again: still nothing.
				Config:           config("leaf", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A new provider default moves what follows it.
				Config: config("hub", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction(datastoreAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{stateIs("id", knownvalue.StringExact("hub/"+name))},
				Check: resource.ComposeTestCheckFunc(
					checkNoBucket(t, leafJS, name),
					checkStream(t, hubJS, name, func(jetstream.StreamConfig) error { return nil }),
				),
			},
		},
	})
}
