# Step 1 of the quickstart: an operator-mode NATS system, made offline. No
# server needs to be running: this writes the operator, its signing key and
# the system account, and the configuration every nats-server starts from.
# Keep its state safe: it holds the operator's keys.

terraform {
  required_version = ">= 1.5"
  required_providers {
    nats = {
      source = "natsk3s/nats"
    }
  }
}

provider "nats" {}

variable "operator_name" {
  type        = string
  description = "Name of the operator, written into its JWT."
  default     = "k3s"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", var.operator_name))
    error_message = "operator_name must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."
  }
}

variable "resolver_dir" {
  type        = string
  description = "Directory in which each nats-server keeps the account JWTs it is sent, as the server sees it."
  default     = "/data/nats/jwt"

  validation {
    condition     = trimspace(var.resolver_dir) != ""
    error_message = "resolver_dir must name a directory."
  }
}

resource "nats_operator" "this" {
  name         = var.operator_name
  resolver_dir = var.resolver_dir
}

output "server_config" {
  description = "Configuration fragment for every nats-server (operator, system account, full resolver): save it next to the server's configuration and include it."
  value       = nats_operator.this.server_config
}

output "operator_jwt" {
  description = "The operator JWT: the operator_jwt input of step 2."
  value       = nats_operator.this.jwt
}

output "operator_signing_seed" {
  description = "Seed of the operator signing key, which signs the accounts: the operator_signing_seed input of step 2."
  value       = nats_operator.this.signing_seed
  sensitive   = true
}

output "system_user_creds" {
  description = "Creds of the system user, with which the provider pushes accounts to the servers: the system_user_creds input of step 2."
  value       = nats_operator.this.system_user_creds
  sensitive   = true
}
