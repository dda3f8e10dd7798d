# Adopt an existing account by its public key. Describe what the servers hold;
# the first plan after the import is then empty. The account signing seed
# cannot be recovered, so users (nats_user) need an account made by Terraform.
import {
  to = nats_account.legacy
  id = "ACOJJN6WUP4ODD75XEBKKTCCUJJCY5ZKQ56XVKYK4BBJWGVAPHGJN6DN"
}

resource "nats_account" "legacy" {
  name = "legacy"
  jetstream = {
    disk_storage   = 1073741824 # 1 GiB
    memory_storage = 0
  }
}
