# A bucket in the provider's JetStream domain, by name.
terraform import nats_kv_bucket.config app-config

# A bucket in another JetStream domain: <domain>/<name>.
terraform import nats_kv_bucket.config leaf/app-config
