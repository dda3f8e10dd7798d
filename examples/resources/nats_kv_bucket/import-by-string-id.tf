# Adopt a bucket that already exists. Write its settings the way people write
# them ("1h", not the server's "1h0m0s"): the first plan after the import is
# empty. The ID is the bucket name, or "<jetstream_domain>/<name>".
import {
  to = nats_kv_bucket.sessions
  id = "sessions"
}

resource "nats_kv_bucket" "sessions" {
  name    = "sessions"
  history = 3
  ttl     = "1h"

  # An imported bucket starts protected: it holds data Terraform did not make.
  # Set false to let Terraform destroy it.
  deletion_protection = true
}
