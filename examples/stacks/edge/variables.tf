variable "nats_servers" {
  type        = list(string)
  description = "Client URLs of the hub's servers (operator mode, JetStream with a domain of its own, a leaf node listener)."

  validation {
    condition     = length(var.nats_servers) > 0 && alltrue([for s in var.nats_servers : can(regex("^(nats|tls)://[^/?#]+$", s))])
    error_message = "nats_servers must list at least one URL such as nats://hub-1.example.net:4222 (nats:// or tls://, no path or query)."
  }
}

variable "hub_leaf_urls" {
  type        = list(string)
  description = "The hub's leaf node URLs (its leafnodes { listen }), which the sites dial: nats-leaf://host:port, or tls://host:port when the listener has TLS."

  validation {
    condition     = length(var.hub_leaf_urls) > 0 && alltrue([for u in var.hub_leaf_urls : can(regex("^(nats-leaf|tls)://[^\\s,@/?#]+:[0-9]+/?$", u))])
    error_message = "hub_leaf_urls must list at least one URL such as tls://hub-1.example.net:7422, without credentials."
  }
}

variable "hub_ca_pem" {
  type        = string
  description = "The CA (PEM) that signed the hub's leaf node certificate, when the leaf listener has TLS; null for plain leaf connections."
  default     = null
}

variable "operator_jwt" {
  type        = string
  description = "The operator JWT."

  validation {
    condition     = can(regex("^eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", var.operator_jwt))
    error_message = "operator_jwt must be a JWT (three base64url parts joined by dots, starting with eyJ)."
  }
}

variable "operator_signing_seed" {
  type        = string
  description = "Seed of the operator signing key, which signs the account. Ephemeral: never stored."
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = startswith(var.operator_signing_seed, "SO")
    error_message = "operator_signing_seed must be an operator seed (it starts with SO)."
  }
}

variable "system_user_creds" {
  type        = string
  description = "Content of the system user's .creds file, with which the account is pushed. Ephemeral: never stored."
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = strcontains(var.system_user_creds, "BEGIN NATS USER JWT") && strcontains(var.system_user_creds, "BEGIN USER NKEY SEED")
    error_message = "system_user_creds must be the content of a .creds file (a user JWT and an nkey seed), not a path."
  }
}

variable "account_name" {
  type        = string
  description = "Name of the hub account of the edge sites."
  default     = "edge-sites"
}

variable "sites" {
  type = map(object({
    rev_history = optional(number, 10)
    listen      = optional(string)
    mirrored    = optional(bool, false)
  }))
  description = <<-EOT
    The edge sites, by name: the site's server_name, its JetStream domain edge-<name> and its bucket k3s-<name>.
    rev_history (2-64) is KINE's; listen (host:port) lets workloads on the site use the local NATS; mirrored makes
    the hub keep a copy of the site's state: set it once the site runs (a mirror needs its source to answer).
  EOT

  validation {
    condition     = length(var.sites) > 0 && alltrue([for name in keys(var.sites) : can(regex("^[a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?$", name))])
    error_message = "sites needs at least one site, each named with 1 to 30 lowercase letters, digits and inner dashes."
  }
  validation {
    condition     = alltrue([for s in values(var.sites) : s.rev_history >= 2 && s.rev_history <= 64 && floor(s.rev_history) == s.rev_history])
    error_message = "A site's rev_history must be a whole number from 2 to 64."
  }
}

variable "max_payload" {
  type        = number
  description = "Every site's max_payload, and so the account's and the leaf users' payload limits, in bytes (at least 2101248, what a 1.5 MiB Kubernetes object takes in KINE's encoding; the hub servers' max_payload must be at least this too)."
  default     = 8388608

  validation {
    condition     = var.max_payload >= 2101248 && var.max_payload <= 67108864
    error_message = "max_payload must be from 2101248 (a 1.5 MiB Kubernetes object in KINE's encoding) to 67108864 bytes."
  }
}

variable "hub_disk_storage" {
  type        = number
  description = "JetStream disk limit of the hub account, in bytes: room for the copies of every site's state."
  default     = 10737418240
}

variable "mirror_replicas" {
  type        = number
  description = "Replicas of each hub copy, 1 to 5 (more than 1 needs a JetStream cluster)."
  default     = 1

  validation {
    condition     = var.mirror_replicas >= 1 && var.mirror_replicas <= 5 && floor(var.mirror_replicas) == var.mirror_replicas
    error_message = "mirror_replicas must be a whole number from 1 to 5."
  }
}

variable "conformance_profile" {
  type        = string
  description = "Profile of the sites' end-to-end checks: quick or full."
  default     = "quick"

  validation {
    condition     = contains(["quick", "full"], var.conformance_profile)
    error_message = "conformance_profile must be quick or full."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to destroy the hub's copies of the sites' state. Set false only to tear everything down: the account then also purges its streams."
  default     = true
}
