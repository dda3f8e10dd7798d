package natsconn

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrClosed is returned by a pool that has been closed.
var ErrClosed = errors.New("connection pool is closed")

// Pool holds one connection per identity. The zero value is not usable: use
// NewPool. It is safe for concurrent use: Terraform calls resources in
// parallel.
type Pool struct {
	mu     sync.Mutex
	conns  map[string]*slot
	closed bool
	// writes counts stream and bucket writes through pooled JetStream
	// contexts: a stream listing loaded before the latest write is stale.
	writes atomic.Uint64
}

func (p *Pool) generation() uint64 { return p.writes.Load() }

func (p *Pool) written() { p.writes.Add(1) }

// slot is a connection being dialed or dialed; ready closes when it settles,
// so concurrent callers for one identity share one dial.
type slot struct {
	ready chan struct{}
	conn  *Conn
	err   error
}

// NewPool returns an empty pool.
func NewPool() *Pool {
	return &Pool{conns: map[string]*slot{}}
}

// Get returns the connection for id, dialing it on first use. A failed dial
// is not cached: the next call tries again.
func (p *Pool) Get(ctx context.Context, id Identity) (*Conn, error) {
	key := id.key()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	s, ok := p.conns[key]
	if ok {
		select {
		case <-s.ready:
			if s.conn != nil && s.conn.NC.IsClosed() {
				ok = false // gave up reconnecting: dial afresh
			}
		default: // still dialing: wait below
		}
	}
	if !ok {
		s = &slot{ready: make(chan struct{})}
		p.conns[key] = s
		p.mu.Unlock()
		// The dial serves every caller waiting for this identity, so it
		// must not end with the first caller's context: it is bounded by
		// the identity's timeout instead.
		go p.dial(key, s, id)
	} else {
		p.mu.Unlock()
	}
	select {
	case <-s.ready:
		return s.conn, s.err
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for connection to %s: %w", id.ServerList(), ctx.Err())
	}
}

// dial settles slot s; a failed dial is forgotten so the next Get retries.
func (p *Pool) dial(key string, s *slot, id Identity) {
	timeout := id.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout+time.Second)
	defer cancel()
	nc, err := dial(ctx, id)
	if err == nil {
		s.conn = &Conn{NC: nc, id: id, pool: p, js: map[string]jetstream.JetStream{}}
	}
	s.err = err
	close(s.ready)
	if err != nil {
		p.mu.Lock()
		if p.conns[key] == s {
			delete(p.conns, key)
		}
		p.mu.Unlock()
	}
}

// Close closes every connection. Later Gets fail with ErrClosed.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for k, s := range p.conns {
		select {
		case <-s.ready:
			if s.conn != nil {
				s.conn.NC.Close()
			}
		default:
			// Still dialing: the dialer owns it and sees the closed pool
			// only through its next Get; close it when it lands.
			go func(s *slot) {
				<-s.ready
				if s.conn != nil {
					s.conn.NC.Close()
				}
			}(s)
		}
		delete(p.conns, k)
	}
}

// Drop closes and forgets the connection of id, for identities that are
// used once (a user minted for a check).
func (p *Pool) Drop(id Identity) {
	key := id.key()
	p.mu.Lock()
	s, ok := p.conns[key]
	delete(p.conns, key)
	p.mu.Unlock()
	if !ok {
		return
	}
	<-s.ready
	if s.conn != nil {
		s.conn.NC.Close()
	}
}

// Len is the number of connections held, for tests and benchmarks.
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Conn is a pooled connection and its JetStream contexts.
type Conn struct {
	NC   *nats.Conn
	id   Identity
	pool *Pool

	mu    sync.Mutex
	js    map[string]jetstream.JetStream
	lists listings
}

// JetStream returns the JetStream context for domain ("" for the account's
// own), made once per domain.
func (c *Conn) JetStream(domain string) (jetstream.JetStream, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if js, ok := c.js[domain]; ok {
		return js, nil
	}
	var (
		js  jetstream.JetStream
		err error
	)
	if domain == "" {
		js, err = jetstream.New(c.NC, jetstream.WithDefaultTimeout(c.timeout()))
	} else {
		js, err = jetstream.NewWithDomain(c.NC, domain, jetstream.WithDefaultTimeout(c.timeout()))
	}
	if err != nil {
		return nil, fmt.Errorf("jetstream context for domain %q: %w", domain, err)
	}
	js = trackingJS{JetStream: js, pool: c.pool}
	c.js[domain] = js
	return js, nil
}

// timeout bounds each JetStream request.
func (c *Conn) timeout() time.Duration {
	if c.id.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.id.Timeout
}
