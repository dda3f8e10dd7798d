package accounts

import "errors"

// Sentinel errors, so callers can match with errors.Is and put the message on
// the right attribute. Each is wrapped with context where it is returned.
var (
	// ErrInvalidSeed: a seed is not a valid nkey seed. The seed is never
	// part of the message.
	ErrInvalidSeed = errors.New("not a valid nkey seed")
	// ErrWrongSeedKind: a valid seed of another kind (an account seed where
	// an operator seed is wanted, ...).
	ErrWrongSeedKind = errors.New("seed of the wrong kind")
	// ErrTieredAndUntiered: an account sets both JetStream and
	// JetStreamTiers.
	ErrTieredAndUntiered = errors.New("JetStream and JetStreamTiers are mutually exclusive: set the untiered limits or per-tier limits, not both")
	// ErrStrictSigningKey: in strict signing-key mode the operator identity
	// key may not sign accounts.
	ErrStrictSigningKey = errors.New("the operator requires strict signing-key usage: sign with an operator signing key, not the operator identity key")
	// ErrUntrustedIssuer: a JWT is not signed by the operator identity or one
	// of its signing keys. Servers would store it anyway, so it is refused
	// before pushing.
	ErrUntrustedIssuer = errors.New("issuer is not trusted by the operator")
	// ErrDeleteNotAllowed: the resolver runs without allow_delete.
	ErrDeleteNotAllowed = errors.New("the account resolver does not allow deletes: set allow_delete: true in the server's resolver block")
	// ErrMemoryResolver: no server answers resolver lookups, lists or
	// deletes, which is what the memory (or URL) resolver does.
	ErrMemoryResolver = errors.New("the servers do not run the full account resolver (the memory resolver cannot list, look up or delete accounts): configure resolver { type: full }")
	// ErrNoServers: nobody answered the server ping.
	ErrNoServers = errors.New("no server answered $SYS.REQ.SERVER.PING: is the connection a system account user?")
	// ErrIncomplete: not every server answered or accepted a request.
	ErrIncomplete = errors.New("not every server answered successfully")
	// ErrNotSent: a request failed before it was sent, so no server acted
	// on it. Without it, a failed push may have stored the JWT somewhere.
	ErrNotSent = errors.New("nothing was sent to the servers")
)

// joinErrs joins errors into one on a single line ("a; b"), which reads
// better in a diagnostic than errors.Join's newlines.
func joinErrs(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	if len(errs) == 1 {
		return errs[0]
	}
	msg := ""
	for i, e := range errs {
		if i > 0 {
			msg += "; "
		}
		msg += e.Error()
	}
	return errors.New(msg)
}
