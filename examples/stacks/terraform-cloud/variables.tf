variable "nats_servers" {
  type        = list(string)
  description = "URLs of the NATS servers of the operator-mode system, for the provider and for k3s."

  validation {
    condition     = length(var.nats_servers) > 0 && alltrue([for s in var.nats_servers : can(regex("^(nats|tls)://[^/?#]+$", s))])
    error_message = "nats_servers must list at least one URL such as nats://nats-1.example.net:4222 (nats:// or tls://, no path or query)."
  }
}

variable "operator_jwt" {
  type        = string
  description = "The operator JWT (not secret)."

  validation {
    condition     = can(regex("^eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", var.operator_jwt))
    error_message = "operator_jwt must be a JWT (three base64url parts joined by dots, starting with eyJ)."
  }
}

variable "operator_signing_seed" {
  type        = string
  description = "Seed of the operator signing key, which signs the account. Ephemeral: set it as a sensitive workspace variable (or TF_VAR_operator_signing_seed) on every run; Terraform never stores it."
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = startswith(var.operator_signing_seed, "SO")
    error_message = "operator_signing_seed must be an operator seed (it starts with SO)."
  }
}

variable "system_user_creds" {
  type        = string
  description = "Content of the system user's .creds file, with which the account is pushed to the servers. Ephemeral, like operator_signing_seed."
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = strcontains(var.system_user_creds, "BEGIN NATS USER JWT") && strcontains(var.system_user_creds, "BEGIN USER NKEY SEED")
    error_message = "system_user_creds must be the content of a .creds file (a user JWT and an nkey seed), not a path."
  }
}

variable "cluster_name" {
  type        = string
  description = "Name of the k3s cluster; part of the account (k3s-<name>), bucket (k3s-<name>) and user names."

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?$", var.cluster_name))
    error_message = "cluster_name must be 1 to 30 lowercase letters, digits and inner dashes."
  }
}

variable "replicas" {
  type        = number
  description = "Replicas of the datastore bucket, 1 to 5 (more than 1 needs a JetStream cluster)."
  default     = 1

  validation {
    condition     = var.replicas >= 1 && var.replicas <= 5 && floor(var.replicas) == var.replicas
    error_message = "replicas must be a whole number from 1 to 5."
  }
}

variable "rev_history" {
  type        = number
  description = "Revisions KINE keeps per key (its revHistory), 2 to 64."
  default     = 10

  validation {
    condition     = var.rev_history >= 2 && var.rev_history <= 64 && floor(var.rev_history) == var.rev_history
    error_message = "rev_history must be a whole number from 2 to 64."
  }
}

variable "disk_storage" {
  type        = number
  description = "The account's JetStream disk limit, in bytes (at least 100 MiB)."
  default     = 1073741824

  validation {
    condition     = var.disk_storage >= 104857600
    error_message = "disk_storage must be at least 104857600 bytes (100 MiB): the datastore and the conformance check's scratch buckets live there."
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

variable "kine_user_version" {
  type        = number
  description = "account_signing_seed_wo_version of the KINE user: change it to re-sign the user's JWT (same key) with the account's current signing seed."
  default     = 1
}

variable "conformance_profile" {
  type        = string
  description = "Profile of the KINE conformance check run on every apply: quick or full."
  default     = "quick"

  validation {
    condition     = contains(["quick", "full"], var.conformance_profile)
    error_message = "conformance_profile must be quick or full."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to destroy the datastore, and so the cluster's state. Set false only to tear the cluster down: destroying then also deletes every stream of its account."
  default     = true
}
