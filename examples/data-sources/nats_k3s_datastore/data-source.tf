# KINE's view of a datastore bucket: objects, revisions, and whether KINE
# would accept it with these endpoint parameters.
data "nats_k3s_datastore" "prod" {
  bucket      = "k3s-prod"
  replicas    = 3
  rev_history = 10
}

output "objects" {
  value = data.nats_k3s_datastore.prod.live_keys
}

output "kine_would_accept" {
  value = data.nats_k3s_datastore.prod.accepted
}
