package testnats

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// Cluster is a JetStream cluster of in-process servers.
type Cluster struct {
	Servers []*Server
}

// StartCluster starts n clustered JetStream servers and waits until the
// JetStream meta group has a leader and sees every peer. extra is added to
// every server's configuration.
func StartCluster(n int, extra string) (*Cluster, error) {
	return startCluster(n, "", func(string) string { return extra })
}

// startCluster starts n routed servers in JetStream domain (none when
// empty); body gives each server's own extra configuration from its store
// directory. n == 1 starts a lone server.
//
// JetStream needs every clustered server to have its routes configured, so
// route ports are reserved up front. Another test package starting servers
// at the same moment can take a reserved port before our server binds it:
// then the whole cluster starts again on fresh ports.
func startCluster(n int, domain string, body func(dir string) string) (*Cluster, error) {
	var err error
	for range 3 {
		var c *Cluster
		if c, err = startClusterOnce(n, domain, body); err == nil {
			return c, nil
		}
	}
	return nil, err
}

func startClusterOnce(n int, domain string, body func(dir string) string) (*Cluster, error) {
	ports, err := freePorts(n)
	if err != nil {
		return nil, err
	}
	var routes []string
	for _, p := range ports {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	name := fmt.Sprintf("c%d", ports[0])
	c := &Cluster{}
	for i, p := range ports {
		dir, err := os.MkdirTemp("", "testnats-")
		if err != nil {
			c.Shutdown()
			return nil, fmt.Errorf("make store dir: %w", err)
		}
		conf := body(dir)
		if n > 1 {
			conf += fmt.Sprintf("cluster {\n  name: %q\n  listen: \"127.0.0.1:%d\"\n  routes: [%s]\n}\n", name, p, strings.Join(routes, ", "))
		}
		s, err := startIn(dir, Config{Name: fmt.Sprintf("%s-%d", name, i+1), Domain: domain}, conf)
		if err != nil {
			os.RemoveAll(dir)
			c.Shutdown()
			return nil, fmt.Errorf("start server %d of %d: %w", i+1, n, err)
		}
		c.Servers = append(c.Servers, s)
	}
	if n == 1 {
		return c, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		c.Shutdown()
		return nil, err
	}
	return c, nil
}

// URLs lists the client URLs of every server.
func (c *Cluster) URLs() []string {
	var urls []string
	for _, s := range c.Servers {
		urls = append(urls, s.URL)
	}
	return urls
}

// WaitReady waits until the JetStream meta group has a leader and every
// server knows all its peers.
func (c *Cluster) WaitReady(ctx context.Context) error {
	for {
		leaders, peers, current := 0, 0, 0
		for _, s := range c.Servers {
			if !s.Running() {
				continue
			}
			if s.JetStreamIsLeader() {
				leaders++
				peers = len(s.JetStreamClusterPeers())
			}
			if s.JetStreamIsCurrent() {
				current++
			}
		}
		if leaders == 1 && peers == len(c.Servers) && current == len(c.Servers) {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.New("jetstream cluster did not elect a meta leader in time")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Shutdown stops every server and removes their stores.
func (c *Cluster) Shutdown() {
	for _, s := range c.Servers {
		s.Shutdown()
	}
}

// HubLeaf is a hub server and a leaf node server, each with its own
// JetStream domain, joined by a leaf node connection.
type HubLeaf struct {
	Hub, Leaf *Server
}

// Domain names used by StartHubLeaf.
const (
	HubDomain  = "hub"
	LeafDomain = "leaf"
)

// StartHubLeaf starts a hub in JetStream domain "hub" and a leaf node in
// domain "leaf", and waits until the leaf connection is up.
func StartHubLeaf() (*HubLeaf, error) {
	hub, err := Start(Config{Name: "hub", Domain: HubDomain, Extra: "leafnodes { listen: \"127.0.0.1:-1\" }\n"})
	if err != nil {
		return nil, fmt.Errorf("start hub: %w", err)
	}
	v, err := hub.Varz(nil)
	if err != nil {
		hub.Shutdown()
		return nil, fmt.Errorf("leaf node port of the hub: %w", err)
	}
	leaf, err := Start(Config{Name: "leaf", Domain: LeafDomain,
		Extra: fmt.Sprintf("leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:%d\" } ] }\n", v.LeafNode.Port)})
	if err != nil {
		hub.Shutdown()
		return nil, fmt.Errorf("start leaf: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), linkWait)
	defer cancel()
	if err := waitLinked(ctx, hub, leaf); err != nil {
		hub.Shutdown()
		leaf.Shutdown()
		return nil, err
	}
	return &HubLeaf{Hub: hub, Leaf: leaf}, nil
}

// Shutdown stops both servers and removes their stores.
func (h *HubLeaf) Shutdown() {
	h.Leaf.Shutdown()
	h.Hub.Shutdown()
}

// freePorts reserves n loopback ports and releases them for a server to take.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("reserve a loopback port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
