# Adopt a mirror that already exists. Its source is read from the mirror's
# stream; the first plan after the import is empty. The ID is the bucket
# name, or "<jetstream_domain>/<name>".
import {
  to = nats_kv_mirror.adopted
  id = "k3s-prod"
}

resource "nats_kv_mirror" "adopted" {
  name = "k3s-prod"
  source = {
    bucket = "k3s-prod"
    domain = "eu-west"
  }
}
