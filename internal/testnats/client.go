package testnats

import (
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// JetStream connects a test to url (one URL or a comma-separated list), as
// creds when given, and returns a JetStream context bound to domain when set.
// The connection closes when the test ends.
func JetStream(tb testing.TB, url string, creds []byte, domain string) jetstream.JetStream {
	tb.Helper()
	var opts []nats.Option
	if creds != nil {
		opt, err := CredsOption(creds)
		if err != nil {
			tb.Fatal(err)
		}
		opts = append(opts, opt)
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		tb.Fatalf("connect %s: %v", url, err)
	}
	tb.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if domain != "" {
		js, err = jetstream.NewWithDomain(nc, domain)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return js
}
