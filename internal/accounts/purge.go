package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DialFunc connects to the servers, adding opts (the credentials of a user
// this package mints) to the caller's own options.
type DialFunc func(ctx context.Context, opts ...nats.Option) (*nats.Conn, error)

// DialURLs is a DialFunc for a list of server URLs and base options (TLS,
// timeouts, ...).
func DialURLs(urls []string, base ...nats.Option) DialFunc {
	return func(ctx context.Context, opts ...nats.Option) (*nats.Conn, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		all := append(append([]nats.Option{}, base...), opts...)
		if deadline, ok := ctx.Deadline(); ok {
			all = append(all, nats.Timeout(time.Until(deadline)))
		}
		return nats.Connect(strings.Join(urls, ","), all...)
	}
}

// PurgeRequest names the account whose streams PurgeStreams deletes.
type PurgeRequest struct {
	// Account is the account public key.
	Account string
	// SigningSeed is a seed of one of the account's signing keys: it mints
	// the short-lived user that does the work.
	SigningSeed []byte
	// Domain is the JetStream domain of the account's streams; empty for
	// the local one.
	Domain string
}

// purgeUserLifetime bounds the minted user's JWT: long enough for a purge,
// short enough to be useless if it leaks.
const purgeUserLifetime = 10 * time.Minute

// PurgeStreams deletes every JetStream stream of an account (KV buckets and
// object stores included), before the account itself is deleted: servers
// keep an account's JetStream data on disk after a resolver delete. It
// connects once, through dial, as a short-lived user of the account allowed
// only the JetStream API, deletes until the account lists no stream, and
// returns the names of the deleted streams. An account without JetStream
// has nothing to purge.
func PurgeStreams(ctx context.Context, dial DialFunc, req PurgeRequest) ([]string, error) {
	if dial == nil {
		return nil, errors.New("purge streams: no dial function")
	}
	api := "$JS.API.>"
	if req.Domain != "" {
		api = "$JS." + req.Domain + ".API.>"
	}
	user, err := IssueUser(User{
		Name:    "purge-streams",
		Account: req.Account,
		Pub:     Permission{Allow: []string{api}},
		Sub:     Permission{Allow: []string{"_INBOX.>"}},
		Expires: time.Now().Add(purgeUserLifetime),
	}, req.SigningSeed, nil)
	if err != nil {
		return nil, fmt.Errorf("purge streams of %s: %w", req.Account, err)
	}
	nc, err := dial(ctx, nats.UserJWTAndSeed(user.JWT, string(user.Seed)))
	if err != nil {
		return nil, fmt.Errorf("purge streams of %s: connect: %w", req.Account, err)
	}
	defer nc.Close()

	var js jetstream.JetStream
	if req.Domain == "" {
		js, err = jetstream.New(nc)
	} else {
		js, err = jetstream.NewWithDomain(nc, req.Domain)
	}
	if err != nil {
		return nil, fmt.Errorf("purge streams of %s: %w", req.Account, err)
	}
	var deleted []string
	settle := time.Now().Add(purgeSettle)
	for round := 0; ; round++ {
		names, err := streamNames(ctx, js)
		if errors.Is(err, errNoJetStream) && round == 0 {
			return nil, nil
		}
		if err != nil {
			return deleted, fmt.Errorf("purge streams of %s: list streams: %w", req.Account, err)
		}
		if len(names) == 0 {
			return deleted, nil
		}
		if round > 0 && time.Now().After(settle) {
			return deleted, fmt.Errorf("purge streams of %s: streams %s still listed %s after their deletion", req.Account, strings.Join(names, ", "), purgeSettle)
		}
		var errs []error
		for _, name := range names {
			if err := js.DeleteStream(ctx, name); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
				errs = append(errs, fmt.Errorf("delete stream %s: %w", name, err))
				continue
			}
			if !slices.Contains(deleted, name) {
				deleted = append(deleted, name)
			}
		}
		if len(errs) > 0 {
			return deleted, fmt.Errorf("purge streams of %s: %w", req.Account, errors.Join(errs...))
		}
		select {
		case <-ctx.Done():
			return deleted, fmt.Errorf("purge streams of %s: %w", req.Account, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// purgeSettle bounds how long PurgeStreams waits for deleted streams to
// leave the listing. In a cluster the answer to a delete can come from the
// stream's server before the meta leader, which answers the listing, has
// applied it: listing again until it is empty is what proves the purge.
const purgeSettle = 5 * time.Second

var errNoJetStream = errors.New("jetstream not enabled for the account")

// streamNames lists the account's streams. "Not enabled for account" is
// asked again a few times: a cluster's meta leader enables JetStream for an
// account it has just loaded a moment later, and answering "nothing to
// purge" in that window would leave the data behind.
func streamNames(ctx context.Context, js jetstream.JetStream) ([]string, error) {
	const attempts = 4
	for i := 1; ; i++ {
		var names []string
		lister := js.StreamNames(ctx)
		for name := range lister.Name() {
			names = append(names, name)
		}
		err := lister.Err()
		if err == nil {
			return names, nil
		}
		if !errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) && !errors.Is(err, jetstream.ErrJetStreamNotEnabled) {
			return nil, err
		}
		if i == attempts {
			return nil, errNoJetStream
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
