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

// PurgeUser issues the short-lived user PurgeStreams works as: a user of
// account, signed with one of its signing keys, that may use only the
// JetStream API (of domain, when set) and receive replies under
// inboxPrefix (the connection's own; "_INBOX" when empty). It expires in
// minutes, so that it is useless if it leaks.
func PurgeUser(account string, signingSeed []byte, domain, inboxPrefix string) (*IssuedUser, error) {
	api := "$JS.API.>"
	if domain != "" {
		api = "$JS." + domain + ".API.>"
	}
	if inboxPrefix == "" {
		inboxPrefix = nats.InboxPrefix[:len(nats.InboxPrefix)-1]
	}
	user, err := IssueUser(User{
		Name:    "purge-streams",
		Account: account,
		Pub:     Permission{Allow: []string{api}},
		Sub:     Permission{Allow: []string{inboxPrefix + ".>"}},
		Expires: time.Now().Add(purgeUserLifetime),
	}, signingSeed, nil)
	if err != nil {
		return nil, fmt.Errorf("user to purge the streams of %s: %w", account, err)
	}
	return user, nil
}

// purgeUserLifetime bounds the minted user's JWT: long enough for a purge,
// short enough to be useless if it leaks.
const purgeUserLifetime = 10 * time.Minute

// PurgeStreams deletes every JetStream stream of the account js works in
// (KV buckets and object stores included), before the account itself is
// deleted: servers keep an account's JetStream data on disk after a
// resolver delete. It deletes until the account lists no stream and
// returns the names of the deleted streams. An account without JetStream
// has nothing to purge. Streams that stay listed after their deletion are
// waited for until ctx ends, or for purgeSettle when it has no deadline.
func PurgeStreams(ctx context.Context, js jetstream.JetStream) ([]string, error) {
	var deleted []string
	settle := time.Now().Add(purgeSettle)
	if d, ok := ctx.Deadline(); ok {
		settle = d
	}
	for round := 0; ; round++ {
		names, err := streamNames(ctx, js)
		if errors.Is(err, errNoJetStream) && round == 0 {
			return nil, nil
		}
		if err != nil {
			return deleted, fmt.Errorf("purge streams: list streams: %w", err)
		}
		if len(names) == 0 {
			return deleted, nil
		}
		if round > 0 && time.Now().After(settle) {
			return deleted, fmt.Errorf("purge streams: streams %s are still listed after their deletion", strings.Join(names, ", "))
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
			return deleted, fmt.Errorf("purge streams: %w", errors.Join(errs...))
		}
		select {
		case <-ctx.Done():
			return deleted, fmt.Errorf("purge streams: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// purgeSettle bounds how long PurgeStreams waits for deleted streams to
// leave the listing when its context has no deadline. In a cluster the answer to a delete can come from the
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
