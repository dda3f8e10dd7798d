// Package mirror keeps a copy of a KINE bucket in another place (another
// JetStream domain, another account, or under another name) as a JetStream
// mirror, and turns that copy into a bucket KINE accepts when the original
// is lost: disaster recovery for k3s.
//
// Only a mirror keeps the source's sequence numbers, which are KINE's
// revisions. The mirror is made so that, once promoted, it is exactly the
// bucket KINE creates for an endpoint with the mirror's replicas and the
// source's history; Promote removes the mirror configuration and gives the
// stream its own subjects. Seal makes a former source read-only, so two
// writable copies cannot drift apart after a failover.
package mirror

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
)

// Source is the bucket a mirror copies.
type Source struct {
	Bucket string
	// Domain is the JetStream domain of the source; empty means the
	// mirror's own domain.
	Domain string
	// APIPrefix reaches a source in another account, whose JetStream API
	// that account exports and this one imports under the prefix;
	// DeliverPrefix is where the source's messages are delivered from that
	// account. They exclude Domain.
	APIPrefix, DeliverPrefix string
}

// String names the source for messages.
func (s Source) String() string {
	switch {
	case s.APIPrefix != "":
		return fmt.Sprintf("bucket %q through API prefix %q", s.Bucket, s.APIPrefix)
	case s.Domain != "":
		return fmt.Sprintf("bucket %q in JetStream domain %q", s.Bucket, s.Domain)
	}
	return fmt.Sprintf("bucket %q in the mirror's JetStream domain", s.Bucket)
}

// Spec describes a mirror.
type Spec struct {
	Name string
	// Domain is the mirror's own JetStream domain as the caller addresses
	// it; empty means the domain of the connection.
	Domain string
	Source Source
	// Replicas of the mirror, and of the bucket after promotion; 0 means 1.
	Replicas int
	// Placement pins the mirror until it is promoted. A promoted bucket
	// stays on its servers but carries no placement: KINE refuses a bucket
	// with one.
	Placement *kv.Placement
	// AllowSourceDisruption accepts a mirror in the source's own account
	// and domain although it disturbs the source's readers (see
	// ErrSourceDisruption).
	AllowSourceDisruption bool
	// AllowBlocked mirrors a source that can never become a KINE bucket
	// anyway (see BlockedError), as a copy of its own settings: a mirror of
	// a plain bucket.
	AllowBlocked bool
}

// ErrSameStream means the mirror would be its own source.
var ErrSameStream = errors.New("a mirror in the source's own account and JetStream domain needs another name than the source")

// ErrSourceDisruption is a mirror that would break readers of its source.
// In the source's own account and domain the server makes every mirror of
// a bucket with direct gets (every KINE bucket) answer the source's direct
// gets too, whatever the mirror asks for; a mirror under another name keeps
// its keys under that name, so it answers "not found" for keys the source
// has, and KINE on the source loses keys from its reads.
var ErrSourceDisruption = errors.New("a mirror in the source's own account and JetStream domain takes part in the source's direct gets " +
	"(the server forces it on), and since it keeps its keys under its own name it answers them with \"not found\": " +
	"KINE on the source would miss keys while the mirror exists")

// Validate checks what can be checked without the servers.
func (s Spec) Validate() error {
	var errs []error
	if err := kv.ValidateName(s.Name); err != nil {
		errs = append(errs, fmt.Errorf("name: %w", err))
	}
	if err := kv.ValidateName(s.Source.Bucket); err != nil {
		errs = append(errs, fmt.Errorf("source bucket: %w", err))
	}
	if s.Source.APIPrefix != "" && s.Source.Domain != "" {
		errs = append(errs, errors.New("source: set a JetStream domain or an API prefix, not both"))
	}
	if s.Source.DeliverPrefix != "" && s.Source.APIPrefix == "" {
		errs = append(errs, errors.New("source: a deliver prefix needs an API prefix"))
	}
	if s.Replicas < 0 || s.Replicas > k3s.MaxReplicas {
		errs = append(errs, fmt.Errorf("replicas %d is out of range %d..%d", s.Replicas, k3s.MinReplicas, k3s.MaxReplicas))
	}
	if len(errs) == 0 && s.SameDomain() && s.Name == s.Source.Bucket {
		errs = append(errs, ErrSameStream)
	}
	return errors.Join(errs...)
}

// SameDomain reports a source in the mirror's own account and domain, as
// far as the spec alone tells (Create also asks the server which domain the
// mirror is in).
func (s Spec) SameDomain() bool {
	return s.Source.APIPrefix == "" && (s.Source.Domain == "" || s.Source.Domain == s.Domain)
}

// replicas is the mirror's replicas with the default filled in.
func (s Spec) replicas() int {
	if s.Replicas == 0 {
		return 1
	}
	return s.Replicas
}

// Subjects are the subjects of bucket's keys.
func Subjects(bucket string) string { return "$KV." + bucket + ".>" }

// apiPrefix is the JetStream API prefix of a domain.
func apiPrefix(domain string) string { return "$JS." + domain + ".API" }

// streamSource is the Mirror block of the mirror's stream config: the
// source's stream, reached across domains or accounts through External, and
// under another name with its keys moved to the mirror's own subjects, so
// that KINE finds them after promotion.
func (s Spec) streamSource(sameDomain bool) *jetstream.StreamSource {
	src := &jetstream.StreamSource{Name: kv.StreamName(s.Source.Bucket)}
	switch {
	case s.Source.APIPrefix != "":
		src.External = &jetstream.ExternalStream{APIPrefix: s.Source.APIPrefix, DeliverPrefix: s.Source.DeliverPrefix}
	case !sameDomain:
		src.External = &jetstream.ExternalStream{APIPrefix: apiPrefix(s.Source.Domain)}
	}
	if s.Name != s.Source.Bucket {
		src.SubjectTransforms = []jetstream.SubjectTransformConfig{{Source: Subjects(s.Source.Bucket), Destination: Subjects(s.Name)}}
	}
	return src
}

// sourceOf reads the source back from a mirror's stream config; ok is false
// for a stream that mirrors nothing (or something that is not a bucket).
// A source in the mirror's own domain reads back with an empty Domain.
func sourceOf(cfg jetstream.StreamConfig) (src Source, ok bool) {
	m := cfg.Mirror
	if m == nil {
		return Source{}, false
	}
	src.Bucket, ok = strings.CutPrefix(m.Name, "KV_")
	if ext := m.External; ext != nil && ext.APIPrefix != "" {
		if d, found := strings.CutPrefix(ext.APIPrefix, "$JS."); found && strings.HasSuffix(d, ".API") && ext.DeliverPrefix == "" {
			src.Domain = strings.TrimSuffix(d, ".API")
		} else {
			src.APIPrefix, src.DeliverPrefix = ext.APIPrefix, ext.DeliverPrefix
		}
	}
	return src, ok
}
