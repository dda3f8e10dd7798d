terraform {
  # The tests under tests/ need `terraform test` (1.7 or newer).
  required_version = ">= 1.5"
  required_providers {
    nats = {
      source = "natsk3s/nats"
      # nats: the cluster's own region. nats.peer: the region its datastore
      # is mirrored into (pass nats again when there is no mirror).
      configuration_aliases = [nats.peer]
    }
  }
}
