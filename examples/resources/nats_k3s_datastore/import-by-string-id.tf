# Adopt the bucket KINE made by itself when k3s first started (KINE's default
# bucket is "kine"). The ID is the bucket name, or "<jetstream_domain>/<bucket>".
# Nothing on the server changes and the plan after the import is empty; the
# endpoint and k3s_config outputs then give k3s the exact endpoint.
import {
  to = nats_k3s_datastore.adopted
  id = "kine"
}

resource "nats_k3s_datastore" "adopted" {
  bucket = "kine"
  # KINE's defaults. If k3s' endpoint carries replicas or revHistory, set the
  # same values here: KINE refuses a bucket that differs from its endpoint.
  # replicas    = 1
  # rev_history = 10

  # Servers that require a login (operator mode) need the endpoint to name
  # the KINE user's creds on the k3s hosts. Set it after the import (the
  # import cannot know that path); the apply then checks the endpoint with
  # the resource's credentials standing in for the file.
  # creds_file = "/etc/rancher/k3s/nats.creds"
}
