package conformance

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// TestNoFilesLeftBehind runs checks of every kind that writes files (creds
// content, TLS material as PEM) on every path a run can end by: passing,
// failing, cut by its timeout, cancelled by the caller, and a panic out of a
// step. After each, the temp dir holds nothing. It is not parallel: it owns
// TMPDIR while it runs.
func TestNoFilesLeftBehind(t *testing.T) {
	// The TLS server keeps its own files: start it before TMPDIR is ours.
	tlsServer, m := testnats.StartTLS(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	assertEmpty := func(t *testing.T) {
		t.Helper()
		entries, err := os.ReadDir(tmp)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			t.Errorf("left behind in the temp dir: %s", filepath.Join(tmp, e.Name()))
		}
	}
	acct, err := operator.CreateAccount(bg(), "files-"+newRunID()[:6])
	if err != nil {
		t.Fatal(err)
	}
	credsOpt, err := testnats.CredsOption(acct.Creds)
	if err != nil {
		t.Fatal(err)
	}
	withCreds := func(bucket string) (*nats.Conn, Target) {
		nc := connect(t, operator.Servers[0].URL, credsOpt)
		target := endpointFor(operator.URLs(), bucket, 0)
		target.Endpoint.CredsFile = "/etc/rancher/k3s/nats.creds" // lives on the k3s hosts
		target.Creds = acct.Creds
		return nc, target
	}
	// afterEndpoint returns an OnStep that calls f once the endpoint step,
	// which writes the files, has run.
	afterEndpoint := func(f func()) func(Step) {
		return func(s Step) {
			if s.Name == StepEndpoint {
				f()
			}
		}
	}

	t.Run("pass with creds", func(t *testing.T) {
		nc, target := withCreds(uniq("files-pass"))
		mustPass(t, Run(bg(), nc, target, Options{}))
		assertEmpty(t)
	})
	t.Run("fail with creds", func(t *testing.T) {
		nc, target := withCreds(uniq("files-fail"))
		createBucket(t, nc, jetstream.KeyValueConfig{Bucket: target.Endpoint.Bucket, Description: k3s.KineDescription, History: 5})
		mustFailAt(t, Run(bg(), nc, target, Options{}), StepBucketConfig)
		assertEmpty(t)
	})
	t.Run("timeout with creds", func(t *testing.T) {
		nc, target := withCreds(uniq("files-timeout"))
		// The steps after the endpoint find the check's time used up.
		r := Run(bg(), nc, target, Options{Timeout: 2 * time.Second, OnStep: afterEndpoint(func() { time.Sleep(2 * time.Second) })})
		if r.Passed {
			t.Fatal("check passed after its timeout")
		}
		assertEmpty(t)
	})
	t.Run("cancelled with creds", func(t *testing.T) {
		nc, target := withCreds(uniq("files-cancel"))
		ctx, cancel := context.WithCancel(bg())
		defer cancel()
		r := Run(ctx, nc, target, Options{OnStep: afterEndpoint(cancel)})
		if r.Passed {
			t.Fatal("check passed after being cancelled")
		}
		assertEmpty(t)
	})
	t.Run("panic with creds", func(t *testing.T) {
		nc, target := withCreds(uniq("files-panic"))
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic did not reach the caller")
				}
			}()
			Run(bg(), nc, target, Options{OnStep: afterEndpoint(func() { panic("boom") })})
		}()
		assertEmpty(t)
	})
	t.Run("twin with creds", func(t *testing.T) {
		nc, target := withCreds(uniq("files-twin"))
		createBucket(t, nc, jetstream.KeyValueConfig{Bucket: target.Endpoint.Bucket, Description: k3s.KineDescription, History: 3})
		target.Endpoint.CredsFile = ""
		r := RunTwin(bg(), nc, nil, target.Endpoint.Bucket, target, Options{})
		mustPass(t, r)
		assertEmpty(t)
	})
	t.Run("tls pem", func(t *testing.T) {
		s := tlsServer
		nc := connect(t, s.URL, nats.RootCAs(m.CAFile), nats.ClientCert(m.ClientCertFile, m.ClientKeyFile))
		target := endpointFor([]string{s.URL}, uniq("files-tls"), 0)
		target.TLS = TLS{CA: m.CAPEM, Cert: m.ClientCertPEM, Key: m.ClientKeyPEM}
		mustPass(t, Run(bg(), nc, target, Options{}))
		// And failing: KINE's TLS files written, the bucket refused.
		createBucket(t, nc, jetstream.KeyValueConfig{Bucket: "files-tls-bad", History: 3})
		target.Endpoint.Bucket = "files-tls-bad"
		mustFailAt(t, Run(bg(), nc, target, Options{}), StepBucketConfig)
		assertEmpty(t)
	})
}
