variable "nats_servers" {
  type        = list(string)
  description = "URLs of the NATS servers of the operator-mode system (started with step 1's server_config), for the provider and, unless a cluster sets its own, for k3s."
  default     = ["nats://127.0.0.1:4222"]

  validation {
    condition     = length(var.nats_servers) > 0 && alltrue([for s in var.nats_servers : can(regex("^(nats|tls)://[^/?#]+$", s))])
    error_message = "nats_servers must list at least one URL such as nats://nats-1.example.net:4222 (nats:// or tls://, no path or query)."
  }
}

variable "operator_jwt" {
  type        = string
  description = "The operator JWT (output operator_jwt of step 1)."

  validation {
    condition     = can(regex("^eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", var.operator_jwt))
    error_message = "operator_jwt must be a JWT (three base64url parts joined by dots, starting with eyJ)."
  }
}

variable "operator_signing_seed" {
  type        = string
  description = "Seed of the operator signing key (output operator_signing_seed of step 1); it signs the cluster accounts."
  sensitive   = true

  validation {
    condition     = startswith(var.operator_signing_seed, "SO")
    error_message = "operator_signing_seed must be an operator seed (it starts with SO)."
  }
}

variable "system_user_creds" {
  type        = string
  description = "Content of the system user's .creds file (output system_user_creds of step 1), with which accounts are pushed to the servers."
  sensitive   = true

  validation {
    condition     = strcontains(var.system_user_creds, "BEGIN NATS USER JWT") && strcontains(var.system_user_creds, "BEGIN USER NKEY SEED")
    error_message = "system_user_creds must be the content of a .creds file (a user JWT and an nkey seed), not a path."
  }
}

variable "clusters" {
  type = map(object({
    replicas     = optional(number, 1)
    rev_history  = optional(number, 10)
    disk_storage = optional(number, 1073741824)
    servers      = optional(list(string))
  }))
  description = <<-EOT
    The k3s clusters whose state this NATS system keeps, by name. Each gets its own account, a KINE user that may use
    only its bucket, and a datastore bucket k3s-<name>. replicas (1-5, 3 or more needs a JetStream cluster) and
    rev_history (2-64) go into the bucket and its endpoint; disk_storage is the account's JetStream disk limit in
    bytes (default 1 GiB); servers, when set, are the host:port or nats:// addresses k3s dials instead of nats_servers.
  EOT

  validation {
    condition     = length(var.clusters) > 0 && alltrue([for name in keys(var.clusters) : can(regex("^[a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?$", name))])
    error_message = "clusters needs at least one cluster, each named with 1 to 30 lowercase letters, digits and inner dashes (it becomes part of account and bucket names)."
  }
  validation {
    condition     = alltrue([for c in values(var.clusters) : c.replicas >= 1 && c.replicas <= 5 && floor(c.replicas) == c.replicas])
    error_message = "A cluster's replicas must be a whole number from 1 to 5."
  }
  validation {
    condition     = alltrue([for c in values(var.clusters) : c.rev_history >= 2 && c.rev_history <= 64 && floor(c.rev_history) == c.rev_history])
    error_message = "A cluster's rev_history must be a whole number from 2 to 64 (KINE's revHistory)."
  }
  validation {
    condition     = alltrue([for c in values(var.clusters) : c.disk_storage >= 104857600])
    error_message = "A cluster's disk_storage must be at least 104857600 bytes (100 MiB): the datastore and the conformance check's scratch buckets live there."
  }
}

variable "k3s_creds_path" {
  type        = string
  description = "Where the KINE user's .creds file (output kine_creds) is put on every k3s server; it goes into the endpoint as credsFile."
  default     = "/etc/rancher/k3s/nats.creds"

  validation {
    condition     = startswith(var.k3s_creds_path, "/") && !strcontains(var.k3s_creds_path, " ")
    error_message = "k3s_creds_path must be an absolute path without spaces."
  }
}

variable "conformance_profile" {
  type        = string
  description = "Profile of the KINE conformance check run on every apply: quick (what every kube-apiserver request needs) or full (adds leases, a 1.5 MiB object, a racing second KINE, compaction)."
  default     = "quick"

  validation {
    condition     = contains(["quick", "full"], var.conformance_profile)
    error_message = "conformance_profile must be quick or full."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to destroy a cluster's datastore, and so its state. Set false only to tear a cluster down: then destroying also deletes every stream of its account from the servers' disks."
  default     = true
}
