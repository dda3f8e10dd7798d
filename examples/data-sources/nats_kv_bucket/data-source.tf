data "nats_kv_bucket" "kine" {
  name = "kine"
}

output "kine_revision" {
  value = data.nats_kv_bucket.kine.status.last_sequence
}

output "kine_leader" {
  value = data.nats_kv_bucket.kine.status.leader
}
