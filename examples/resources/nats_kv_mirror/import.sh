# A mirror in the provider's JetStream domain, by bucket name.
terraform import nats_kv_mirror.prod k3s-prod

# In another JetStream domain: <domain>/<name>.
terraform import nats_kv_mirror.prod eu-central/k3s-prod
