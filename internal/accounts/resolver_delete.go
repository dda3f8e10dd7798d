package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nkeys"
)

// Delete removes accounts from every server's resolver, with a generic JWT
// signed by the signer's key on $SYS.REQ.CLAIMS.DELETE. Every server must
// answer success. A resolver without allow_delete gives ErrDeleteNotAllowed;
// servers that do not answer at all (memory resolver) ErrMemoryResolver.
// Deleting an account that is not stored succeeds.
//
// The accounts' JetStream data stays on disk: PurgeStreams first. A server
// that is down misses the delete and may sync the account back later.
func (r *Resolver) Delete(ctx context.Context, signer *Signer, accountIDs ...string) ([]ServerReply, error) {
	if signer == nil {
		return nil, errors.New("delete accounts: no signer")
	}
	if len(accountIDs) == 0 {
		return nil, errors.New("delete accounts: no account given")
	}
	if signer.op.PublicKey != r.op.PublicKey {
		return nil, fmt.Errorf("delete accounts: the signer is for operator %s, the resolver for %s", signer.op.PublicKey, r.op.PublicKey)
	}
	for _, id := range accountIDs {
		if !nkeys.IsValidPublicAccountKey(id) {
			return nil, fmt.Errorf("delete accounts: %q is not an account public key", id)
		}
		if id == r.op.SystemAccount {
			return nil, fmt.Errorf("delete accounts: %s is the system account", id)
		}
	}
	what := "delete account " + strings.Join(accountIDs, ", ")
	token, err := signer.deleteRequest(accountIDs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	servers, err := r.Servers(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	msgs, err := r.collect(ctx, subjClaimsDelete, []byte(token), len(servers))
	if errors.Is(err, errNoResponders) {
		return nil, fmt.Errorf("%s: %w", what, ErrMemoryResolver)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	replies, failed := claimReplies(servers, msgs, func(msg string) bool {
		return strings.HasPrefix(msg, "deleted ") && !strings.Contains(msg, "failed")
	})
	if len(failed) == 0 {
		return replies, nil
	}
	cause := ErrIncomplete
	for _, rep := range replies {
		if strings.Contains(rep.Message, "delete must be enabled") {
			cause = ErrDeleteNotAllowed
			break
		}
	}
	return replies, incomplete(what, cause, failed, len(replies))
}
