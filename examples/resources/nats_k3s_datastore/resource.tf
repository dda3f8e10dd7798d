# The state of one k3s cluster, in its own account, replicated three ways.
# On every apply a real KINE runs against it with exactly this endpoint.
resource "nats_k3s_datastore" "prod" {
  bucket      = "k3s-prod"
  replicas    = 3
  rev_history = 10

  servers     = ["nats-1.example.net:4222", "nats-2.example.net:4222", "nats-3.example.net:4222"]
  credentials = var.kine_creds                # used by the provider to create and check
  creds_file  = "/etc/rancher/k3s/nats.creds" # where k3s finds the same creds

  # The servers speak TLS: where k3s finds the CA. The check uses the
  # provider's tls block in its place.
  ca_file = "/etc/rancher/k3s/nats-ca.pem"

  # deletion_protection defaults to true: a cluster's state is never deleted by accident.
}

# Hand the endpoint to k3s, for example in /etc/rancher/k3s/config.yaml.
output "k3s_config" {
  value     = nats_k3s_datastore.prod.k3s_config
  sensitive = true
}

output "endpoint" {
  value = nats_k3s_datastore.prod.endpoint_redacted
}

variable "kine_creds" {
  type      = string
  sensitive = true
}
