package natsconn

import (
	"context"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ListingTTL is how long a stream listing serves reads. A listing also
// belongs to one scope (the provider configuration of one Terraform
// command), so a change made outside Terraform before a command is always
// seen, even by a provider process that serves many commands; within a
// command's refresh, which takes seconds, the TTL bounds how stale it gets.
const ListingTTL = 10 * time.Second

// Listing is the stream infos one identity sees in one JetStream domain,
// by stream name, as one paged STREAM.LIST returned them.
type Listing map[string]*jetstream.StreamInfo

// listingSlot is one listing being loaded or loaded; ready closes when it
// settles, so concurrent readers share one load.
type listingSlot struct {
	ready chan struct{}
	gen   uint64
	at    time.Time
	list  Listing
	err   error
}

// listingKey names a listing: the scope that asked for it and the domain.
type listingKey struct {
	scope  any
	domain string
}

// listings are a connection's stream listings.
type listings struct {
	mu    sync.Mutex
	slots map[listingKey]*listingSlot
	// denied remembers domains whose listing failed: an identity that may
	// not list streams is not asked again (each refused request can cost a
	// whole request timeout), and its reads ask stream by stream.
	denied map[string]bool
}

// StreamListing returns the listing of domain ("" for the account's own) for
// scope (a comparable value, such as a pointer made once per provider
// configuration), loading it with load when scope has none, it is older
// than ListingTTL, or a write went through any pooled JetStream context
// since it was loaded.
// Concurrent callers share one load. A failed load returns (nil, err) to
// every caller and is not retried on this connection: callers fall back to
// asking for each stream.
func (c *Conn) StreamListing(ctx context.Context, scope any, domain string, load func(context.Context) (Listing, error)) (Listing, error) {
	gen := c.pool.generation()
	key := listingKey{scope: scope, domain: domain}
	c.lists.mu.Lock()
	if c.lists.slots == nil {
		c.lists.slots, c.lists.denied = map[listingKey]*listingSlot{}, map[string]bool{}
	}
	if c.lists.denied[domain] {
		c.lists.mu.Unlock()
		return nil, errListingDenied
	}
	s, ok := c.lists.slots[key]
	if ok {
		select {
		case <-s.ready:
			if s.err != nil || s.gen != gen || time.Since(s.at) > ListingTTL {
				ok = false
			}
		default: // loading: wait below
		}
	}
	if !ok {
		c.lists.prune()
		s = &listingSlot{ready: make(chan struct{}), gen: gen}
		c.lists.slots[key] = s
		c.lists.mu.Unlock()
		// The load serves every waiting caller, so it does not end with the
		// first caller's context; JetStream's request timeout bounds it.
		s.list, s.err = load(context.WithoutCancel(ctx))
		s.at = time.Now()
		if s.err != nil {
			c.lists.mu.Lock()
			c.lists.denied[domain] = true
			c.lists.mu.Unlock()
		}
		close(s.ready)
	} else {
		c.lists.mu.Unlock()
	}
	select {
	case <-s.ready:
		return s.list, s.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// prune forgets settled listings past their TTL, so that a process serving
// many commands does not keep one per command. Called with mu held.
func (l *listings) prune() {
	for k, s := range l.slots {
		select {
		case <-s.ready:
			if time.Since(s.at) > ListingTTL {
				delete(l.slots, k)
			}
		default:
		}
	}
}

type listingError string

func (e listingError) Error() string { return string(e) }

// errListingDenied: an earlier listing on this connection failed.
const errListingDenied = listingError("stream listing unavailable for this identity and domain")

// trackingJS is a pooled JetStream context: every stream or bucket write
// through it makes every listing in the pool stale, so a read after a
// write in the same process never sees the listing from before it.
type trackingJS struct {
	jetstream.JetStream
	pool *Pool
}

func (t trackingJS) CreateStream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	defer t.pool.written()
	return t.JetStream.CreateStream(ctx, cfg)
}

func (t trackingJS) UpdateStream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	defer t.pool.written()
	return t.JetStream.UpdateStream(ctx, cfg)
}

func (t trackingJS) CreateOrUpdateStream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	defer t.pool.written()
	return t.JetStream.CreateOrUpdateStream(ctx, cfg)
}

func (t trackingJS) DeleteStream(ctx context.Context, stream string) error {
	defer t.pool.written()
	return t.JetStream.DeleteStream(ctx, stream)
}

func (t trackingJS) CreateKeyValue(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	defer t.pool.written()
	return t.JetStream.CreateKeyValue(ctx, cfg)
}

func (t trackingJS) UpdateKeyValue(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	defer t.pool.written()
	return t.JetStream.UpdateKeyValue(ctx, cfg)
}

func (t trackingJS) CreateOrUpdateKeyValue(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	defer t.pool.written()
	return t.JetStream.CreateOrUpdateKeyValue(ctx, cfg)
}

func (t trackingJS) DeleteKeyValue(ctx context.Context, bucket string) error {
	defer t.pool.written()
	return t.JetStream.DeleteKeyValue(ctx, bucket)
}
