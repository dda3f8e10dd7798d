package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// Attribute descriptions shared by resources and data sources, said once.
const (
	docBucketID             = "The bucket's ID and import ID: `<name>`, or `<jetstream_domain>/<name>` when the resource sets a domain."
	docBucketName           = "Bucket name: letters, digits, `-` and `_`."
	docDescription          = "Description of the bucket."
	docHistory              = "How many historical values to keep per key, 1 to 64."
	docTTL                  = "How long a value lives before it expires, as a Go duration (`24h`); `0s` keeps values forever."
	docMaxValueSize         = "Largest value the bucket accepts, in bytes; `-1` for no limit beyond the server's max_payload."
	docMaxBytes             = "Size limit of the whole bucket, in bytes; `-1` for no limit."
	docStorage              = "Storage backend: `file` or `memory`."
	docReplicas             = "Number of replicas, 1 to 5. More than 1 needs a JetStream cluster."
	docCompression          = "Compress the bucket's storage with S2."
	docPlacement            = "Where the bucket's stream is placed in a super-cluster."
	docPlacementCluster     = "Name of the cluster to place the bucket in."
	docPlacementTags        = "Server tags the placement requires."
	docRePublish            = "Republish every change of a key to a plain NATS subject."
	docRePublishSource      = "Keys to republish, a subject filter relative to the bucket."
	docRePublishDestination = "Subject to republish to."
	docRePublishHeadersOnly = "Republish only the headers, not the values."
	docMetadata             = "User metadata of the bucket. Keys the server adds itself (`_nats.*`) are not shown and never cause a diff."
	docLimitMarkerTTL       = "How long the delete markers the server writes when a key is removed by a limit (such as `ttl`) are kept, as a Go duration; `0s` writes none."
	docDomain               = "JetStream domain of the bucket. Defaults to the provider's `jetstream_domain`."
	docStreamName           = "Name of the JetStream stream that holds the bucket (`KV_<name>`)."
	docCredentialsBase      = "Content of a `.creds` file to use for this resource instead of the provider's identity: how one configuration manages buckets in many accounts. "
	docCredentials          = docCredentialsBase + docCredentialsState
	// docCredentialsData is docCredentials for data sources, whose
	// arguments are stored with their result.
	docCredentialsData = docCredentialsBase + "It is kept in state with the data source's result. " + docCredentialsProvider
	// docCredentialsState says why a resource's credentials override has no
	// write-only variant, and what keeps credentials out of state instead.
	docCredentialsState = "It is kept in state, since refresh and destroy need it and a write-only value is not available to them. " +
		docCredentialsProvider
	docCredentialsProvider = "To keep credentials out of state, give them to the provider block instead (`credentials_data`, from a sensitive or ephemeral variable " +
		"or an ephemeral resource): provider configuration is never stored. One provider alias per account replaces this override."
)

// credentialsAttribute is the per-resource identity override.
func credentialsAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		Sensitive:           true,
		MarkdownDescription: docCredentials,
	}
}
