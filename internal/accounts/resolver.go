package accounts

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// Resolver subjects (nats-server events.go).
const (
	subjServerPing   = "$SYS.REQ.SERVER.PING"
	subjClaimsUpdate = "$SYS.REQ.ACCOUNT.%s.CLAIMS.UPDATE"
	subjClaimsLookup = "$SYS.REQ.ACCOUNT.%s.CLAIMS.LOOKUP"
	subjClaimsList   = "$SYS.REQ.CLAIMS.LIST"
	subjClaimsDelete = "$SYS.REQ.CLAIMS.DELETE"
)

// Defaults for ResolverOptions.
const (
	DefaultResolverTimeout = 5 * time.Second
	DefaultResolverQuiet   = 250 * time.Millisecond
)

// ResolverOptions tune how long the client waits for servers.
type ResolverOptions struct {
	// Timeout bounds each wait for replies (unless ctx ends sooner);
	// DefaultResolverTimeout when zero.
	Timeout time.Duration
	// Quiet ends the server count once no new server has answered the
	// ping for this long; DefaultResolverQuiet when zero.
	Quiet time.Duration
}

// Resolver talks to the account resolvers of every server reachable over a
// system account connection. It never dials: the caller owns the connection.
// Every request goes to all servers and waits for each one's reply; the
// server count comes from $SYS.REQ.SERVER.PING before each request.
type Resolver struct {
	nc   *nats.Conn
	op   *Operator
	opts ResolverOptions
}

// NewResolver uses nc, a connection of a system account user of the
// operator op. op vets issuers before anything is pushed.
func NewResolver(nc *nats.Conn, op *Operator, o ResolverOptions) (*Resolver, error) {
	if nc == nil {
		return nil, errors.New("resolver: no connection")
	}
	if op == nil {
		return nil, errors.New("resolver: no operator")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultResolverTimeout
	}
	if o.Quiet <= 0 {
		o.Quiet = DefaultResolverQuiet
	}
	return &Resolver{nc: nc, op: op, opts: o}, nil
}

// ServerInfo identifies a server, as servers describe themselves in
// system replies.
type ServerInfo struct {
	Name    string `json:"name"`
	ID      string `json:"id"`
	Cluster string `json:"cluster,omitempty"`
	Domain  string `json:"domain,omitempty"`
	Version string `json:"ver"`
}

