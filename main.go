// Command terraform-provider-nats is the Terraform provider for NATS-backed
// k3s infrastructure.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
	"github.com/natsk3s/terraform-provider-nats/internal/provider"
)

// version is stamped at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	quietSDKLogs()
	lessGC()

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

// quietSDKLogs turns the plugin SDK's own logging off when nobody asked for
// logs. Left alone, the SDK logs every request at TRACE even with TF_LOG
// unset: the provider encodes each line and terraform decodes and drops it,
// a quarter of a large apply's time. Terraform passes its environment to
// the provider, so TF_LOG=trace still gets everything.
func quietSDKLogs() {
	for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_NATS", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if os.Getenv(v) != "" {
			return
		}
	}
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		os.Setenv(v, "off")
	}
}

// lessGC lets the heap grow to five times the live data between collections
// instead of twice. A provider process lives for one terraform command and
// keeps little: almost everything it allocates is the framework's per-request
// garbage, and collecting it at the default pace costs a tenth of a large
// plan's time. GOGC, when set, still decides.
func lessGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
