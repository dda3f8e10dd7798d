# By account public key. The signing seed cannot be read back from a server.
terraform import nats_account.k3s_prod ADQZ7Q2N6H6WJ3TMO5BNLFXBQZJ6GQRHX2Y7YV4IAK3C5ZDZQ2J6PEXA
