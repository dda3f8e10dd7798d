# One k3s cluster's state in one region of an operator-mode NATS system:
#
#   nats_account.this          the cluster's own account (or an existing one)
#   nats_user.admin            what Terraform connects as to manage the bucket
#   nats_k3s_datastore.this    the bucket, made exactly as KINE makes it, and the
#                              --datastore-endpoint; every apply runs real KINE on it
#   nats_user.kine             what k3s connects as: its bucket and nothing else
#   nats_user.region_link      (region_link) the account's leaf node identity, for
#                              the leaf remote that carries the account between regions,
#                              allowed only what mirrors across it need
#   nats_kv_mirror.peer        (mirror) a copy in another region's JetStream domain,
#                              promoted when this region is lost (mirror.promote)
#   nats_k3s_datastore.standby (after promotion) the datastore k3s starts on in the
#                              other region, with its endpoint

locals {
  bucket       = "k3s-${var.name}"
  own_account  = var.existing_account == null
  account      = local.own_account ? nats_account.this[0].public_key : var.existing_account
  signing_seed = local.own_account ? nats_account.this[0].signing_seed : var.existing_account_signing_seed
  promoted     = var.mirror != null && try(var.mirror.promote, false)
}

resource "nats_account" "this" {
  count = local.own_account ? 1 : 0

  name        = "k3s-${var.name}"
  description = "State of k3s cluster ${var.name} (JetStream domain ${var.jetstream_domain})"
  jetstream = {
    disk_storage   = var.disk_storage
    memory_storage = 0
    streams        = 10
  }
  # With protection off, tearing the cluster down leaves no data on disk.
  purge_jetstream_on_destroy = !var.deletion_protection
}

resource "nats_user" "admin" {
  name                 = "k3s-${var.name}-admin"
  account              = local.account
  account_signing_seed = local.signing_seed

  lifecycle {
    # Checks that compare variables live here: variable validations may
    # refer to other variables only from Terraform 1.9.
    precondition {
      condition     = nonsensitive(var.existing_account_signing_seed == null) == (var.existing_account == null)
      error_message = "existing_account_signing_seed must be set exactly when existing_account is: it signs the users of that account."
    }
  }
}

resource "nats_k3s_datastore" "this" {
  bucket           = local.bucket
  jetstream_domain = var.jetstream_domain
  replicas         = var.replicas
  rev_history      = var.rev_history
  servers          = var.servers # null: the provider's servers
  credentials      = nats_user.admin.creds
  creds_file       = var.creds_file

  conformance = {
    mode    = "enforce"
    profile = var.conformance_profile
  }
  deletion_protection = var.deletion_protection
}

resource "nats_user" "kine" {
  name                 = "k3s-${var.name}-kine"
  account              = local.account
  account_signing_seed = local.signing_seed
  kine_bucket          = nats_k3s_datastore.this.bucket

  conformance = {
    mode    = "enforce"
    profile = "quick"
  }
}

# Accounts cross between regions only over a leaf connection of their own.
# This user is that connection's identity: it may connect only as a leaf
# node, and each region may send the other only what mirrors both ways
# need (the mirror API of the other's domain, deliveries, flow control and
# replies), never a stream delete or any other subject of the account.
resource "nats_user" "region_link" {
  count = var.region_link == null ? 0 : 1

  name                 = "k3s-${var.name}-region-link"
  account              = local.account
  account_signing_seed = local.signing_seed
  leafnode = {
    jetstream_domain     = var.region_link.leaf_jetstream_domain
    hub_jetstream_domain = var.region_link.hub_jetstream_domain
  }

  lifecycle {
    precondition {
      condition     = contains([var.region_link.hub_jetstream_domain, var.region_link.leaf_jetstream_domain], var.jetstream_domain)
      error_message = "region_link must join the cluster's own region (jetstream_domain) to the peer region: one of hub_jetstream_domain and leaf_jetstream_domain must be jetstream_domain."
    }
    precondition {
      condition     = var.mirror == null ? true : contains([var.region_link.hub_jetstream_domain, var.region_link.leaf_jetstream_domain], var.mirror.jetstream_domain)
      error_message = "mirror.jetstream_domain must be the other end of region_link: the link carries the mirror, and reaches no other domain."
    }
  }
}

# The copy in the peer region. Across domains it keeps the bucket's name, so
# the KINE user's permissions hold there too.
resource "nats_kv_mirror" "peer" {
  count    = var.mirror == null ? 0 : 1
  provider = nats.peer

  name             = local.bucket
  jetstream_domain = var.mirror.jetstream_domain
  source = {
    bucket = nats_k3s_datastore.this.bucket
    domain = var.jetstream_domain
  }
  replicas    = var.mirror.replicas
  credentials = nats_user.admin.creds

  # Failover: true, applied while this region is lost (or, for a planned
  # switchover, while it answers: the source is sealed first).
  promote = var.mirror.promote

  conformance = {
    mode    = "enforce"
    profile = "quick"
  }
  deletion_protection = var.deletion_protection

  lifecycle {
    precondition {
      condition     = var.mirror.jetstream_domain != var.jetstream_domain
      error_message = "mirror.jetstream_domain must differ from jetstream_domain: a mirror for disaster recovery belongs in another region."
    }
  }
}

# After promotion: the datastore k3s starts on in the peer region. It adopts
# the promoted bucket, checks it with KINE and gives its endpoint.
resource "nats_k3s_datastore" "standby" {
  count    = local.promoted ? 1 : 0
  provider = nats.peer

  bucket           = nats_kv_mirror.peer[0].name
  jetstream_domain = var.mirror.jetstream_domain
  replicas         = nats_kv_mirror.peer[0].replicas
  rev_history      = nats_kv_mirror.peer[0].history
  servers          = var.mirror.servers # null: the peer provider's servers
  credentials      = nats_user.admin.creds
  creds_file       = var.creds_file

  conformance = {
    mode    = "enforce"
    profile = var.conformance_profile
  }
  deletion_protection = var.deletion_protection
}
