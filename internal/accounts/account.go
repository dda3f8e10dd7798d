package accounts

import "time"

// Account is the plain form of an account JWT: what this package writes and
// reads back. Fields not modelled here (mappings, default permissions,
// external authorization, tracing, scoped signing keys, import/export
// count limits) are not written, and are dropped when read.
type Account struct {
	Name string
	// PublicKey is the account identity (the JWT subject).
	PublicKey   string
	Description string
	// SigningKeys are public account signing keys allowed to sign users.
	SigningKeys []string

	// JetStream holds untiered JetStream limits; nil means no untiered
	// limits. Mutually exclusive with JetStreamTiers (ErrTieredAndUntiered).
	// JetStream is off for the account when both are empty.
	JetStream *JetStreamLimits
	// JetStreamTiers holds per-replica-count limits, keyed "R1" .. "R5".
	JetStreamTiers map[string]JetStreamLimits

	Limits Limits

	// AllowBearer lets users of the account connect with bearer tokens (user
	// JWTs without a nonce signature). The zero value, false, writes
	// disallow_bearer: true.
	AllowBearer bool

	// RevokedUsers maps user public keys (or "*" for every user) to a time:
	// JWTs for that key issued at or before it are rejected. The zero time
	// revokes every JWT of the key, whenever issued.
	RevokedUsers map[string]time.Time

	Exports []Export
	Imports []Import
}

// Limits are the account's connection and message limits. nil means
// unlimited; 0 is a real limit of zero.
type Limits struct {
	Connections         *int64
	LeafNodeConnections *int64
	Subscriptions       *int64
	// Data is the byte budget of messages in flight; Payload the largest
	// message in bytes.
	Data    *int64
	Payload *int64
}

// JetStreamLimits are the limits of one tier, or of the untiered account.
type JetStreamLimits struct {
	// MemoryStorage and DiskStorage in bytes: nil unlimited, 0 none of that
	// storage type.
	MemoryStorage *int64
	DiskStorage   *int64
	// Streams, Consumers and MaxAckPending: nil unlimited; must be > 0 when
	// set (servers read 0 as unlimited, which would surprise).
	Streams       *int64
	Consumers     *int64
	MaxAckPending *int64
	// MemoryMaxStreamBytes and DiskMaxStreamBytes cap one stream's size; nil
	// uncapped, > 0 when set.
	MemoryMaxStreamBytes *int64
	DiskMaxStreamBytes   *int64
	// MaxBytesRequired makes streams declare max_bytes.
	MaxBytesRequired bool
}

// ExportKind is what an export or import carries.
type ExportKind string

// Export and import kinds.
const (
	KindStream  ExportKind = "stream"
	KindService ExportKind = "service"
)

// Service response types.
const (
	ResponseSingleton = "Singleton"
	ResponseStream    = "Stream"
	ResponseChunked   = "Chunked"
)

// Export offers a subject to other accounts. To let a hub account manage
// this account's JetStream, export the service "$JS.API.>".
type Export struct {
	Name    string
	Subject string
	Kind    ExportKind
	// TokenRequired makes importers present an activation token.
	TokenRequired bool
	// ResponseType (services only): ResponseSingleton (the default when
	// empty), ResponseStream or ResponseChunked.
	ResponseType      string
	ResponseThreshold time.Duration
	// AccountTokenPosition is the 1-based position of a "*" token that must
	// equal the importing account's public key.
	AccountTokenPosition uint
	Advertise            bool
	AllowTrace           bool
	Description          string
}

// Import brings another account's export into this account.
type Import struct {
	Name string
	// Subject is the exporter's subject.
	Subject string
	// Account is the exporting account's public key.
	Account string
	Kind    ExportKind
	// Token is an activation token, for exports that require one.
	Token string
	// LocalSubject is the subject in this account; Subject when empty.
	LocalSubject string
	// Share shares latency tracking information (services only).
	Share      bool
	AllowTrace bool
}

// Int64 returns a pointer to v, for the optional limits.
func Int64(v int64) *int64 { return &v }
