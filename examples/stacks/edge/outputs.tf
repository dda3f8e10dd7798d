output "sites" {
  description = "Per site, what its host needs: the --datastore-endpoint, the nats-server configuration for KINE's embedded server, and the files to write (path, kind, mode, purpose)."
  value = { for name, s in nats_k3s_edge.site : name => {
    endpoint         = s.endpoint
    jetstream_domain = s.jetstream_domain
    bucket           = s.bucket
    server_config    = s.server_config
    k3s_config       = s.k3s_config
    files            = s.files
  } }
}

output "leaf_creds" {
  description = "Per site, the content of the leaf user's .creds file, for the site's credentials_file (mode 0600)."
  value       = { for name, u in nats_user.leaf : name => u.creds }
  sensitive   = true
}

output "account" {
  description = "Public key of the hub account that holds the sites' links and the hub's copies."
  value       = nats_account.edge.public_key
}

output "mirrors" {
  description = "Per mirrored site, the hub's copy: its name, and whether its source answered at the last refresh."
  value = { for name, m in nats_kv_mirror.site : name => {
    name             = m.name
    source_reachable = m.source_reachable
  } }
}

output "conformance" {
  description = "Per site, the summary of its end-to-end check."
  value       = { for name, s in nats_k3s_edge.site : name => s.conformance_report.summary }
}
