// Command terraform-provider-nats is the Terraform provider for NATS-backed
// k3s infrastructure.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
	"github.com/natsk3s/terraform-provider-nats/internal/pluginproc"
	"github.com/natsk3s/terraform-provider-nats/internal/provider"
)

// version is stamped at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	pluginproc.Prepare("nats")

	pool := natsconn.NewPool()
	defer pool.Close()

	err := providerserver.Serve(context.Background(), provider.New(version, pool), providerserver.ServeOpts{
		Address:         "registry.terraform.io/natsk3s/nats",
		Debug:           debugMode,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
