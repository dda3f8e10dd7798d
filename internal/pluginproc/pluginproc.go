// Package pluginproc prepares a provider process. Terraform starts a fresh
// one for every command, and most of them serve a few requests and exit, so
// the defaults that suit long-running programs cost them time.
package pluginproc

import (
	"os"
	"runtime/debug"
	"strings"
)

// GCPercent is the garbage collector's pace in a provider process.
const GCPercent = 400

// MemoryLimit caps the heap that GCPercent lets grow: past it the
// collector runs as often as it must. Terraform sends the requests for
// every resource of a large configuration at once; without a cap, a
// thousand buckets grew the process to 360 MiB of mostly garbage.
const MemoryLimit = 100 << 20

// Prepare quiets the plugin SDK's logs unless someone asked for logs, and
// lets the heap grow further between collections unless GOGC is set.
// provider is the provider's type name, as in TF_LOG_PROVIDER_<NAME>.
func Prepare(provider string) {
	quietSDKLogs(provider)
	lessGC()
}

// quietSDKLogs turns the plugin SDK's own logging off when nobody asked for
// logs. Left alone, the SDK logs every request at TRACE even with TF_LOG
// unset: the provider encodes each line and terraform decodes and drops it,
// a quarter of a large apply's time. Terraform passes its environment to the
// provider, so TF_LOG=trace still gets everything.
func quietSDKLogs(provider string) {
	for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_" + strings.ToUpper(provider), "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
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
// keeps little: almost everything it allocates is the framework's
// per-request garbage, and collecting it at the default pace costs a tenth
// of a large plan's time. MemoryLimit keeps that from growing a large
// configuration's process without bound.
func lessGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
}
