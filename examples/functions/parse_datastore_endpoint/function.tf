# Read the parts of an endpoint, as KINE reads them.
locals {
  parts = provider::nats::parse_datastore_endpoint("nats://nats-1:4222?bucket=k3s-dev&replicas=3,nats://nats-2:4222")
}

output "bucket" {
  value = local.parts.bucket # "k3s-dev"
}
