# How the standby copy of prod's datastore is doing, and what promoting it
# would give k3s.
data "nats_kv_mirror" "prod" {
  name = "k3s-prod"
}

output "lag" {
  # Messages (KINE revisions) the mirror does not have yet, and the span of
  # writes they cover.
  value = "${data.nats_kv_mirror.prod.lag} revisions, ${data.nats_kv_mirror.prod.lag_time}"
}

output "ready_for_failover" {
  value = data.nats_kv_mirror.prod.kine_accepts && data.nats_kv_mirror.prod.lag == 0
}

output "endpoint_after_promotion" {
  value = data.nats_kv_mirror.prod.kine_endpoint
}
