package testnats

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Regions are two regions of one NATS system: a hub and a leaf node, each
// its own JetStream domain (HubDomain, LeafDomain), that a test can stop
// and bring back, as a region is lost and returns. Unlike HubLeaf, every
// server keeps its client and leaf node ports and its store across Stop
// and Restart, so clients and the leaf link reconnect by themselves.
//
// Tests that stop servers start Regions of their own; nothing else may use
// them meanwhile.
type Regions struct {
	Hub, Leaf *Server
}

// linkWait bounds waiting for the leaf node link to come up.
const linkWait = 30 * time.Second

// StartRegions starts the hub, then the leaf connected to it, and waits
// until the leaf link is up.
func StartRegions() (*Regions, error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	client, leafListen, leafClient := ports[0], ports[1], ports[2]
	hub, err := Start(Config{Name: fmt.Sprintf("hub-%d", client), Domain: HubDomain, Port: client,
		Extra: fmt.Sprintf("leafnodes { listen: \"127.0.0.1:%d\" }\n", leafListen)})
	if err != nil {
		return nil, fmt.Errorf("start hub: %w", err)
	}
	leaf, err := Start(Config{Name: fmt.Sprintf("leaf-%d", leafClient), Domain: LeafDomain, Port: leafClient,
		// A returning hub is found again within a second.
		Extra: fmt.Sprintf("leafnodes { reconnect: 1, remotes: [ { url: \"nats-leaf://127.0.0.1:%d\" } ] }\n", leafListen)})
	if err != nil {
		hub.Shutdown()
		return nil, fmt.Errorf("start leaf: %w", err)
	}
	r := &Regions{Hub: hub, Leaf: leaf}
	ctx, cancel := context.WithTimeout(context.Background(), linkWait)
	defer cancel()
	if err := r.WaitLinked(ctx); err != nil {
		r.Shutdown()
		return nil, err
	}
	return r, nil
}

// StopHub loses the hub region: its server shuts down, keeping its store.
func (r *Regions) StopHub() { r.Hub.Stop() }

// RestartHub brings the hub back on the same ports and store, and waits
// until the leaf has connected to it again and the hub's JetStream answers
// through the leaf.
func (r *Regions) RestartHub(ctx context.Context) error {
	if err := r.Hub.Restart(); err != nil {
		return fmt.Errorf("restart hub: %w", err)
	}
	if err := r.WaitLinked(ctx); err != nil {
		return err
	}
	return waitJetStream(ctx, r.Leaf.URL, HubDomain)
}

// waitJetStream waits until the JetStream of domain ("" for the
// server's own) answers a request made at url with opts. The leaf link of a
// restarted server comes up before its JetStream API is heard across it (a
// test saw "no responders" then), and servers acknowledge an account push
// before they enable JetStream for the account (10039).
func waitJetStream(ctx context.Context, url, domain string, opts ...nats.Option) error {
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if domain != "" {
		js, err = jetstream.NewWithDomain(nc, domain)
	}
	if err != nil {
		return err
	}
	for {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := js.AccountInfo(rctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("JetStream (domain %q) does not answer at %s: %w (%w)", domain, url, err, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// WaitLinked waits until hub and leaf both see the leaf node link.
func (r *Regions) WaitLinked(ctx context.Context) error {
	return waitLinked(ctx, r.Hub, r.Leaf)
}

// Shutdown stops both servers and removes their stores.
func (r *Regions) Shutdown() {
	r.Leaf.Shutdown()
	r.Hub.Shutdown()
}

func waitLinked(ctx context.Context, hub, leaf *Server) error {
	for hub.NumLeafNodes() == 0 || leaf.NumLeafNodes() == 0 {
		select {
		case <-ctx.Done():
			return fmt.Errorf("leaf node %s did not connect to hub %s: %w", leaf.Name(), hub.Name(), ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}
