output "datastore_endpoints" {
  description = "Per cluster, the value of k3s server --datastore-endpoint. It names the creds file, not its content, so it is no secret."
  value       = { for name, d in nats_k3s_datastore.this : name => d.endpoint_redacted }
}

output "k3s_config" {
  description = "Per cluster, the lines for /etc/rancher/k3s/config.yaml on every k3s server (datastore-endpoint)."
  value       = { for name, d in nats_k3s_datastore.this : name => d.k3s_config }
  sensitive   = true
}

output "kine_creds" {
  description = "Per cluster, the content of the KINE user's .creds file, to be written to k3s_creds_path on every k3s server (mode 0600)."
  value       = { for name, u in nats_user.kine : name => u.creds }
  sensitive   = true
}

output "accounts" {
  description = "Per cluster, the public key of its account."
  value       = { for name, a in nats_account.cluster : name => a.public_key }
}

output "conformance" {
  description = "Per cluster, the summary of the KINE conformance checks of the bucket (as the admin user) and of the KINE user's permissions."
  value = { for name, d in nats_k3s_datastore.this : name => {
    datastore = d.conformance_report.summary
    kine_user = nats_user.kine[name].conformance_report.summary
  } }
}
