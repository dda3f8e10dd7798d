package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// After an apply whose check ran KINE: KINE has run, its probe keys are all
// gone, and the bucket is accepted with its own parameters but not others.
func TestAccK3sDatastoreDataSource(t *testing.T) {
	bucket := uniqueName(t)
	js := testnats.JetStream(t, single.URL, nil, "")
	config := datastoreConfig(providerBlock([]string{single.URL}, ""), bucket, `  deletion_protection = false`) + `
data "nats_k3s_datastore" "same" {
  bucket = nats_k3s_datastore.test.bucket
}
data "nats_k3s_datastore" "other" {
  bucket      = nats_k3s_datastore.test.bucket
  rev_history = 20
}
`
	same := func(p string, v knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.nats_k3s_datastore.same", tfjsonpath.New(p), v)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, bucket),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				same("kine_has_run", knownvalue.Bool(true)),
				same("live_keys", knownvalue.Int64Exact(0)),
				same("revision", knownvalue.Int64Func(func(v int64) error { return nil })),
				same("accepted", knownvalue.Bool(true)),
				same("differences", knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.nats_k3s_datastore.other", tfjsonpath.New("accepted"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.nats_k3s_datastore.other", tfjsonpath.New("differences"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringRegexp(regexp.MustCompile(`History`))})),
			},
		}},
	})
}
