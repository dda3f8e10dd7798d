package mirror

import (
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/kv"
)

// kvDuplicates is the duplicate window nats.go gives a bucket without TTL.
const kvDuplicates = 2 * time.Minute

// BlockedError is a source no mirror of which can ever become a bucket KINE
// accepts: its settings are not KINE's (a TTL, compression, limit markers,
// limits, memory storage, another description, a history outside 2..64).
type BlockedError struct {
	Source   Source
	Blockers []k3s.Difference
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("source %s is not a bucket KINE accepts, so a mirror of it could never be promoted into one: %s", e.Source, k3s.Describe(e.Blockers))
}

// Blockers lists the settings of a source's stream that keep any mirror of
// it from ever becoming a bucket KINE accepts. The source must itself be a
// KINE bucket; its replicas and placement do not matter (the mirror has its
// own), nor whether it is sealed (a sealed former source can still be
// mirrored back).
func Blockers(source jetstream.StreamConfig) []k3s.Difference {
	// A sealed stream reads back with purges denied and rollups off.
	if source.Sealed {
		source.Sealed, source.DenyPurge, source.AllowRollup = false, false, true
	}
	_, _, blockers, _ := k3s.Advise(source)
	var out []k3s.Difference
	for _, b := range blockers {
		if b.Field != "Placement" {
			out = append(out, b)
		}
	}
	return out
}

// StreamConfig is the mirror's stream config for a source with the given
// stream config: KINE's bucket for the mirror's name and replicas and the
// source's history, mirroring the source instead of owning subjects.
// sameDomain says whether the source is in the mirror's account and domain.
//
// Direct gets of the mirror's own keys stay on (KINE needs them after
// promotion); mirror-direct is asked off, so that a mirror in another
// domain never answers reads meant for its source (the server forces it on
// in the source's own account and domain).
func StreamConfig(spec Spec, source jetstream.StreamConfig, sameDomain bool) (jetstream.StreamConfig, error) {
	cfg := k3s.StreamConfig(spec.Name, spec.replicas(), int(source.MaxMsgsPerSubject))
	if b := Blockers(source); len(b) > 0 {
		if !spec.AllowBlocked {
			return jetstream.StreamConfig{}, &BlockedError{Source: spec.Source, Blockers: b}
		}
		cfg = plainCopy(spec, source)
	}
	cfg.Subjects = nil // the server refuses subjects on a mirror
	cfg.Mirror = spec.streamSource(sameDomain)
	cfg.MirrorDirect = false
	cfg.Placement = spec.Placement.JetStream()
	return cfg, nil
}

// plainCopy is a mirror config keeping the source's own limits (TTL, sizes,
// compression, storage): the mirror of a bucket that is not KINE's. What a
// mirror cannot have (limit markers, republishing, sources, sealing) is
// left out, and so is the server's own metadata.
func plainCopy(spec Spec, source jetstream.StreamConfig) jetstream.StreamConfig {
	cfg := source
	cfg.Name = kv.StreamName(spec.Name)
	cfg.Replicas = spec.replicas()
	if cfg.Sealed {
		cfg.Sealed, cfg.DenyPurge, cfg.AllowRollup = false, false, true
	}
	cfg.Sources, cfg.FirstSeq, cfg.SubjectTransform, cfg.RePublish = nil, 0, nil, nil
	cfg.SubjectDeleteMarkerTTL, cfg.AllowMsgTTL = 0, false
	cfg.Metadata = nil
	for k, v := range source.Metadata {
		if !strings.HasPrefix(k, "_nats.") {
			if cfg.Metadata == nil {
				cfg.Metadata = map[string]string{}
			}
			cfg.Metadata[k] = v
		}
	}
	return cfg
}

// Promoted is a mirror's stream config after promotion: no mirror, the
// bucket's own subjects (without them the server would default to the
// stream's name, which KINE refuses), mirror-direct off (the server keeps
// it otherwise, and KINE refuses that too) and no placement (KINE creates
// buckets without one). A mirror may have lost its duplicate window (a
// clustered server, or one restarted, drops it from mirrors): the bucket
// gets the window nats.go gives a KV again.
func Promoted(cfg jetstream.StreamConfig) jetstream.StreamConfig {
	name := strings.TrimPrefix(cfg.Name, "KV_")
	if cfg.Duplicates == 0 {
		cfg.Duplicates = kvDuplicates
		if cfg.MaxAge > 0 && cfg.MaxAge < kvDuplicates {
			cfg.Duplicates = cfg.MaxAge
		}
	}
	cfg.Mirror = nil
	cfg.Subjects = []string{Subjects(name)}
	cfg.MirrorDirect = false
	cfg.Placement = nil
	return cfg
}

// KineDifferences lists what keeps KINE from accepting the mirror (as it
// will be once promoted, if it is not yet) with an endpoint carrying the
// stream's own replicas and history, history outside KINE's 2..64
// included. Empty means that endpoint works.
func KineDifferences(cfg jetstream.StreamConfig) []k3s.Difference {
	if cfg.Mirror != nil {
		cfg = Promoted(cfg)
	}
	_, _, blockers, _ := k3s.Advise(cfg)
	return blockers
}
