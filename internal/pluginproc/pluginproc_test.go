package pluginproc

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestQuietSDKLogs(t *testing.T) {
	for _, tc := range []struct {
		name, env, value string
		quiet            bool
	}{
		{name: "nothing asked", quiet: true},
		{name: "TF_LOG", env: "TF_LOG", value: "trace"},
		{name: "this provider's logs", env: "TF_LOG_PROVIDER_NATS", value: "debug"},
		{name: "another provider's logs", env: "TF_LOG_PROVIDER_AWS", value: "debug", quiet: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_NATS", "TF_LOG_PROVIDER_AWS", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
				t.Setenv(v, "")
			}
			if tc.env != "" {
				t.Setenv(tc.env, tc.value)
			}
			quietSDKLogs("nats")
			if got := os.Getenv("TF_LOG_SDK_PROTO") == "off"; got != tc.quiet {
				t.Errorf("SDK logs off = %v, want %v", got, tc.quiet)
			}
		})
	}
}

func TestLessGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)

	t.Setenv("GOGC", "")
	lessGC()
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("GC percent = %d, want %d", got, GCPercent)
	}
	t.Setenv("GOGC", "50")
	lessGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, GC percent = %d, want it left alone", got)
	}
}

func TestMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)

	t.Setenv("GOMEMLIMIT", "")
	lessGC()
	if got := debug.SetMemoryLimit(-1); got != MemoryLimit {
		t.Errorf("memory limit = %d, want %d", got, MemoryLimit)
	}
	debug.SetMemoryLimit(1 << 40)
	t.Setenv("GOMEMLIMIT", "1GiB")
	lessGC()
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("with GOMEMLIMIT set, memory limit = %d, want it left alone", got)
	}
}
