output "datastore_endpoint" {
  description = "The value of k3s server --datastore-endpoint. It names the creds file, not its content, so it is no secret."
  value       = nats_k3s_datastore.this.endpoint_redacted
}

output "k3s_config" {
  description = "The lines for /etc/rancher/k3s/config.yaml on every k3s server (datastore-endpoint)."
  value       = nats_k3s_datastore.this.k3s_config
  sensitive   = true
}

output "kine_creds" {
  description = "Content of the KINE user's .creds file, for k3s_creds_path on every k3s server (mode 0600). Read it with the Terraform Cloud API or terraform output -raw from a trusted machine."
  value       = nats_user.kine.creds
  sensitive   = true
}

output "account" {
  description = "Public key of the cluster's account."
  value       = nats_account.cluster.public_key
}

output "conformance" {
  description = "Summaries of the KINE conformance checks: the bucket through its endpoint, and the KINE user's permissions."
  value = {
    datastore = nats_k3s_datastore.this.conformance_report.summary
    kine_user = nats_user.kine.conformance_report.summary
  }
}
