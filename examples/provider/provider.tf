# Connect to a NATS system. Servers default to NATS_URL, credentials to
# NATS_CREDS (a path, or the content of a .creds file) or NATS_CONTEXT.
provider "nats" {
  servers = ["nats://nats-1.example.net:4222", "nats://nats-2.example.net:4222"]

  # Where there are no local files (Terraform Cloud), pass the creds content.
  credentials_data = var.nats_creds

  tls {
    ca = var.nats_ca_pem
  }
  timeout = "15s"
}

variable "nats_creds" {
  type      = string
  sensitive = true
}

variable "nats_ca_pem" {
  type = string
}
