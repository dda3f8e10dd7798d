// Command terraform-provider-nats is the Terraform provider for NATS-backed
// k3s infrastructure.
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

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

	var opts []tf6server.ServeOpt
	if debugMode {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve("registry.terraform.io/natsk3s/nats", provider.NewServer(version, pool), opts...)
	if err != nil {
		log.Fatal(err)
	}
}
