//go:build tools

// Tools and libraries the build needs before any code imports them, pinned
// in go.mod through this file.
package main

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
	_ "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	_ "github.com/k3s-io/kine/pkg/drivers/nats"
	_ "github.com/k3s-io/kine/pkg/server"
	_ "go.etcd.io/etcd/client/v3"
	_ "go.uber.org/goleak"
)
