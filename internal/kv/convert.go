package kv

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// StreamPrefix starts the name of every KV bucket's stream.
const StreamPrefix = "KV_"

// StreamName is the JetStream stream that holds bucket.
func StreamName(bucket string) string { return StreamPrefix + bucket }

func storageType(s string) (jetstream.StorageType, error) {
	switch s {
	case "", StorageFile:
		return jetstream.FileStorage, nil
	case StorageMemory:
		return jetstream.MemoryStorage, nil
	}
	return 0, fmt.Errorf("storage %q is invalid: %q or %q", s, StorageFile, StorageMemory)
}

func storageName(t jetstream.StorageType) string {
	if t == jetstream.MemoryStorage {
		return StorageMemory
	}
	return StorageFile
}

// keyValueConfig is what Create hands to nats.go, which adds the KV stream
// conventions (subjects, rollups, direct get, discard new, duplicates).
func keyValueConfig(c Config) jetstream.KeyValueConfig {
	c = c.WithDefaults()
	st, _ := storageType(c.Storage) // checked by Validate
	return jetstream.KeyValueConfig{
		Bucket:         c.Name,
		Description:    c.Description,
		History:        uint8(c.History),
		TTL:            c.TTL,
		MaxValueSize:   c.MaxValueSize,
		MaxBytes:       c.MaxBytes,
		Storage:        st,
		Replicas:       c.Replicas,
		Compression:    c.Compression,
		Placement:      toPlacement(c.Placement),
		RePublish:      toRePublish(c.RePublish),
		Metadata:       maps.Clone(c.Metadata),
		LimitMarkerTTL: c.LimitMarkerTTL,
	}
}

// applyTo writes the bucket settings of c onto the stream's current config
// and leaves every other field alone. UpdateKeyValue rebuilds the whole
// stream config instead, which would drop mirrors and sources and fail on a
// bucket that once had limit markers (the server refuses to turn message
// TTLs off again).
func applyTo(sc jetstream.StreamConfig, c Config) jetstream.StreamConfig {
	c = c.WithDefaults()
	sc.Description = c.Description
	sc.MaxMsgsPerSubject = int64(c.History)
	sc.MaxAge = c.TTL
	sc.MaxMsgSize = c.MaxValueSize
	sc.MaxBytes = c.MaxBytes
	sc.Replicas = c.Replicas
	sc.Compression = jetstream.NoCompression
	if c.Compression {
		sc.Compression = jetstream.S2Compression
	}
	sc.Placement = toPlacement(c.Placement)
	sc.RePublish = toRePublish(c.RePublish)
	sc.Metadata = maps.Clone(c.Metadata)
	sc.SubjectDeleteMarkerTTL = c.LimitMarkerTTL
	if c.LimitMarkerTTL > 0 {
		sc.AllowMsgTTL = true
	}
	// Same rule as nats.go's KV create: the duplicate window is 2 minutes,
	// shortened to the TTL, because the server refuses one longer than MaxAge.
	sc.Duplicates = 2 * time.Minute
	if c.TTL > 0 && c.TTL < sc.Duplicates {
		sc.Duplicates = c.TTL
	}
	return sc
}

// fromStream reads a bucket's settings out of its stream config.
func fromStream(sc jetstream.StreamConfig) Config {
	c := Config{
		Name:           strings.TrimPrefix(sc.Name, StreamPrefix),
		Description:    sc.Description,
		History:        int(sc.MaxMsgsPerSubject),
		TTL:            sc.MaxAge,
		MaxValueSize:   sc.MaxMsgSize,
		MaxBytes:       sc.MaxBytes,
		Storage:        storageName(sc.Storage),
		Replicas:       sc.Replicas,
		Compression:    sc.Compression != jetstream.NoCompression,
		LimitMarkerTTL: sc.SubjectDeleteMarkerTTL,
	}
	c.Placement = PlacementOf(sc.Placement)
	if rp := sc.RePublish; rp != nil {
		c.RePublish = &RePublish{Source: rp.Source, Destination: rp.Destination, HeadersOnly: rp.HeadersOnly}
	}
	for k, v := range sc.Metadata {
		if strings.HasPrefix(k, reservedMetadataPrefix) {
			continue
		}
		if c.Metadata == nil {
			c.Metadata = map[string]string{}
		}
		c.Metadata[k] = v
	}
	return c
}

func toPlacement(p *Placement) *jetstream.Placement {
	if p == nil || (p.Cluster == "" && len(p.Tags) == 0) {
		return nil
	}
	return &jetstream.Placement{Cluster: p.Cluster, Tags: slices.Clone(p.Tags)}
}

func toRePublish(rp *RePublish) *jetstream.RePublish {
	if rp == nil {
		return nil
	}
	return &jetstream.RePublish{Source: rp.Source, Destination: rp.Destination, HeadersOnly: rp.HeadersOnly}
}