func (s ServerInfo) String() string {
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

// Servers lists the servers that answer a ping on the system account,
// sorted by name. It waits until no new server has answered for the quiet
// period. No answer at all gives ErrNoServers.
func (r *Resolver) Servers(ctx context.Context) ([]ServerInfo, error) {
	msgs, err := r.collect(ctx, subjServerPing, nil, 0)
	if errors.Is(err, errNoResponders) {
		return nil, ErrNoServers
	}
	if err != nil {
		return nil, fmt.Errorf("count servers: %w", err)
	}
	seen := map[string]bool{}
	var out []ServerInfo
	for _, m := range msgs {
		var reply struct {
			Server ServerInfo `json:"server"`
		}
		if err := json.Unmarshal(m.Data, &reply); err != nil || reply.Server.ID == "" {
			continue
		}
		if !seen[reply.Server.ID] {
			seen[reply.Server.ID] = true
			out = append(out, reply.Server)
		}
	}
	if len(out) == 0 {
		return nil, ErrNoServers
	}
	sortServers(out)
	return out, nil
}

func sortServers(s []ServerInfo) {
	slices.SortFunc(s, func(a, b ServerInfo) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
}

// errNoResponders: the server answered a request with status 503, nobody
// subscribes to the subject.
var errNoResponders = errors.New("no responders")

// collect publishes a request with its own inbox and gathers replies until
// want replies have come (want > 0), or, when want is 0, until no reply came
// for the quiet period. Running out of the options' Timeout is not an error:
// the caller sees how many replies came. A cancelled ctx is.
func (r *Resolver) collect(ctx context.Context, subject string, data []byte, want int) ([]*nats.Msg, error) {
	inbox := r.nc.NewRespInbox()
	// Buffered generously: a full channel makes nats.go drop replies.
	ch := make(chan *nats.Msg, 1024)
	sub, err := r.nc.ChanSubscribe(inbox, ch)
	if err != nil {
		return nil, fmt.Errorf("subscribe for replies: %w", err)
	}
	defer sub.Unsubscribe()
	if err := r.nc.PublishRequest(subject, inbox, data); err != nil {
		return nil, fmt.Errorf("publish %s: %w", subject, err)
	}

	wait, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	var quiet <-chan time.Time
	var msgs []*nats.Msg
	for {
		select {
		case m := <-ch:
			if len(m.Data) == 0 && m.Header.Get("Status") == "503" {
				return nil, errNoResponders
			}
			msgs = append(msgs, m)
			if want > 0 && len(msgs) >= want {
				return msgs, nil
			}
			if want == 0 {
				quiet = time.After(r.opts.Quiet)
			}
		case <-quiet:
			return msgs, nil
		case <-wait.Done():
			if ctx.Err() != nil {
				return msgs, fmt.Errorf("waiting for replies on %s: %w", subject, ctx.Err())
			}
			return msgs, nil
		}
	}
}

// ServerReply is one server's answer to a push or delete.
type ServerReply struct {
	Server ServerInfo
	// OK is true when the server did what was asked.
	OK bool
	// Message is the server's message ("jwt updated", "deleted 1 accounts")
	// or error description.
	Message string
}

// claimReply is nats-server's ServerAPIClaimUpdateResponse.
type claimReply struct {
	Server ServerInfo `json:"server"`
	Data   *struct {
		Account string `json:"account"`
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"data"`
	Error *struct {
		Account     string `json:"account"`
		Code        int    `json:"code"`
		Description string `json:"description"`
	} `json:"error"`
}

// claimReplies matches update or delete replies to the pinged servers.
// ok decides whether a successful reply's message really means success.
// Servers that answered without being pinged (just joined) are kept.
func claimReplies(servers []ServerInfo, msgs []*nats.Msg, ok func(msg string) bool) (replies []ServerReply, failed []string) {
	byID := map[string]ServerReply{}
	for _, m := range msgs {
		var cr claimReply
		if err := json.Unmarshal(m.Data, &cr); err != nil {
			failed = append(failed, fmt.Sprintf("unreadable reply %q", truncate(string(m.Data), 200)))
			continue
		}
		rep := ServerReply{Server: cr.Server}
		switch {
		case cr.Error != nil:
			rep.Message = cr.Error.Description
		case cr.Data != nil:
			rep.Message = cr.Data.Message
			rep.OK = ok(cr.Data.Message)
		default:
			rep.Message = "empty reply"
		}
		byID[cr.Server.ID] = rep
	}
	for _, s := range servers {
		rep, found := byID[s.ID]
		if !found {
			replies = append(replies, ServerReply{Server: s, Message: "no reply"})
			continue
		}
		delete(byID, s.ID)
		replies = append(replies, rep)
	}
	for _, rep := range byID {
		replies = append(replies, rep)
	}
	slices.SortFunc(replies, func(a, b ServerReply) int {
		return cmp.Or(cmp.Compare(a.Server.Name, b.Server.Name), cmp.Compare(a.Server.ID, b.Server.ID))
	})
	for _, rep := range replies {
		if !rep.OK {
			failed = append(failed, rep.Server.String()+": "+rep.Message)
		}
	}
	return replies, failed
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// incomplete reports what went wrong on which server, wrapping cause
// (ErrIncomplete unless a more telling sentinel applies).
func incomplete(what string, cause error, failed []string, total int) error {
	return fmt.Errorf("%s: %w: %d of %d servers failed: %s", what, cause, len(failed), total, strings.Join(failed, "; "))
}
