output "accounts" {
  description = "Per cluster, the public key of its account."
  value       = { for name, c in local.clusters : name => c.account }
}

output "active_region" {
  description = "Per cluster, the JetStream domain k3s runs in now: its home region's, or the other's after failover."
  value       = { for name, c in var.clusters : name => local.domain[contains(var.failover, name) ? local.other[c.region] : c.region] }

  # Checks that compare variables live here: variable validations may refer
  # to other variables only from Terraform 1.9. A failing one fails the plan.
  # This output depends on no module, so they are checked even when a
  # module refuses the same inputs.
  precondition {
    condition     = var.region_b_domain != var.region_a_domain
    error_message = "region_b_domain must differ from region_a_domain: each region is its own JetStream domain."
  }
  precondition {
    condition     = alltrue([for name in var.failover : contains(keys(var.clusters), name)])
    error_message = "failover may name only clusters of var.clusters."
  }
  precondition {
    condition     = var.mirroring || length(var.failover) == 0
    error_message = "failover needs mirroring = true: only a mirror can be promoted."
  }
}

output "datastore_endpoints" {
  description = "Per cluster, the --datastore-endpoint for k3s now (in active_region). It names the creds file, not its content."
  value       = { for name, c in local.clusters : name => c.active_endpoint }
}

output "k3s_config" {
  description = "Per cluster, the lines for /etc/rancher/k3s/config.yaml on the k3s servers of active_region."
  value       = { for name, c in local.clusters : name => coalesce(c.standby_k3s_config, c.k3s_config) }
  sensitive   = true
}

output "kine_creds" {
  description = "Per cluster, the content of the KINE user's .creds file (k3s_creds_path on every k3s server, both regions)."
  value       = { for name, c in local.clusters : name => c.kine_creds }
  sensitive   = true
}

output "region_link_creds" {
  description = "Per cluster, the content of its account's region link .creds file: <region_link_creds_dir>/<cluster>.creds on region B's servers."
  value       = { for name, c in local.clusters : name => c.region_link_creds }
  sensitive   = true
}

output "region_b_leaf_remotes" {
  description = "The leafnodes block for region B's servers: one remote per cluster account to region A (next to the system account's remote), each authenticating with its region link creds. Apply it (reload the servers) before the first apply with mirroring."
  value = join("\n", concat(["leafnodes {", "  remotes: ["], [for name, c in local.clusters :
    format("    { urls: [%s], account: %q, credentials: %q }", join(", ", formatlist("%q", var.region_a_leaf_urls)), c.account, "${var.region_link_creds_dir}/${name}.creds")
  ], ["  ]", "}"]))
}

output "mirrors" {
  description = "Per cluster, its mirror in the other region (name, jetstream_domain, history, promote, source_reachable, source_sealed); null without mirroring."
  value       = { for name, c in local.clusters : name => c.mirror }
}

output "conformance" {
  description = "Per cluster, the KINE conformance reports of this apply: datastore, kine_user, mirror and standby (null when absent), each with passed, summary, duration and steps."
  value       = { for name, c in local.clusters : name => c.conformance }
}
