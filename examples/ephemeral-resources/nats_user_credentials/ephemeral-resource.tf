# Credentials that live for one run and are never written to plan or state:
# a second provider configuration acts as a fresh user of the account.
ephemeral "nats_user_credentials" "ops" {
  name                 = "terraform-ops"
  account              = var.account_public_key
  account_signing_seed = var.account_signing_seed
  ttl                  = "15m"
}

provider "nats" {
  alias            = "k3s_prod"
  servers          = ["nats://nats-1.example.net:4222"]
  credentials_data = ephemeral.nats_user_credentials.ops.creds
}

resource "nats_kv_bucket" "settings" {
  provider = nats.k3s_prod
  name     = "settings"
}

variable "account_public_key" {
  type = string
}

variable "account_signing_seed" {
  type      = string
  sensitive = true
  ephemeral = true
}
