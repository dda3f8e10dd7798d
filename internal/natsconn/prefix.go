package natsconn

import (
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// JetStreamPrefix returns the JetStream context for another account's
// JetStream API, which this account imports under prefix (such as
// "JS.source.API"), made once per prefix.
func (c *Conn) JetStreamPrefix(prefix string) (jetstream.JetStream, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Domains cannot hold spaces, so the key cannot collide with one.
	key := "api prefix " + prefix
	if js, ok := c.js[key]; ok {
		return js, nil
	}
	js, err := jetstream.NewWithAPIPrefix(c.NC, prefix, jetstream.WithDefaultTimeout(c.timeout()))
	if err != nil {
		return nil, fmt.Errorf("jetstream context for API prefix %q: %w", prefix, err)
	}
	c.js[key] = js
	return js, nil
}
