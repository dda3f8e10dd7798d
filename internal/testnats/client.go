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
	return inDomain(tb, connect(tb, url, opts...), domain)
}

// JetStreamAs is JetStream for a user that logs in with opt, such as
// AccountUser.
func JetStreamAs(tb testing.TB, url string, opt nats.Option, domain string) jetstream.JetStream {
	tb.Helper()
	return inDomain(tb, connect(tb, url, opt), domain)
}

// JetStreamPrefix is a JetStream context for another account's JetStream,
// imported under prefix, for a user that logs in with opt.
func JetStreamPrefix(tb testing.TB, url string, opt nats.Option, prefix string) jetstream.JetStream {
	tb.Helper()
	js, err := jetstream.NewWithAPIPrefix(connect(tb, url, opt), prefix)
	if err != nil {
		tb.Fatal(err)
	}
	return js
}

// connect dials url for one test and closes the connection after it.
func connect(tb testing.TB, url string, opts ...nats.Option) *nats.Conn {
	tb.Helper()
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		tb.Fatalf("connect %s: %v", url, err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

func inDomain(tb testing.TB, nc *nats.Conn, domain string) jetstream.JetStream {
	tb.Helper()
	js, err := jetstream.New(nc)
	if domain != "" {
		js, err = jetstream.NewWithDomain(nc, domain)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return js
}
