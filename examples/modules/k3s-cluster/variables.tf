variable "name" {
  type        = string
  description = "Name of the k3s cluster. It becomes part of the account, user and bucket names (bucket k3s-<name>)."

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?$", var.name))
    error_message = "name must be 1 to 30 lowercase letters, digits and inner dashes, such as prod-eu-1."
  }
}

variable "jetstream_domain" {
  type        = string
  description = "JetStream domain of the cluster's region: the servers of the module's nats provider must be in it. The datastore is created there, and a mirror names it as its source."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.jetstream_domain))
    error_message = "jetstream_domain must be 1 to 64 letters, digits, dashes and underscores (no dots, spaces or wildcards), as in the servers' jetstream { domain } setting."
  }
}

variable "servers" {
  type        = list(string)
  description = "Servers k3s dials, as host:port or nats://host:port (they go into the endpoint). Null: the servers of the module's nats provider."
  default     = null

  validation {
    condition     = var.servers == null || try(length(var.servers) > 0 && alltrue([for s in var.servers : can(regex("^(nats://)?[^/?#:@]+:[0-9]+$", s))]), false)
    error_message = "servers must list at least one host:port or nats://host:port (KINE takes only nats://; no user, path or query)."
  }
}

variable "replicas" {
  type        = number
  description = "Replicas of the datastore bucket, 1 to 5 (3 or more needs a JetStream cluster in the region). It goes into the endpoint."
  default     = 1

  validation {
    condition     = var.replicas >= 1 && var.replicas <= 5 && floor(var.replicas) == var.replicas
    error_message = "replicas must be a whole number from 1 to 5."
  }
}

variable "rev_history" {
  type        = number
  description = "Revisions KINE keeps per key (its revHistory), 2 to 64. The mirror copies it."
  default     = 10

  validation {
    condition     = var.rev_history >= 2 && var.rev_history <= 64 && floor(var.rev_history) == var.rev_history
    error_message = "rev_history must be a whole number from 2 to 64 (KINE's revHistory)."
  }
}

variable "disk_storage" {
  type        = number
  description = "JetStream disk limit of the cluster's account, in bytes, in each region. Ignored with existing_account."
  default     = 1073741824

  validation {
    condition     = var.disk_storage >= 104857600 && floor(var.disk_storage) == var.disk_storage
    error_message = "disk_storage must be a whole number of at least 104857600 bytes (100 MiB): the datastore and the conformance check's scratch buckets live there."
  }
}

variable "creds_file" {
  type        = string
  description = "Where the KINE user's .creds file (output kine_creds) is put on every k3s server; it goes into the endpoint as credsFile."
  default     = "/etc/rancher/k3s/nats.creds"

  validation {
    condition     = startswith(var.creds_file, "/") && !strcontains(var.creds_file, " ")
    error_message = "creds_file must be an absolute path without spaces."
  }
}

variable "conformance_profile" {
  type        = string
  description = "Profile of the KINE conformance check of the datastores on every apply: quick (what every kube-apiserver request needs) or full (adds leases, a 1.5 MiB object, a racing second KINE, compaction)."
  default     = "quick"

  validation {
    condition     = contains(["quick", "full"], var.conformance_profile)
    error_message = "conformance_profile must be quick or full."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to destroy the datastore, its mirror and the promoted copy, and so the cluster's state. Set false (and apply) only to tear the cluster down: destroying then also deletes every stream of its account."
  default     = true
}

variable "existing_account" {
  type        = string
  description = "Public key of an account made elsewhere (by a platform team, say) to keep the cluster in. Null: the module makes the cluster an account of its own."
  default     = null

  validation {
    condition     = var.existing_account == null || can(regex("^A[A-Z2-7]{55}$", var.existing_account))
    error_message = "existing_account must be an account public key: 56 characters starting with A."
  }
}

variable "existing_account_signing_seed" {
  type        = string
  description = "Seed of a signing key of existing_account (starts with SA), with which the module signs its users. Set exactly when existing_account is."
  default     = null
  sensitive   = true

  validation {
    condition     = var.existing_account_signing_seed == null || startswith(coalesce(var.existing_account_signing_seed, "-"), "SA")
    error_message = "existing_account_signing_seed must be an account seed (it starts with SA)."
  }
}

variable "region_link" {
  type = object({
    hub_jetstream_domain  = string
    leaf_jetstream_domain = string
  })
  description = <<-EOT
    Make the account's region link user (output region_link_creds): the identity of the leaf remote that carries the
    account between two regions. An account crosses between regions over nothing else: the leaf region's servers need
    that remote, authenticating as this user and dialing the hub region's leaf node listener, before a mirror of the
    account can be made. hub_jetstream_domain is the domain of the region that listens, leaf_jetstream_domain that of
    the region whose servers dial it; one of them is jetstream_domain, the other the mirror's. The user may connect only
    as a leaf node, and each region may send the other only what mirrors both ways (failover, then failback) need: the
    other's mirror API, deliveries, flow control and replies (nats_user's leafnode.hub_jetstream_domain). Null: no user.
  EOT
  default     = null

  validation {
    condition     = var.region_link == null ? true : alltrue([for d in [var.region_link.hub_jetstream_domain, var.region_link.leaf_jetstream_domain] : can(regex("^[A-Za-z0-9_-]{1,64}$", d))])
    error_message = "region_link's hub_jetstream_domain and leaf_jetstream_domain must be 1 to 64 letters, digits, dashes and underscores."
  }
  validation {
    condition     = var.region_link == null ? true : var.region_link.hub_jetstream_domain != var.region_link.leaf_jetstream_domain
    error_message = "region_link's hub_jetstream_domain and leaf_jetstream_domain must differ: the link joins two regions."
  }
}

variable "mirror" {
  type = object({
    jetstream_domain = string
    replicas         = optional(number, 1)
    promote          = optional(bool, false)
    servers          = optional(list(string))
  })
  description = <<-EOT
    A mirror of the datastore in another region, made through the nats.peer provider (servers of that region):
    jetstream_domain is that region's domain; replicas (1-5) those of the mirror and of the bucket once promoted;
    promote = true turns the mirror into the cluster's datastore there (failover; one way) and adds the standby
    datastore and its endpoint; servers are what k3s in that region dials (null: the peer provider's). Null: no mirror.
    The domain must differ from jetstream_domain: a mirror for disaster recovery belongs in another region.
  EOT
  default     = null

  validation {
    condition     = var.mirror == null || can(regex("^[A-Za-z0-9_-]{1,64}$", var.mirror.jetstream_domain))
    error_message = "mirror.jetstream_domain must be 1 to 64 letters, digits, dashes and underscores."
  }
  validation {
    condition     = var.mirror == null || try(var.mirror.replicas >= 1 && var.mirror.replicas <= 5 && floor(var.mirror.replicas) == var.mirror.replicas, false)
    error_message = "mirror.replicas must be a whole number from 1 to 5."
  }
  validation {
    condition     = var.mirror == null ? true : try(var.mirror.servers == null ? true : length(var.mirror.servers) > 0 && alltrue([for s in var.mirror.servers : can(regex("^(nats://)?[^/?#:@]+:[0-9]+$", s))]), false)
    error_message = "mirror.servers must list at least one host:port or nats://host:port."
  }
}
