# Stage 1 of `make demo`: an operator-mode NATS system, made offline. The
# demo starts two regions' servers trusting it (its JWT, its system account
# preloaded), then applies examples/stacks/multi-region on them.

terraform {
  required_providers {
    nats = {
      source = "natsk3s/nats"
    }
  }
}

provider "nats" {}

variable "resolver_dir" {
  type        = string
  description = "Directory where the server keeps the account JWTs it is sent."
}

resource "nats_operator" "demo" {
  name         = "demo"
  resolver_dir = var.resolver_dir
  # The demo throws its operator away at the end. For a real system keep the
  # default (true): the seeds exist only in the state.
  deletion_protection = false
}

output "server_config" {
  value = nats_operator.demo.server_config
}

output "operator_jwt" {
  value = nats_operator.demo.jwt
}

output "operator_signing_seed" {
  value     = nats_operator.demo.signing_seed
  sensitive = true
}

output "system_user_creds" {
  value     = nats_operator.demo.system_user_creds
  sensitive = true
}

output "system_account" {
  value = nats_operator.demo.system_account
}

output "system_account_jwt" {
  value = nats_operator.demo.system_account_jwt
}
