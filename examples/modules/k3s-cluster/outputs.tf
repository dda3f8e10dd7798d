output "account" {
  description = "Public key of the cluster's account."
  value       = local.account
}

output "bucket" {
  description = "Name of the datastore bucket (and of its mirror)."
  value       = nats_k3s_datastore.this.bucket
}

output "datastore_endpoint" {
  description = "The value of k3s server --datastore-endpoint in the cluster's region. It names the creds file, not its content, so it is no secret."
  value       = nats_k3s_datastore.this.endpoint_redacted
}

output "k3s_config" {
  description = "Lines for /etc/rancher/k3s/config.yaml on every k3s server in the cluster's region (datastore-endpoint)."
  value       = nats_k3s_datastore.this.k3s_config
  sensitive   = true
}

output "kine_creds" {
  description = "Content of the KINE user's .creds file, to be written to creds_file on every k3s server (mode 0600). It works in both regions: the mirror keeps the bucket's name."
  value       = nats_user.kine.creds
  sensitive   = true
}

output "admin_creds" {
  description = "Content of the admin user's .creds file: what Terraform manages the bucket as. Keep it for break-glass work with the nats CLI."
  value       = nats_user.admin.creds
  sensitive   = true
}

output "region_link_creds" {
  description = "Content of the .creds file of the account's leaf node user (region_link), for the leaf remote that carries the account between regions. Null without region_link."
  value       = var.region_link == null ? null : nats_user.region_link[0].creds
  sensitive   = true
}

output "mirror" {
  description = "The mirror in the peer region: name, jetstream_domain, replicas, history (the endpoint's revHistory once promoted), promote, source_reachable and source_sealed as last seen. Null without mirror."
  value = var.mirror == null ? null : {
    name             = nats_kv_mirror.peer[0].name
    jetstream_domain = nats_kv_mirror.peer[0].jetstream_domain
    replicas         = nats_kv_mirror.peer[0].replicas
    history          = nats_kv_mirror.peer[0].history
    promote          = nats_kv_mirror.peer[0].promote
    source_reachable = nats_kv_mirror.peer[0].source_reachable
    source_sealed    = nats_kv_mirror.peer[0].source_sealed
  }
}

output "standby_endpoint" {
  description = "After promotion, the value of k3s server --datastore-endpoint in the peer region (the promoted bucket). Null before."
  value       = local.promoted ? nats_k3s_datastore.standby[0].endpoint_redacted : null
}

output "standby_k3s_config" {
  description = "After promotion, the lines for /etc/rancher/k3s/config.yaml on every k3s server in the peer region. Null before."
  value       = local.promoted ? nats_k3s_datastore.standby[0].k3s_config : null
  sensitive   = true
}

output "active_endpoint" {
  description = "The endpoint k3s should use now: standby_endpoint once the mirror is promoted, else datastore_endpoint."
  value       = local.promoted ? nats_k3s_datastore.standby[0].endpoint_redacted : nats_k3s_datastore.this.endpoint_redacted
}

output "conformance" {
  description = "The KINE conformance reports of this apply, by what was checked: datastore (the bucket, as the admin user), kine_user (the KINE user's permissions), mirror and standby (null when absent). Each has passed, summary, duration and steps (name, ok, skipped, duration, detail)."
  value = {
    datastore = nats_k3s_datastore.this.conformance_report
    kine_user = nats_user.kine.conformance_report
    mirror    = var.mirror == null ? null : nats_kv_mirror.peer[0].conformance_report
    standby   = local.promoted ? nats_k3s_datastore.standby[0].conformance_report : null
  }
}
