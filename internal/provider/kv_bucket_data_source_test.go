package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// The data source reads settings and live status: values written outside
// Terraform, the leader and both followers of an R3 bucket.
func TestAccKVBucketDataSource(t *testing.T) {
	name := uniqueName(t)
	js := testnats.JetStream(t, cluster.Servers[0].URL, nil, "")
	servers := cluster.URLs()
	withData := bucketConfig(servers, name, `replicas = 3
  history = 4`) + `
data "nats_kv_bucket" "test" {
  name = nats_kv_bucket.test.name
}
`
	const ds = "data.nats_kv_bucket.test"
	nonEmpty := regexp.MustCompile(`.+`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, name),
		Steps: []resource.TestStep{
			{
				Config: bucketConfig(servers, name, `replicas = 3
  history = 4`),
				Check: func(*terraform.State) error {
					if err := clusterHasPeers(js, name, 2); err != nil {
						return err
					}
					kv, err := js.KeyValue(context.Background(), name)
					if err != nil {
						return err
					}
					for _, k := range []string{"a", "b", "c"} {
						if _, err := kv.Put(context.Background(), k, []byte(k)); err != nil {
							return err
						}
					}
					return nil
				},
			},
			{
				Config: withData,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("history"), knownvalue.Int64Exact(4)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("replicas"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("stream_name"), knownvalue.StringExact("KV_"+name)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("status").AtMapKey("values"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("status").AtMapKey("last_sequence"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("status").AtMapKey("leader"), knownvalue.StringRegexp(nonEmpty)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("status").AtMapKey("replicas"), knownvalue.ListSizeExact(2)),
				},
			},
		},
	})
}

func TestAccKVBucketDataSource_missing(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:      providerBlock([]string{single.URL}, "") + `data "nats_kv_bucket" "test" { name = "no_such_bucket" }`,
			ExpectError: errorLike(`Bucket not found.*name = "no_such_bucket".*There is no bucket "no_such_bucket"`),
		}},
	})
}
