// Package accounts manages NATS operator-mode identities: operator, account
// and user JWTs, and the account resolver of running servers. It is the NATS
// side of the nats_operator, nats_account, nats_user and
// nats_user_credentials resources and knows nothing of Terraform: plain
// structs in and out, context first, wrapped errors that never contain a
// seed.
//
// # Keys and credentials
//
//	NewKey(kind) (Key, error)                       fresh operator/account/user key
//	ParseSeed(seed, kind) (nkeys.KeyPair, error)   ErrInvalidSeed / ErrWrongSeedKind
//	PublicKeyOf(seed, kind) (string, error)
//	FormatCreds(userJWT, userSeed) ([]byte, error) decorated .creds format
//	ParseCreds(creds) (userJWT, userSeed, error)
//
// # Operator (offline)
//
//	Bootstrap(BootstrapOptions) (*Bootstrapped, error)
//	(*Bootstrapped).ServerConfig(resolverDir) (string, error)
//	ServerConfig(ServerConfigOptions) (string, error)
//	EncodeOperator(Operator, identitySeed) (string, error)
//	ParseOperator(operatorJWT) (*Operator, error)
//	(*Operator).Trusts(key) bool
//	(*Operator).CheckIssuer(token) error           ErrUntrustedIssuer / ErrStrictSigningKey
//
// Bootstrap makes an operator identity key and signing key, a system account
// (with a signing key) and a system user. ServerConfig renders the
// nats-server fragment for it: operator, system_account, a full resolver in
// the given directory with allow_delete, and the system account preloaded.
//
// # Accounts
//
//	AccountClaims(Account) (*jwt.AccountClaims, error)
//	AccountFromClaims(*jwt.AccountClaims) Account
//	AccountFromJWT(token) (Account, error)
//	EqualClaims(a, b jwt.Claims) (bool, error)      ignores iat, jti, iss
//	NewSigner(operatorJWT, seed) (*Signer, error)   ErrStrictSigningKey
//	(*Signer).EncodeAccount(Account, previous) (token, changed, error)
//
// Account is the plain form of an account JWT. Optional limits are *int64:
// nil is unlimited, and Int64 makes a pointer. JetStream (untiered) and
// JetStreamTiers ("R1".."R5") are mutually exclusive (ErrTieredAndUntiered).
// Bearer tokens are refused unless AllowBearer is set. EncodeAccount signs
// with the signer's key, and returns previous unchanged when it says the same
// as the new claims and its issuer is still trusted, so an unchanged account
// keeps its iat and jti. The jwt library sets iat and jti on every encode.
//
// # Resolver client
//
//	NewResolver(nc, *Operator, ResolverOptions) (*Resolver, error)
//	(*Resolver).Servers(ctx) ([]ServerInfo, error)
//	(*Resolver).Push(ctx, accountJWT) ([]ServerReply, error)
//	(*Resolver).Lookup(ctx, accountID) (*LookupResult, error)
//	(*Resolver).Delete(ctx, *Signer, accountIDs...) ([]ServerReply, error)
//	(*LookupResult).State(expected) LookupState     Absent/Match/Different/Disagree
//	(*LookupResult).JWT() (string, bool)
//
// The Resolver works over a system user's *nats.Conn it is given and never
// dials. Each call first counts servers with $SYS.REQ.SERVER.PING (replies
// until a quiet period), then waits for a reply from each of them:
//   - Push checks the issuer against the operator, then sends the JWT on
//     $SYS.REQ.ACCOUNT.<id>.CLAIMS.UPDATE. Every server must answer "jwt
//     updated"; the error names the others and what they said.
//   - Lookup learns which servers store the account from $SYS.REQ.CLAIMS.LIST
//     (replies name their server) and what they store from
//     $SYS.REQ.ACCOUNT.<id>.CLAIMS.LOOKUP (an empty reply means not stored;
//     these replies do not name their server, so differing JWTs cannot be
//     pinned to servers).
//   - Delete sends a generic JWT self-signed by the operator signing key on
//     $SYS.REQ.CLAIMS.DELETE. A resolver without allow_delete gives
//     ErrDeleteNotAllowed.
//
// No server answering lookups, lists or deletes (and servers answering a
// push with "jwt update skipped") means the memory resolver:
// ErrMemoryResolver. Replies missing or failing give ErrIncomplete.
//
// # Users
//
//	UserClaims(User) (*jwt.UserClaims, error)
//	UserFromClaims(*jwt.UserClaims) User
//	UserFromJWT(token) (User, error)
//	IssueUser(User, accountSigningSeed, userSeed) (*IssuedUser, error)
//
// IssueUser signs with an account signing key and sets issuer_account; a nil
// userSeed makes a fresh user key (short-lived credentials). User.KineBucket
// adds exactly the permissions of k3s.Permissions to the explicit ones.
//
// # Purging JetStream before a delete
//
//	PurgeUser(account, signingSeed, domain, inboxPrefix) (*IssuedUser, error)
//	PurgeStreams(ctx, jetstream.JetStream) ([]string, error)
//
// Servers keep an account's JetStream data after a resolver delete.
// PurgeUser mints a user of the account that expires in minutes and may
// only use the JetStream API and its inbox; the caller connects as it (the
// provider through its pool) and PurgeStreams deletes every stream.
//
// Known limits of the resolver itself: a push replaces whatever a server
// holds, even a newer JWT (look up first); a server that is down misses a
// delete and may sync the account back from its store later.
package accounts
