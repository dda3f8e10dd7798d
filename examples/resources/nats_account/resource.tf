# One account per k3s cluster, isolated from the others, with room for its
# datastore bucket on three replicas.
resource "nats_account" "k3s_prod" {
  name = "k3s-prod"

  jetstream_tiers = {
    R3 = {
      disk_storage   = 10737418240 # 10 GiB
      memory_storage = 0
      streams        = 10
      consumers      = 100
    }
  }

  limits = {
    connections = 100
    payload     = 8388608 # Kubernetes objects reach 1.5 MiB
  }

  purge_jetstream_on_destroy = true
}
