package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/edge"
	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// hubURLPattern is a leaf node URL: nats-leaf:// or tls://, host and port,
// no credentials (edge.Site's checks say more).
var hubURLPattern = regexp.MustCompile(`^(nats-leaf|tls)://[^\s,@/?#]+:[0-9]+/?$`)

// docEdgeCredentials describes credentials and credentials_wo.
const docEdgeCredentials = "Content of the `.creds` file of the hub user the leaf connection logs in as, such as `nats_user.<leaf>.creds` of a user " +
	"with `leafnode`. It goes to the edge host as `credentials_file` (see `files`); `server_config` names only the path. " +
	"Only the check uses it, in a private temporary file."

func k3sEdgeSchema(ctx context.Context) schema.Schema {
	s := k3sEdgeBaseSchema(ctx)
	maps.Copy(s.Attributes, edgeCredsPair.attributes(docEdgeCredentials))
	return s
}

func k3sEdgeBaseSchema(ctx context.Context) schema.Schema {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	hostPath := func(desc, def string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional: true, Computed: true, Default: stringdefault.StaticString(def),
			MarkdownDescription: desc + " An absolute path on the edge host. Defaults to `" + def + "`.",
		}
	}
	edgePath := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, MarkdownDescription: desc, Validators: []validator.String{stringvalidator.LengthAtLeast(1)}}
	}
	return schema.Schema{
		MarkdownDescription: "A k3s edge site: k3s keeps its state through KINE's embedded NATS server, which runs on the edge host in its own " +
			"JetStream domain as a leaf node of the shared NATS system (the hub). The site goes on working when the link to the hub is lost, " +
			"and stays visible from the hub, which can mirror its datastore (`nats_kv_mirror` with `source.domain`). Leaf nodes dial out, so this works behind NAT.\n\n" +
			"The resource renders everything the edge host needs: `server_config` for KINE's embedded server, the exact `endpoint` for " +
			"`k3s server --datastore-endpoint`, a `k3s_config` snippet, and `files`, each path with its purpose, for cloud-init or a configuration " +
			"management tool. Nothing is created on the servers: the hub user the leaf connection logs in as comes from `nats_user` " +
			"(with `leafnode`), and the hub's copy of the edge's state from `nats_kv_mirror`.\n\n" +
			"On create and update, a check (`conformance`) starts the exact configuration in-process (its files in a private temporary directory, " +
			"removed afterwards), proves that the leaf connection reaches the hub and binds to the account of the provider's identity, runs KINE " +
			"against it with the endpoint's bucket and revHistory, reads the edge's bucket from the hub (a 1.5 MiB object included), cuts the link " +
			"while KINE keeps serving, and waits until the hub sees what was written meanwhile. The provider's identity must be a user of the " +
			"hub account the leaf user belongs to.\n\n" +
			"Import is not supported: nothing of the site lives on the servers to import from. Destroying the resource removes it from state only; " +
			"the edge host keeps its files and its state.",
		Attributes: map[string]schema.Attribute{
			"id": computed("The site's `name`."),
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The site: the edge server's `server_name`, which the hub shows for the leaf connection, and the default JetStream domain `edge-<name>`.",
				Validators:          []validator.String{nameValidator()},
			},
			"hub_urls": schema.ListAttribute{
				ElementType: types.StringType, Required: true,
				MarkdownDescription: "Leaf node URLs of the hub (its `leafnodes { listen }`), as `nats-leaf://host:port` or `tls://host:port`, without credentials.",
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.RegexMatches(hubURLPattern,
					"must be a leaf node URL such as nats-leaf://hub.example.net:7422 or tls://hub.example.net:7422"))},
			},
			"credentials": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: docEdgeCredentials + " Stored in state: to keep it out, set `credentials_wo` instead.",
				Validators:          edgeCredsPair.plainValidators(),
			},
			"credentials_file": hostPath("Where the leaf user's credentials live on the edge host.", edge.DefaultCredentialsFile),
			"jetstream_domain": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The edge's JetStream domain; the hub reaches the edge's JetStream as `$JS.<jetstream_domain>.API`. It must differ from the hub's " +
					"(the plan refuses the hub's own) and from every other site's. Defaults to `edge-<name>`. Changing it leaves the edge's state in the old domain: " +
					"KINE starts over with an empty bucket, and the plan warns.",
				Validators: []validator.String{domainValidator()},
			},
			"store_dir":          hostPath("JetStream store directory of the edge server, where the cluster state lives.", edge.DefaultStoreDir),
			"server_config_file": hostPath("Where `server_config` goes on the edge host; the endpoint's `serverConfig` names it.", edge.DefaultServerConfigFile),
			"k3s_config_file":    hostPath("Where `k3s_config` goes on the edge host (a drop-in k3s reads after `config.yaml`).", edge.DefaultK3sConfigFile),
			"bucket": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(k3s.DefaultBucket),
				MarkdownDescription: "Bucket that holds the cluster state on the edge, as for `nats_k3s_datastore`. Defaults to `kine`. Changing it leaves the " +
					"state in the old bucket: KINE starts over with an empty one, and the plan warns.",
				Validators: []validator.String{nameValidator()},
			},
			"rev_history": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(k3s.DefaultRevHistory),
				MarkdownDescription: "Revisions KINE keeps per key (its `revHistory`), 2 to 64. Defaults to `10`.",
				Validators:          []validator.Int64{int64validator.Between(k3s.MinRevHistory, k3s.MaxRevHistory)},
			},
			"listen": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Where the edge server accepts clients, as `host:port` (the endpoint then carries it: KINE takes the port from the endpoint, " +
					"not from the configuration), so that workloads on the site can use the local NATS. Unset: the server does not listen and KINE reaches it in-process " +
					"(`dontListen`). The local server has no authorization of its own: anyone who reaches a non-loopback address can read and write the cluster state, and the plan warns.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"max_payload": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(edge.DefaultMaxPayload),
				MarkdownDescription: fmt.Sprintf("The edge server's `max_payload`, in bytes: at least %d, which a 1.5 MiB Kubernetes object takes in KINE's encoding, "+
					"and at most 64 MiB. Every payload limit on the hub side of the link (the leaf user's, its account's, the hub's) must be at least this. Defaults to 8 MiB.",
					conformance.RequiredMaxPayload),
				Validators: []validator.Int64{int64validator.Between(conformance.RequiredMaxPayload, edge.MaxMaxPayload)},
			},
			"tls": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "TLS of the leaf connection. `ca_file`, `cert_file` and `key_file` are paths on the edge host (they go into `server_config` and `files`); `ca`, `cert` and `key` stand in for them during the check.",
				Attributes: map[string]schema.Attribute{
					"ca_file": edgePath("Path on the edge host of the CA that signed the hub's leaf node certificate."),
					"cert_file": func() schema.StringAttribute {
						a := edgePath("Path on the edge host of the client certificate, for hubs that verify leaf nodes. Needs `key_file`.")
						a.Validators = append(a.Validators, stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("key_file")))
						return a
					}(),
					"key_file": func() schema.StringAttribute {
						a := edgePath("Path on the edge host of the client certificate's key. Needs `cert_file`.")
						a.Validators = append(a.Validators, stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("cert_file")))
						return a
					}(),
					"ca":   schema.StringAttribute{Optional: true, MarkdownDescription: "PEM content (or a path on this machine) of `ca_file`, for the check. Defaults to the provider's `tls.ca`."},
					"cert": schema.StringAttribute{Optional: true, MarkdownDescription: "PEM content (or a path on this machine) of `cert_file`, for the check. Defaults to the provider's `tls.cert`."},
					"key": schema.StringAttribute{Optional: true, Sensitive: true,
						MarkdownDescription: "PEM content (or a path on this machine) of `key_file`, for the check. Defaults to the provider's `tls.key`."},
				},
			},
			"conformance":        conformanceAttribute(modeEnforce),
			"conformance_report": reportAttribute(),
			"server_config": computed("The nats-server configuration of KINE's embedded server, for `server_config_file`: `server_name`, `max_payload`, " +
				"`listen` when set, JetStream with the domain and store directory, and the leaf remote with the hub URLs, the credentials file and TLS. " +
				"Known at plan time when the inputs are."),
			"endpoint": computed("The exact `--datastore-endpoint` for `k3s server`: `nats://?serverConfig=...` with the bucket, revHistory and `dontListen` " +
				"(or `nats://<listen>?serverConfig=...`). It holds no secret."),
			"k3s_config": computed("A snippet for `k3s_config_file` that sets `datastore-endpoint`."),
			"files": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "Every file the edge host needs, in the order to write them: the credentials (`credentials`), the TLS files, `server_config` " +
					"and `k3s_config`. The store directory is made by the server.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"path":    computed("Path on the edge host."),
					"kind":    computed("Where the content comes from: `credentials`, `tls_ca`, `tls_cert`, `tls_key`, `server_config` or `k3s_config`."),
					"mode":    computed("File mode it should have: `0600` for secrets, `0644` otherwise."),
					"purpose": computed("What the file is for."),
				}},
			},
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
}
