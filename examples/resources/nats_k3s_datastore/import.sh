# A datastore bucket in the provider's JetStream domain, by bucket name.
terraform import nats_k3s_datastore.prod k3s-prod

# In another JetStream domain: <domain>/<bucket>.
terraform import nats_k3s_datastore.prod eu-west/k3s-prod
