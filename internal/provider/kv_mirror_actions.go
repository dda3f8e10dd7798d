package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/conformance"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
	"github.com/natsk3s/terraform-provider-nats/internal/mirror"
)

// addMirrorError turns the mirror package's errors into diagnostics on the
// attribute to change, saying what to do.
func addMirrorError(diags *diag.Diagnostics, action string, spec mirror.Spec, err error) {
	summary := fmt.Sprintf("Cannot %s mirror %q", action, spec.Name)
	msg := err.Error()
	var blocked *mirror.BlockedError
	var lag *mirror.LagError
	switch {
	case errors.Is(err, mirror.ErrSameStream):
		diags.AddAttributeError(path.Root("name"), summary, msg+".\n\nIn the source's own JetStream domain and account the mirror is a second stream "+
			"next to the source: give it another name, or put it in another domain (jetstream_domain) where it may keep the source's name.")
	case errors.Is(err, mirror.ErrSourceDisruption):
		diags.AddAttributeError(path.Root("allow_source_disruption"), summary, msg+".\n\nPut the mirror in another JetStream domain or account (the disaster "+
			"recovery shape), or, to move a datastore to a new bucket while its k3s is stopped, set allow_source_disruption = true.")
	case errors.Is(err, mirror.ErrSourceNotFound):
		diags.AddAttributeError(path.Root("source").AtName("bucket"), "Source bucket not found",
			fmt.Sprintf("%s: there is no source %s for this identity. Nothing was created. Check source.bucket, source.domain (or api_prefix) and the credentials.", msg, spec.Source))
	case errors.Is(err, mirror.ErrSourceUnreachable):
		diags.AddAttributeError(path.Root("source"), "Source not reachable",
			msg+".\n\nNothing answered for the source: check that its region is up and the leaf node or account link to it works, and apply again.")
	case errors.As(err, &blocked):
		diags.AddAttributeError(path.Root("source"), "Source can never become a k3s datastore",
			msg+".\n\nMirror a bucket made for KINE (nats_k3s_datastore makes one), or set conformance.mode = \"report\" to mirror it as a plain copy.")
	case errors.As(err, &lag):
		diags.AddError(fmt.Sprintf("Mirror %q has not caught up", spec.Name), msg+".\n\nThe mirror exists and keeps catching up: raise the create timeout "+
			"(timeouts { create = ... }) for a large bucket, or check the link to the source; then untaint it (terraform untaint) or let the next apply replace it.")
	case errors.Is(err, mirror.ErrNotMirror):
		diags.AddAttributeError(path.Root("name"), summary, msg+": the stream neither mirrors a bucket nor was promoted from a mirror. Import it as nats_kv_bucket instead.")
	case errors.Is(err, kv.ErrExists):
		diags.AddAttributeError(path.Root("name"), summary, msg+"\n\nTo manage the existing mirror, import it: terraform import <address> <name> (or <domain>/<name>). Otherwise choose another name.")
	default:
		addBucketError(diags, action, spec.Name, err)
	}
}

// promote promotes the mirror as the model says, and explains a refusal or
// what the promotion leaves to watch.
func (r *kvMirrorResource) promote(ctx context.Context, m *kvMirrorModel, js, src jetstream.JetStream, spec mirror.Spec, diags *diag.Diagnostics) (mirror.Status, error) {
	p, err := mirror.Promote(ctx, js, src, spec, mirror.PromoteOptions{
		SealSource:   m.SealSource.ValueBool(),
		AllowLagging: m.AllowLaggingPromotion.ValueBool(),
	})
	var lag *mirror.LagError
	switch {
	case errors.As(err, &lag):
		diags.AddAttributeError(path.Root("promote"), fmt.Sprintf("Mirror %q is behind its source", spec.Name),
			err.Error()+".\n\nThe source answers, so promoting now would lose the writes the mirror has not got. Nothing was promoted. "+
				"Find out why the mirror is behind and apply again once it has caught up, or set allow_lagging_promotion = true to promote it as it is.")
		return p.Status, err
	case err != nil:
		addMirrorError(diags, "promote", spec, err)
		return p.Status, err
	}
	if !p.SourceReachable {
		diags.AddAttributeWarning(path.Root("promote"), "Promoted without reaching the source",
			fmt.Sprintf("Mirror %q was promoted with what it had (revision %d): its source %s did not answer (%s). When the source's region returns, "+
				"that bucket still accepts writes; every refresh that reaches it warns until it is sealed, and seal_source = true seals it on the first apply that reaches it.",
				spec.Name, p.LastSeq, spec.Source, p.SourceError))
	}
	if p.Lost > 0 {
		diags.AddAttributeWarning(path.Root("allow_lagging_promotion"), "Promoted behind the source",
			fmt.Sprintf("Mirror %q was promoted %d messages behind its source %s, as allow_lagging_promotion allows: those writes are not in the promoted bucket.", spec.Name, p.Lost, spec.Source))
	}
	return p.Status, nil
}

// check runs the KINE conformance check: before promotion the mirror check,
// after it the profile on the promoted bucket with the endpoint
// nats_k3s_datastore gives for it.
func (r *kvMirrorResource) check(ctx context.Context, m *kvMirrorModel, js, src jetstream.JetStream, spec mirror.Spec, st mirror.Status, diags *diag.Diagnostics) types.Object {
	return runConformance(ctx, m.Conformance, fmt.Sprintf("mirror %q", spec.Name), func(ctx context.Context, opts conformance.Options) *conformance.Report {
		if !st.Promoted {
			return conformance.RunMirror(ctx, conformance.MirrorTarget{Mirror: js, Source: src, Spec: spec}, opts)
		}
		conn, err := r.client.conn(ctx, m.Credentials)
		if err != nil {
			return conformance.Failed(opts, "connect", err)
		}
		if spec.Domain != "" {
			// KINE has no domain option: it must reach the bucket's domain
			// as its own.
			local, err := conn.JetStream("")
			if err != nil {
				return conformance.Failed(opts, "connect", err)
			}
			if info, err := local.AccountInfo(ctx); err != nil || info.Domain != spec.Domain {
				return conformance.Skipped(opts, "target", fmt.Sprintf("the promoted bucket is in JetStream domain %q, which the provider reaches only through "+
					"another domain, and KINE has no domain option: a nats_k3s_datastore adopting the bucket, with a provider connected to that domain, runs the check", spec.Domain))
			}
		}
		t, err := identityTarget(r.client.identityFor(m.Credentials))
		if err != nil {
			return conformance.Failed(opts, "target", err)
		}
		t.Endpoint.Bucket, t.Endpoint.Replicas, t.Endpoint.RevHistory = spec.Name, st.Config.Replicas, int(st.Config.MaxMsgsPerSubject)
		return conformance.Run(ctx, conn.NC, t, opts)
	}, diags)
}
