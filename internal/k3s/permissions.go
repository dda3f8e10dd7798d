// Package k3s knows what k3s and KINE expect of NATS: the datastore endpoint
// grammar, the exact bucket KINE creates, and the subjects a KINE user needs.
package k3s

import "strings"

// DefaultInboxPrefix is the inbox prefix of a NATS client that sets none.
const DefaultInboxPrefix = "_INBOX"

// Permissions lists the subjects a KINE instance using bucket must be allowed
// to publish to and subscribe to. inboxPrefix is the client's inbox prefix;
// empty means the default "_INBOX".
//
// STREAM.CREATE is needed even when the bucket exists: KINE creates the
// bucket on every start, and without the permission it retries forever.
func Permissions(bucket, inboxPrefix string) (pub, sub []string) {
	if inboxPrefix == "" {
		inboxPrefix = DefaultInboxPrefix
	}
	stream := "KV_" + bucket
	pub = []string{
		"$JS.API.INFO",
		"$JS.API.STREAM.CREATE." + stream,
		"$JS.API.STREAM.INFO." + stream,
		"$JS.API.CONSUMER.CREATE." + stream + ".>",
		"$JS.API.CONSUMER.DELETE." + stream + ".>",
		"$JS.API.CONSUMER.MSG.NEXT." + stream + ".>",
		"$JS.API.DIRECT.GET." + stream,
		"$JS.API.DIRECT.GET." + stream + ".>",
		"$KV." + bucket + ".>",
	}
	sub = []string{strings.TrimSuffix(inboxPrefix, ".") + ".>"}
	return pub, sub
}
