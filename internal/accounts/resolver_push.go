package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/jwt/v2"
)

// Push stores an account JWT on every server's resolver, over
// $SYS.REQ.ACCOUNT.<id>.CLAIMS.UPDATE. The issuer is checked against the
// operator first (servers store untrusted JWTs and still answer "jwt
// updated"). Every pinged server must answer "jwt updated"; otherwise the
// error wraps ErrIncomplete and names each server that did not answer or
// what it said, and the replies are returned as well.
//
// A push replaces whatever the servers hold, even a newer JWT: look up
// first when that matters. An error that wraps ErrNotSent proves no server
// stored anything; any other may come after some stored it.
func (r *Resolver) Push(ctx context.Context, accountJWT string) ([]ServerReply, error) {
	ac, err := jwt.DecodeAccountClaims(accountJWT)
	if err != nil {
		return nil, fmt.Errorf("push: account jwt: %w (%w)", err, ErrNotSent)
	}
	if err := r.op.CheckIssuer(accountJWT); err != nil {
		return nil, fmt.Errorf("push account %s: %w (%w)", ac.Subject, err, ErrNotSent)
	}
	servers, err := r.Servers(ctx)
	if err != nil {
		return nil, fmt.Errorf("push account %s: %w (%w)", ac.Subject, err, ErrNotSent)
	}
	msgs, err := r.collect(ctx, fmt.Sprintf(subjClaimsUpdate, ac.Subject), []byte(accountJWT), len(servers))
	if errors.Is(err, errNoResponders) {
		return nil, fmt.Errorf("push account %s: %w (%w)", ac.Subject, ErrNoServers, ErrNotSent)
	}
	if err != nil {
		return nil, fmt.Errorf("push account %s: %w", ac.Subject, err)
	}
	replies, failed := claimReplies(servers, msgs, func(msg string) bool {
		// "jwt update skipped" comes from servers that keep no account
		// store (memory resolver): nothing was stored.
		return msg == "jwt updated"
	})
	if len(failed) > 0 {
		cause := ErrIncomplete
		if strings.Contains(strings.Join(failed, "\n"), "skipped") {
			cause = ErrMemoryResolver
		}
		return replies, incomplete("push account "+ac.Subject, cause, failed, len(replies))
	}
	return replies, nil
}
