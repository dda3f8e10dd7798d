package mirror

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/kv"
)

// Create makes the mirror described by spec through js (the mirror's
// JetStream), reading its source through src, and returns its status. It
// creates nothing when the mirror exists already (kv.ErrExists), when the
// source is missing (ErrSourceNotFound) or does not answer
// (ErrSourceUnreachable), when the source can never become a KINE bucket
// (*BlockedError), or when a mirror in the source's own domain would break
// the source's readers (ErrSourceDisruption, unless allowed).
//
// An error wrapping kv.ErrMayExist means the mirror may exist all the same.
// The mirror starts catching up at once; WaitCaughtUp waits for it.
func Create(ctx context.Context, js, src jetstream.JetStream, spec Spec) (Status, error) {
	if err := spec.Validate(); err != nil {
		return Status{}, fmt.Errorf("create mirror: %w", err)
	}
	same, err := sameDomain(ctx, js, spec)
	if err != nil {
		return Status{}, fmt.Errorf("create mirror %q: %w", spec.Name, err)
	}
	if same && spec.Name == spec.Source.Bucket {
		return Status{}, fmt.Errorf("create mirror %q: %w", spec.Name, ErrSameStream)
	}
	switch _, err := kv.ReadStream(ctx, js, kv.StreamName(spec.Name)); {
	case err == nil:
		return Status{}, fmt.Errorf("create mirror %q: %w", spec.Name, kv.ErrExists)
	case !errors.Is(err, jetstream.ErrStreamNotFound):
		return Status{}, fmt.Errorf("create mirror %q: look for an existing bucket: %w", spec.Name, err)
	}
	source, err := probe(ctx, src, spec.Source.Bucket)
	if err != nil {
		return Status{}, fmt.Errorf("create mirror %q of source %s: %w", spec.Name, spec.Source, err)
	}
	if same && source.Config.AllowDirect && !spec.AllowSourceDisruption {
		return Status{}, fmt.Errorf("create mirror %q of source %s: %w", spec.Name, spec.Source, ErrSourceDisruption)
	}
	cfg, err := StreamConfig(spec, source.Config, same)
	if err != nil {
		return Status{}, fmt.Errorf("create mirror %q: %w", spec.Name, err)
	}
	if _, err := kv.CreateStream(ctx, js, cfg); err != nil {
		switch {
		case errors.Is(err, jetstream.ErrStreamNameAlreadyInUse):
			err = kv.ErrExists // made by someone else since the check above
		case !kv.Refused(err):
			err = fmt.Errorf("%w (%w)", err, kv.ErrMayExist)
		}
		return Status{}, fmt.Errorf("create mirror %q: %w", spec.Name, err)
	}
	if err := kv.WaitHealthy(ctx, js, spec.Name, spec.replicas()); err != nil {
		return Status{}, fmt.Errorf("create mirror %q: %w (%w)", spec.Name, err, kv.ErrMayExist)
	}
	st, err := Get(ctx, js, src, spec)
	if err != nil {
		return st, fmt.Errorf("create mirror %q: read it back: %w (%w)", spec.Name, err, kv.ErrMayExist)
	}
	return st, nil
}

// sameDomain reports whether the source is in the mirror's account and
// domain. A spec that leaves the mirror's domain to the connection is
// resolved by asking the server which domain that is: a mirror told to
// reach its own domain through the domain's API prefix never syncs.
func sameDomain(ctx context.Context, js jetstream.JetStream, spec Spec) (bool, error) {
	if spec.SameDomain() {
		return true, nil
	}
	if spec.Source.APIPrefix != "" || spec.Domain != "" {
		return false, nil
	}
	info, err := js.AccountInfo(ctx)
	if err != nil {
		return false, fmt.Errorf("which JetStream domain the mirror is in: %w", err)
	}
	return info.Domain == spec.Source.Domain, nil
}

// Resize changes the mirror's replicas and, until it is promoted, its
// placement, in place, and waits until every replica is current.
func Resize(ctx context.Context, js jetstream.JetStream, spec Spec) error {
	cfg, err := kv.Get(ctx, js, spec.Name)
	if err != nil {
		return fmt.Errorf("resize mirror: %w", err)
	}
	cfg.Replicas = spec.replicas()
	s, err := js.Stream(ctx, kv.StreamName(spec.Name))
	if err != nil {
		return fmt.Errorf("resize mirror %q: %w", spec.Name, err)
	}
	if s.CachedInfo().Config.Mirror != nil {
		cfg.Placement = spec.Placement
	}
	if _, err := kv.Update(ctx, js, cfg); err != nil {
		return fmt.Errorf("resize mirror: %w", err)
	}
	if err := kv.WaitHealthy(ctx, js, spec.Name, cfg.Replicas); err != nil {
		return fmt.Errorf("resize mirror %q: %w", spec.Name, err)
	}
	return nil
}

// Delete removes the mirror, or the bucket it was promoted into, with its
// keys. A missing mirror is kv.ErrNotFound (wrapped).
func Delete(ctx context.Context, js jetstream.JetStream, name string) error {
	return kv.Delete(ctx, js, name)
}
