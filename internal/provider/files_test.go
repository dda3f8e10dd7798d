package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// Every resource is created, updated and destroyed, with KINE checks in
// every mode (enforce, report, off) and every kind of check that writes
// files (creds content standing in for a creds_file, a user's creds, an
// account's minted user, a plain bucket's twin, an edge site's
// configuration, credentials and TLS): afterwards the temp dir
// holds nothing the provider wrote. The test owns TMPDIR while it runs, so
// it is not parallel; terraform's working directories go elsewhere.
func TestAccFiles_nothingLeftBehind(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	tmp := t.TempDir()
	t.Setenv("TF_ACC_TEMP_DIR", t.TempDir())
	t.Setenv("TMPDIR", tmp)
	url := operator.Servers[0].URL
	name := uniqueName(t)
	leafURL, err := operator.Servers[0].LeafURL()
	if err != nil {
		t.Fatal(err)
	}
	config := func(step int) string {
		return providerBlock([]string{url}, fmt.Sprintf("  credentials_data = %s\n", hcl(string(accA.Creds)))+operatorBlock(operator)) + fmt.Sprintf(`
resource "nats_operator" "test" {
  name                = "files-%[2]d"
  deletion_protection = false
}

resource "nats_account" "test" {
  name        = "%[1]s-%[2]d"
  jetstream   = { disk_storage = 104857600, memory_storage = 0 }
  conformance = { mode = "report" }
}

resource "nats_k3s_datastore" "test" {
  bucket              = "%[1]s_k3s"
  rev_history         = %[3]d
  credentials         = %[4]s
  creds_file          = "/etc/rancher/k3s/nats.creds"
  deletion_protection = false
}

resource "nats_user" "kine" {
  name                 = "kine-%[2]d"
  account              = %[5]q
  account_signing_seed = %[6]q
  kine_bucket          = nats_k3s_datastore.test.bucket
}

resource "nats_kv_bucket" "twin" {
  name        = "%[1]s_twin"
  description = "Holds kine key/values"
  history     = %[3]d
  conformance = { mode = "report" }
}

resource "nats_user" "leaf" {
  name                 = "leaf-%[2]d"
  account              = %[5]q
  account_signing_seed = %[6]q
  leafnode             = { jetstream_domain = "edge-files" }
}

resource "nats_k3s_edge" "test" {
  name        = "files"
  hub_urls    = [%[7]q]
  credentials = nats_user.leaf.creds
  rev_history = %[3]d
  tls = {
    ca_file   = "/etc/rancher/k3s/nats/ca.pem"
    cert_file = "/etc/rancher/k3s/nats/leaf.pem"
    key_file  = "/etc/rancher/k3s/nats/leaf-key.pem"
    ca        = %[8]s
    cert      = %[9]s
    key       = %[10]s
  }
}

resource "nats_kv_bucket" "off" {
  name        = "%[1]s_off"
  history     = %[2]d
  conformance = { mode = "off" }
}
`, name, step, 10+step, hcl(string(accA.Creds)), accA.PublicKey, string(accA.SigningSeed),
			leafURL, hcl(leafTLS.CAPEM), hcl(leafTLS.ClientCertPEM), hcl(leafTLS.ClientKeyPEM))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: config(1)},
			{Config: config(2)},
		},
	})
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind in the temp dir: %s", filepath.Join(tmp, e.Name()))
	}
}
