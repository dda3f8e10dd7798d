# A new operator-mode NATS system, made offline: nothing needs to be running.
resource "nats_operator" "main" {
  name         = "acme"
  resolver_dir = "/data/nats/jwt" # where each server keeps account JWTs
}

# Give the fragment to every nats-server, for example saved as operator.conf
# next to the server configuration and pulled in with: include "operator.conf"
output "nats_server_operator_config" {
  value = nats_operator.main.server_config
}

# Once the servers run, a second provider configuration manages accounts with
# the outputs. It must be another configuration (here an alias) than the one
# that created the operator, which needs none.
provider "nats" {
  alias   = "acme"
  servers = ["nats://nats-1:4222", "nats://nats-2:4222", "nats://nats-3:4222"]

  operator {
    jwt               = nats_operator.main.jwt
    signing_seed      = nats_operator.main.signing_seed
    system_user_creds = nats_operator.main.system_user_creds
  }
}
