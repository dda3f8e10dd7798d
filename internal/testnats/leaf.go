package testnats

import "fmt"

// LeafListener is a leafnodes block for a hub: leaf nodes connect on a
// random loopback port, over TLS when m is set, then presenting a client
// certificate signed by m's CA.
func LeafListener(m *TLSMaterial) string {
	if m == nil {
		return "leafnodes {\n  listen: \"127.0.0.1:-1\"\n}\n"
	}
	return fmt.Sprintf("leafnodes {\n  listen: \"127.0.0.1:-1\"\n  tls {\n    cert_file: %q\n    key_file: %q\n    ca_file: %q\n    verify: true\n  }\n}\n",
		m.ServerCertFile, m.ServerKeyFile, m.CAFile)
}

// LeafURL is where leaf nodes dial s: nats-leaf://127.0.0.1:<port>, or
// tls:// when its leafnodes listener has TLS.
func (s *Server) LeafURL() (string, error) {
	v, err := s.Varz(nil)
	if err != nil {
		return "", fmt.Errorf("leaf node port of %s: %w", s.Name(), err)
	}
	if v.LeafNode.Port == 0 {
		return "", fmt.Errorf("%s has no leafnodes listener", s.Name())
	}
	scheme := "nats-leaf"
	if v.LeafNode.TLSRequired {
		scheme = "tls"
	}
	return fmt.Sprintf("%s://127.0.0.1:%d", scheme, v.LeafNode.Port), nil
}

// LeafURLs are the leaf node URLs of every server of c.
func (c *Cluster) LeafURLs() ([]string, error) {
	var urls []string
	for _, s := range c.Servers {
		u, err := s.LeafURL()
		if err != nil {
			return nil, err
		}
		urls = append(urls, u)
	}
	return urls, nil
}
