variable "region_a_servers" {
  type        = list(string)
  description = "URLs of region A's NATS servers, for the region_a provider."

  validation {
    condition     = length(var.region_a_servers) > 0 && alltrue([for s in var.region_a_servers : can(regex("^(nats|tls)://[^/?#]+$", s))])
    error_message = "region_a_servers must list at least one URL such as nats://nats-1.region-a.example.net:4222."
  }
}

variable "region_b_servers" {
  type        = list(string)
  description = "URLs of region B's NATS servers, for the region_b provider."

  validation {
    condition     = length(var.region_b_servers) > 0 && alltrue([for s in var.region_b_servers : can(regex("^(nats|tls)://[^/?#]+$", s))])
    error_message = "region_b_servers must list at least one URL such as nats://nats-1.region-b.example.net:4222."
  }
}

variable "region_a_domain" {
  type        = string
  description = "JetStream domain of region A's servers."
  default     = "region-a"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.region_a_domain))
    error_message = "region_a_domain must be 1 to 64 letters, digits, dashes and underscores."
  }
}

variable "region_b_domain" {
  type        = string
  description = "JetStream domain of region B's servers. It must differ from region A's."
  default     = "region-b"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.region_b_domain))
    error_message = "region_b_domain must be 1 to 64 letters, digits, dashes and underscores."
  }
}

variable "region_a_k3s_servers" {
  type        = list(string)
  description = "Servers k3s in region A dials, as host:port (they go into the endpoints). Null: region_a_servers."
  default     = null
}

variable "region_b_k3s_servers" {
  type        = list(string)
  description = "Servers k3s in region B dials, as host:port (they go into the endpoints). Null: region_b_servers."
  default     = null
}

variable "region_a_leaf_urls" {
  type        = list(string)
  description = "Leaf node URLs of region A's servers, for the leaf remotes region B's servers need (output region_b_leaf_remotes)."
  default     = ["nats-leaf://nats.region-a.example.net:7422"]

  validation {
    condition     = length(var.region_a_leaf_urls) > 0 && alltrue([for u in var.region_a_leaf_urls : can(regex("^(nats-leaf|tls|nats)://[^/?#]+$", u))])
    error_message = "region_a_leaf_urls must list at least one URL such as nats-leaf://nats-1.region-a.example.net:7422."
  }
}

variable "region_link_creds_dir" {
  type        = string
  description = "Directory on region B's servers holding each cluster's region link creds (output region_link_creds) as <cluster>.creds."
  default     = "/etc/nats/links"

  validation {
    condition     = startswith(var.region_link_creds_dir, "/") && !strcontains(var.region_link_creds_dir, " ")
    error_message = "region_link_creds_dir must be an absolute path without spaces."
  }
}

variable "operator_jwt" {
  type        = string
  description = "The operator JWT both regions' servers trust."

  validation {
    condition     = can(regex("^eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", var.operator_jwt))
    error_message = "operator_jwt must be a JWT (three base64url parts joined by dots, starting with eyJ)."
  }
}

variable "operator_signing_seed" {
  type        = string
  description = "Seed of the operator signing key; it signs the clusters' accounts."
  sensitive   = true

  validation {
    condition     = startswith(var.operator_signing_seed, "SO")
    error_message = "operator_signing_seed must be an operator seed (it starts with SO)."
  }
}

variable "system_user_creds" {
  type        = string
  description = "Content of a system user's .creds file, with which accounts are pushed to the resolvers of both regions."
  sensitive   = true

  validation {
    condition     = strcontains(var.system_user_creds, "BEGIN NATS USER JWT") && strcontains(var.system_user_creds, "BEGIN USER NKEY SEED")
    error_message = "system_user_creds must be the content of a .creds file (a user JWT and an nkey seed), not a path."
  }
}

variable "clusters" {
  type = map(object({
    region          = string
    replicas        = optional(number, 1)
    rev_history     = optional(number, 10)
    mirror_replicas = optional(number, 1)
  }))
  description = <<-EOT
    The k3s clusters, by name: region ("a" or "b") is where each keeps its state and runs; its datastore is mirrored
    into the other region. replicas and rev_history go into its bucket and endpoint, mirror_replicas into the mirror.
  EOT
  default = {
    alpha = { region = "a" }
    beta  = { region = "b" }
  }

  validation {
    condition     = length(var.clusters) > 0 && alltrue([for name, c in var.clusters : can(regex("^[a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?$", name)) && contains(["a", "b"], c.region)])
    error_message = "clusters needs at least one cluster, named with 1 to 30 lowercase letters, digits and inner dashes, each with region \"a\" or \"b\"."
  }
}

variable "mirroring" {
  type        = bool
  description = "Mirror every cluster's datastore into the other region. Set false for the first apply of a new cluster: its mirror needs the leaf remote of its account (output region_b_leaf_remotes) in region B's servers first."
  default     = true
}

variable "failover" {
  type        = set(string)
  description = "Clusters whose mirror in the other region is promoted: they run there from now on (one way; see README.md). Needs mirroring."
  default     = []

}

variable "k3s_creds_path" {
  type        = string
  description = "Where the KINE user's .creds file (output kine_creds) is put on every k3s server; it goes into the endpoints as credsFile."
  default     = "/etc/rancher/k3s/nats.creds"
}

variable "conformance_profile" {
  type        = string
  description = "Profile of the KINE conformance check of the datastores on every apply: quick or full."
  default     = "quick"
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to destroy datastores, mirrors and promoted copies. Set false (and apply) only to tear everything down."
  default     = true
}
