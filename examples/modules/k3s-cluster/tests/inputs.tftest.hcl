# Plans only: what the module makes for its inputs, and the inputs it
# refuses. The provider connects to region A's servers, region B's for the
# peer; both come from variables (TF_VAR_*), as in every file here.

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
  name             = "plan-only"
  jetstream_domain = "region-a"
}

run "defaults" {
  command = plan

  assert {
    condition     = nats_k3s_datastore.this.bucket == "k3s-plan-only" && nats_k3s_datastore.this.jetstream_domain == "region-a"
    error_message = "the datastore is bucket k3s-<name> in the cluster's domain"
  }
  assert {
    condition     = nats_k3s_datastore.this.deletion_protection && !nats_account.this[0].purge_jetstream_on_destroy
    error_message = "deletion protection is on by default, and the account keeps its data on destroy"
  }
  assert {
    condition     = length(nats_account.this) == 1 && length(nats_kv_mirror.peer) == 0 && length(nats_user.region_link) == 0 && length(nats_k3s_datastore.standby) == 0
    error_message = "by default: an account of its own, no mirror, no region link, no standby"
  }
  assert {
    condition     = nats_user.kine.kine_bucket == "k3s-plan-only" && nats_k3s_datastore.this.creds_file == "/etc/rancher/k3s/nats.creds"
    error_message = "the KINE user is bound to the datastore's bucket, and the endpoint names the default creds file"
  }
}

run "mirrored_and_promoted" {
  command = plan

  variables {
    region_link = {
      hub_jetstream_domain  = "region-a"
      leaf_jetstream_domain = "region-b"
    }
    deletion_protection = false
    mirror = {
      jetstream_domain = "region-b"
      replicas         = 3
      promote          = true
    }
  }

  assert {
    condition     = nats_kv_mirror.peer[0].name == "k3s-plan-only" && nats_kv_mirror.peer[0].source.domain == "region-a" && nats_kv_mirror.peer[0].jetstream_domain == "region-b"
    error_message = "the mirror keeps the bucket's name in the peer domain, sourcing the cluster's domain"
  }
  assert {
    condition     = nats_kv_mirror.peer[0].replicas == 3 && nats_kv_mirror.peer[0].promote && !nats_kv_mirror.peer[0].deletion_protection
    error_message = "the mirror takes replicas, promote and deletion_protection from the inputs"
  }
  assert {
    condition     = length(nats_k3s_datastore.standby) == 1 && nats_user.region_link[0].leafnode.jetstream_domain == "region-b" && nats_user.region_link[0].leafnode.hub_jetstream_domain == "region-a"
    error_message = "a promoted mirror gets a standby datastore; the region link user has the region link grant, region B dialing region A"
  }
  assert {
    condition     = nats_account.this[0].purge_jetstream_on_destroy
    error_message = "with protection off the account's data goes with it"
  }
}

run "existing_account" {
  command = plan

  variables {
    existing_account              = "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
    existing_account_signing_seed = "SAANJIBNEKGCRUWJCPIWUXFBFJLR36FJTFKGBGKAT7AQXH2LVFNQWZJMQU"
  }

  assert {
    condition     = length(nats_account.this) == 0 && nats_user.kine.account == "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
    error_message = "with existing_account no account is made and the users belong to the given one"
  }
}

run "refuses_bad_inputs" {
  command = plan

  variables {
    name                = "Prod_1"
    jetstream_domain    = "region.a"
    servers             = ["https://nats-1:4222"]
    replicas            = 7
    rev_history         = 1
    disk_storage        = 1024
    creds_file          = "nats.creds"
    conformance_profile = "thorough"
    existing_account    = "not-an-account"
  }

  expect_failures = [
    var.name, var.jetstream_domain, var.servers, var.replicas, var.rev_history, var.disk_storage,
    var.creds_file, var.conformance_profile, var.existing_account,
  ]
}

run "refuses_a_mirror_replica_count_out_of_range" {
  command = plan

  variables {
    mirror = { jetstream_domain = "region-b", replicas = 0 }
  }

  expect_failures = [var.mirror]
}

run "refuses_a_mirror_in_its_own_domain" {
  command = plan

  variables {
    mirror = { jetstream_domain = "region-a" }
  }

  expect_failures = [nats_kv_mirror.peer]
}

run "refuses_a_region_link_within_one_domain" {
  command = plan

  variables {
    region_link = { hub_jetstream_domain = "region-a", leaf_jetstream_domain = "region-a" }
  }

  expect_failures = [var.region_link]
}

run "refuses_a_region_link_away_from_its_regions" {
  command = plan

  variables {
    region_link = { hub_jetstream_domain = "region-c", leaf_jetstream_domain = "region-b" }
    mirror      = { jetstream_domain = "region-d" }
  }

  expect_failures = [nats_user.region_link]
}

run "refuses_an_account_without_its_seed" {
  command = plan

  variables {
    existing_account = "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
  }

  expect_failures = [nats_user.admin]
}
