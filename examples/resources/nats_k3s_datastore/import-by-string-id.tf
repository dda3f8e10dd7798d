# Adopt the bucket KINE made by itself when k3s first started (KINE's default
# bucket is "kine"). The ID is the bucket name, or "<jetstream_domain>/<bucket>".
# Nothing on the server changes; the next apply runs the KINE check and gives
# the exact endpoint for k3s.
import {
  to = nats_k3s_datastore.adopted
  id = "kine"
}

resource "nats_k3s_datastore" "adopted" {
  bucket = "kine"
}
