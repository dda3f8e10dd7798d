package edge

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// EmbeddedOptions are the options KINE's embedded server runs with, made
// the way KINE v0.17 makes them (pkg/drivers/nats/server, built with the
// nats tag, which k3s is and this provider is not): the configuration file
// parsed by nats-server's own parser, JetStream forced on, signals left to
// KINE, dontListen from the endpoint, host and port from the endpoint's URL
// (a random port when it has none: the file's listen port never counts),
// and dataDir over the file's store_dir.
func EmbeddedOptions(configFile string, e k3s.Endpoint) (*server.Options, error) {
	opts := &server.Options{}
	if configFile != "" {
		var err error
		if opts, err = server.ProcessConfigFile(configFile); err != nil {
			return nil, fmt.Errorf("nats-server configuration: %w", err)
		}
	}
	opts.JetStream = true
	opts.NoSigs = true
	opts.DontListen = e.DontListen
	host, port, err := listenAddress(e)
	if err != nil {
		return nil, err
	}
	if host != "" {
		opts.Host = host
	}
	opts.Port = -1
	if port != 0 {
		opts.Port = port
	}
	if e.DataDir != "" {
		opts.StoreDir = e.DataDir
	}
	return opts, nil
}

// listenAddress is the host and port KINE reads from the endpoint's first
// URL (url.URL's Hostname and Port).
func listenAddress(e k3s.Endpoint) (string, int, error) {
	if len(e.Servers) == 0 {
		return "", 0, nil
	}
	hp := strings.TrimPrefix(e.Servers[0], "nats://")
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		return strings.Trim(hp, "[]"), 0, nil // no port
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return "", 0, fmt.Errorf("endpoint listen address %q: bad port", hp)
	}
	return host, n, nil
}
