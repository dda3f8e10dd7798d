// Package release holds the test of the release build (.goreleaser.yaml):
// a snapshot for this platform, checked file by file against what the
// Terraform registry expects, installed from a filesystem mirror by
// `terraform init` with no dev_overrides, and applied against an in-process
// nats-server, as a user behind a firewall would. It has no code of its own.
package release
