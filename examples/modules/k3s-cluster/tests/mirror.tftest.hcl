# Applied against real servers in two regions: the cluster in region A,
# mirrored into region B, then failed over (the mirror promoted while A
# answers: a planned switchover seals A's bucket first).
#
# A mirror needs a leaf connection carrying its account between the
# regions, set up in the servers' configuration. So this file keeps the
# cluster in an account made and linked beforehand (var.linked_account).

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
  name                          = "paired"
  jetstream_domain              = "region-a"
  existing_account              = var.linked_account
  existing_account_signing_seed = var.linked_account_signing_seed
  deletion_protection           = false
  mirror = {
    jetstream_domain = "region-b"
  }
}

run "mirrored" {
  assert {
    condition     = length(nats_account.this) == 0 && output.account == var.linked_account
    error_message = "the cluster lives in the given account"
  }
  assert {
    condition     = output.mirror.name == "k3s-paired" && output.mirror.jetstream_domain == "region-b" && output.mirror.history == 10 && !output.mirror.promote
    error_message = "the mirror keeps the name and copies the history"
  }
  assert {
    condition     = output.mirror.source_reachable && !output.mirror.source_sealed && output.conformance.mirror.passed
    error_message = "the mirror reaches its source, and KINE would accept it once promoted"
  }
  assert {
    condition     = output.standby_endpoint == null && output.active_endpoint == output.datastore_endpoint
    error_message = "before promotion k3s runs in region A"
  }
}

run "promoted" {
  variables {
    mirror = {
      jetstream_domain = "region-b"
      promote          = true
    }
  }

  assert {
    condition     = output.mirror.promote && output.mirror.source_sealed
    error_message = "a planned switchover seals region A's bucket, then promotes"
  }
  assert {
    condition     = output.conformance.standby.passed && output.active_endpoint == output.standby_endpoint
    error_message = "KINE accepts the promoted bucket, and k3s is sent to region B"
  }
  assert {
    condition     = strcontains(output.standby_endpoint, "bucket=k3s-paired") && strcontains(output.standby_endpoint, "revHistory=10")
    error_message = "the standby endpoint names the promoted bucket and its history"
  }
}
