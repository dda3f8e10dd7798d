package testnats

import (
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
)

// Accounts of StartCrossAccount. Each has one user whose name and password
// are the account's name in lower case.
const (
	// SourceAccount holds buckets and exports its JetStream API and a
	// delivery subject to MirrorAccount.
	SourceAccount = "SOURCE"
	// MirrorAccount imports both: a mirror there copies a SourceAccount
	// bucket through CrossAPIPrefix and CrossDeliverPrefix.
	MirrorAccount = "MIRROR"
	// BlindAccount imports only the source's stream info under
	// CrossAPIPrefix: it sees the source's buckets, but a mirror there
	// never receives a message, so it falls behind a reachable source.
	BlindAccount = "BLIND"

	CrossAPIPrefix     = "JS.source.API"
	CrossDeliverPrefix = "deliver.mirror"
)

// StartCrossAccount starts a JetStream server with the three accounts above,
// for mirrors of buckets in another account.
func StartCrossAccount() (*Server, error) {
	conf := fmt.Sprintf(`accounts {
  %[1]s: {
    jetstream: enabled
    users: [ { user: %[4]q, password: %[4]q } ]
    exports: [
      { service: "$JS.API.>", response_type: stream }
      { stream: "%[7]s.>" }
    ]
  }
  %[2]s: {
    jetstream: enabled
    users: [ { user: %[5]q, password: %[5]q } ]
    imports: [
      { service: { account: %[1]s, subject: "$JS.API.>" }, to: "%[8]s.>" }
      { stream: { account: %[1]s, subject: "%[7]s.>" } }
    ]
  }
  %[3]s: {
    jetstream: enabled
    users: [ { user: %[6]q, password: %[6]q } ]
    imports: [
      { service: { account: %[1]s, subject: "$JS.API.STREAM.INFO.>" }, to: "%[8]s.STREAM.INFO.>" }
    ]
  }
}
`, SourceAccount, MirrorAccount, BlindAccount, user(SourceAccount), user(MirrorAccount), user(BlindAccount), CrossDeliverPrefix, CrossAPIPrefix)
	return Start(Config{Extra: conf})
}

// AccountUser is the nats.go option that logs in as account's user.
func AccountUser(account string) nats.Option {
	return nats.UserInfo(user(account), user(account))
}

func user(account string) string { return strings.ToLower(account) }
