# Applied against real servers: the cluster in region A with an account of
# its own, checked by real KINE as the admin user and as the KINE user.
# terraform test destroys it at the end, so protection is off.

provider "nats" {
  servers = var.region_a_servers
  operator {
    jwt               = var.operator_jwt
    signing_seed      = var.operator_signing_seed
    system_user_creds = var.system_user_creds
  }
}

provider "nats" {
  alias   = "peer"
  servers = var.region_b_servers
  operator {
    jwt               = var.operator_jwt
    signing_seed      = var.operator_signing_seed
    system_user_creds = var.system_user_creds
  }
}

variables {
  name                = "solo"
  jetstream_domain    = "region-a"
  rev_history         = 5
  deletion_protection = false
  region_link = {
    hub_jetstream_domain  = "region-a"
    leaf_jetstream_domain = "region-b"
  }
}

run "cluster" {
  assert {
    condition     = startswith(output.account, "A") && output.account == nats_account.this[0].public_key
    error_message = "the cluster has an account of its own"
  }
  assert {
    condition     = output.conformance.datastore.passed && output.conformance.kine_user.passed
    error_message = "KINE ran against the datastore, as the admin user and as the KINE user"
  }
  assert {
    condition     = strcontains(output.datastore_endpoint, "bucket=k3s-solo") && strcontains(output.datastore_endpoint, "revHistory=5") && strcontains(output.datastore_endpoint, "credsFile=%2Fetc%2Francher%2Fk3s%2Fnats.creds")
    error_message = "the endpoint names the bucket, its history and the creds file"
  }
  assert {
    condition     = output.active_endpoint == output.datastore_endpoint && output.standby_endpoint == null && output.mirror == null
    error_message = "without a mirror the cluster runs in its own region"
  }
  assert {
    condition     = strcontains(output.kine_creds, "BEGIN NATS USER JWT") && strcontains(output.region_link_creds, "BEGIN USER NKEY SEED")
    error_message = "the KINE user's and the region link's creds are outputs"
  }
}

run "history_grows_in_place" {
  variables {
    rev_history = 8
  }

  assert {
    condition     = strcontains(output.datastore_endpoint, "revHistory=8") && output.conformance.datastore.passed
    error_message = "rev_history changes in place, the endpoint with it, and KINE accepts the bucket"
  }
}
