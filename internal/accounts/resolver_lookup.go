package accounts

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
)

// LookupState summarises what the servers hold for an account.
type LookupState int

// Lookup states.
const (
	// LookupAbsent: no server stores a JWT for the account.
	LookupAbsent LookupState = iota + 1
	// LookupMatch: every server stores exactly the expected JWT.
	LookupMatch
	// LookupDifferent: every server stores the same JWT, not the expected
	// one (changed out of band).
	LookupDifferent
	// LookupDisagree: servers hold different JWTs, or some hold none.
	LookupDisagree
)

func (s LookupState) String() string {
	switch s {
	case LookupAbsent:
		return "absent on every server"
	case LookupMatch:
		return "stored on every server as expected"
	case LookupDifferent:
		return "stored on every server, but different from the expected jwt"
	case LookupDisagree:
		return "servers disagree"
	}
	return fmt.Sprintf("LookupState(%d)", int(s))
}

// ServerLookup is what one server holds for the account.
type ServerLookup struct {
	Server ServerInfo
	// Stored: the server's resolver holds a JWT for the account.
	Stored bool
	// JWT is the stored JWT when it can be told (every server holding one
	// holds the same); lookup replies do not say which server sent them.
	JWT string
}

// LookupResult is the per-server answer of Lookup.
type LookupResult struct {
	Account string
	Servers []ServerLookup
	// Versions are the distinct JWTs stored, over all servers.
	Versions []string
}

// JWT returns the JWT when every server stores the same one.
func (l *LookupResult) JWT() (string, bool) {
	if st := l.State(""); st != LookupDifferent {
		return "", false
	}
	return l.Versions[0], true
}

// State compares the servers' JWTs with expected (exact text; compare
// claims with EqualClaims when only the content matters).
func (l *LookupResult) State(expected string) LookupState {
	stored := 0
	for _, s := range l.Servers {
		if s.Stored {
			stored++
		}
	}
	switch {
	case stored == 0 && len(l.Versions) == 0:
		return LookupAbsent
	case stored != len(l.Servers) || len(l.Versions) != 1:
		return LookupDisagree
	case expected != "" && l.Versions[0] == expected:
		return LookupMatch
	}
	return LookupDifferent
}

// Lookup asks every server what its resolver stores for the account. Which
// servers store it comes from $SYS.REQ.CLAIMS.LIST (replies name their
// server); the JWTs from $SYS.REQ.ACCOUNT.<id>.CLAIMS.LOOKUP (empty reply =
// not stored; replies are anonymous). When no server answers these, the
// error wraps ErrMemoryResolver. When some servers do not answer, the
// partial result comes with an error wrapping ErrIncomplete.
func (r *Resolver) Lookup(ctx context.Context, accountID string) (*LookupResult, error) {
	if !nkeys.IsValidPublicAccountKey(accountID) {
		return nil, fmt.Errorf("lookup: %q is not an account public key", accountID)
	}
	servers, err := r.Servers(ctx)
	if err != nil {
		return nil, fmt.Errorf("lookup account %s: %w", accountID, err)
	}
	stored, listed, err := r.list(ctx, servers)
	if err != nil {
		return nil, fmt.Errorf("lookup account %s: %w", accountID, err)
	}
	msgs, err := r.collect(ctx, fmt.Sprintf(subjClaimsLookup, accountID), nil, len(servers))
	if errors.Is(err, errNoResponders) {
		return nil, fmt.Errorf("lookup account %s: %w", accountID, ErrMemoryResolver)
	}
	if err != nil {
		return nil, fmt.Errorf("lookup account %s: %w", accountID, err)
	}

	res := &LookupResult{Account: accountID}
	for _, m := range msgs {
		tok := string(m.Data)
		if tok == "" || slices.Contains(res.Versions, tok) {
			continue
		}
		res.Versions = append(res.Versions, tok)
	}
	// Newest first, so a caller picking one gets the latest.
	slices.SortStableFunc(res.Versions, func(a, b string) int { return cmp.Compare(issuedAt(b), issuedAt(a)) })

	var missing []string
	for _, s := range servers {
		sl := ServerLookup{Server: s, Stored: slices.Contains(stored[s.ID], accountID)}
		if sl.Stored && len(res.Versions) == 1 {
			sl.JWT = res.Versions[0]
		}
		if !listed[s.ID] {
			missing = append(missing, s.String()+": no reply to the list request")
		}
		res.Servers = append(res.Servers, sl)
	}
	if len(msgs) < len(servers) {
		missing = append(missing, fmt.Sprintf("%d of %d servers did not answer the lookup", len(servers)-len(msgs), len(servers)))
	}
	if len(missing) > 0 {
		return res, fmt.Errorf("lookup account %s: %s: %w", accountID, strings.Join(missing, "; "), ErrIncomplete)
	}
	return res, nil
}

// list asks every server which accounts its resolver stores.
func (r *Resolver) list(ctx context.Context, servers []ServerInfo) (stored map[string][]string, answered map[string]bool, err error) {
	msgs, err := r.collect(ctx, subjClaimsList, nil, len(servers))
	if errors.Is(err, errNoResponders) {
		return nil, nil, ErrMemoryResolver
	}
	if err != nil {
		return nil, nil, err
	}
	stored, answered = map[string][]string{}, map[string]bool{}
	for _, m := range msgs {
		var reply struct {
			Server ServerInfo `json:"server"`
			Data   []string   `json:"data"`
		}
		if err := json.Unmarshal(m.Data, &reply); err != nil {
			continue
		}
		stored[reply.Server.ID] = reply.Data
		answered[reply.Server.ID] = true
	}
	return stored, answered, nil
}

func issuedAt(token string) int64 {
	c, err := jwt.DecodeGeneric(token)
	if err != nil {
		return 0
	}
	return c.IssuedAt
}
