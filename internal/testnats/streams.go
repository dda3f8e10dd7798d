package testnats

import (
	"context"
	"testing"
	"time"
)

// Streams lists the streams of the account creds log in to on url, each
// with its number of consumers: what a test compares before and after to
// show that nothing was left in an account.
func Streams(tb testing.TB, url string, creds []byte) map[string]int {
	tb.Helper()
	js := JetStream(tb, url, creds, "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := map[string]int{}
	l := js.ListStreams(ctx)
	for info := range l.Info() {
		out[info.Config.Name] = info.State.Consumers
	}
	if err := l.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
