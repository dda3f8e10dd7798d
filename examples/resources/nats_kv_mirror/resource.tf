# The k3s cluster "prod" keeps its state in the eu-west region (JetStream
# domain "eu-west"). This configuration belongs to the standby region, and
# its provider connects to the standby region's servers: when eu-west is
# lost, it still works.

# A copy of prod's datastore, kept current across the leaf node link. In
# another domain it keeps the source's name; history and description are
# copied, so once promoted it is exactly the bucket KINE creates.
resource "nats_kv_mirror" "prod" {
  name = "k3s-prod"
  source = {
    bucket = "k3s-prod"
    domain = "eu-west"
  }
  replicas = 3

  # Failover: set true and apply, in this region alone. While eu-west
  # answers, the source is sealed first and the mirror takes its last write.
  promote = false

  # deletion_protection defaults to true: once promoted, this bucket may
  # hold the cluster's only copy.
}

# After promotion: the datastore k3s starts on in this region. It adopts the
# promoted bucket and gives the exact --datastore-endpoint.
resource "nats_k3s_datastore" "prod" {
  count       = nats_kv_mirror.prod.promote ? 1 : 0
  bucket      = nats_kv_mirror.prod.name
  replicas    = nats_kv_mirror.prod.replicas
  rev_history = nats_kv_mirror.prod.history
}
