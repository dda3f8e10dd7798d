# Build a --datastore-endpoint without managing the bucket.
output "endpoint" {
  value = provider::nats::datastore_endpoint({
    servers    = ["nats-1:4222", "nats-2:4222"]
    bucket     = "k3s-dev"
    replicas   = 3
    creds_file = "/etc/rancher/k3s/nats.creds"
    no_embed   = true
  })
}

# KINE's embedded NATS server (k3s' own KINE), started from a configuration
# file and reached in-process: no servers.
output "embedded_endpoint" {
  value = provider::nats::datastore_endpoint({
    server_config = "/etc/rancher/k3s/nats/server.conf"
    bucket        = "kine"
    dont_listen   = true
  })
}
