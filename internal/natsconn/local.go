package natsconn

import (
	"fmt"

	"github.com/nats-io/nats.go"
)

// Local connects in-process to a server the provider itself runs (the one
// an edge site's check starts), without a network listener. Such a
// connection is not pooled: it lives as long as that server, and the
// caller closes it.
func Local(srv nats.InProcessConnProvider, name string) (*nats.Conn, error) {
	nc, err := nats.Connect("", nats.InProcessServer(srv), nats.Name(name),
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	if err != nil {
		return nil, fmt.Errorf("connect in-process to %s: %w", name, err)
	}
	return nc, nil
}
