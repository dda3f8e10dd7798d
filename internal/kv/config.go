// Package kv manages JetStream key-value buckets: it creates, reads back,
// updates and deletes the stream KV_<bucket> behind a bucket, and compares
// two bucket configurations. Everything it returns is read from the server,
// never echoed from the request, so a Terraform plan after apply is empty.
package kv

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Storage values.
const (
	StorageFile   = "file"
	StorageMemory = "memory"
)

// Limits JetStream puts on a bucket.
const (
	MaxHistory  = 64
	MaxReplicas = 5
	// maxNameLen keeps "KV_" + name within the server's 255-byte stream name.
	maxNameLen = 255 - len(StreamPrefix)
)

// Placement pins a bucket to a cluster and/or to servers carrying all tags.
type Placement struct {
	Cluster string
	Tags    []string
}

// RePublish republishes every stored message whose subject matches Source
// (a subject of the bucket's stream, such as "$KV.<bucket>.>"; empty or ">"
// means every key) to Destination, a subject outside the bucket.
type RePublish struct {
	Source, Destination string
	HeadersOnly         bool
}

// Config is a bucket's settings in plain Go. Zero values mean the JetStream
// default: History 0 -> 1, MaxValueSize/MaxBytes 0 -> unlimited (read back
// as -1), Storage "" -> "file", Replicas 0 -> 1.
type Config struct {
	Name, Description string
	History           int           // 1..64
	TTL               time.Duration // 0 = keys never expire
	MaxValueSize      int32         // -1 unlimited
	MaxBytes          int64         // -1 unlimited
	Storage           string        // "file" | "memory"
	Replicas          int           // 1..5
	Compression       bool          // S2 compression of the stream's blocks
	Placement         *Placement    // nil = none
	RePublish         *RePublish    // nil = none
	// Metadata holds user metadata only: the server's own "_nats." keys are
	// stripped on read and refused on write.
	Metadata map[string]string
	// LimitMarkerTTL keeps markers for keys removed by TTL or limits; it
	// also enables per-key TTLs. 0 = off.
	LimitMarkerTTL time.Duration
}

// reservedMetadataPrefix marks the metadata keys the server writes itself.
const reservedMetadataPrefix = "_nats."

var validName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ValidateName reports whether JetStream accepts name as a bucket name.
func ValidateName(name string) error {
	switch {
	case name == "":
		return errors.New("bucket name is empty")
	case len(name) > maxNameLen:
		return fmt.Errorf("bucket name %q is too long: at most %d characters", name, maxNameLen)
	case !validName.MatchString(name):
		return fmt.Errorf("bucket name %q is invalid: only letters, digits, '-' and '_' are allowed", name)
	}
	return nil
}

// Validate checks c before it is sent, so mistakes come back as plain
// messages instead of a server round trip.
func (c Config) Validate() error {
	if err := ValidateName(c.Name); err != nil {
		return err
	}
	var errs []error
	if c.History < 0 || c.History > MaxHistory {
		errs = append(errs, fmt.Errorf("history %d is out of range 1..%d", c.History, MaxHistory))
	}
	if c.TTL < 0 {
		errs = append(errs, fmt.Errorf("ttl %s is negative", c.TTL))
	}
	if c.MaxValueSize < -1 {
		errs = append(errs, fmt.Errorf("max value size %d is invalid: -1 means unlimited", c.MaxValueSize))
	}
	if c.MaxBytes < -1 {
		errs = append(errs, fmt.Errorf("max bytes %d is invalid: -1 means unlimited", c.MaxBytes))
	}
	if _, err := storageType(c.Storage); err != nil {
		errs = append(errs, err)
	}
	if c.Replicas < 0 || c.Replicas > MaxReplicas {
		errs = append(errs, fmt.Errorf("replicas %d is out of range 1..%d", c.Replicas, MaxReplicas))
	}
	if c.LimitMarkerTTL < 0 || (c.LimitMarkerTTL > 0 && c.LimitMarkerTTL < time.Second) {
		errs = append(errs, fmt.Errorf("limit marker ttl %s is invalid: 0 (off) or at least 1s", c.LimitMarkerTTL))
	}
	if c.RePublish != nil && c.RePublish.Destination == "" {
		errs = append(errs, errors.New("republish destination is empty"))
	}
	for k := range c.Metadata {
		if strings.HasPrefix(k, reservedMetadataPrefix) {
			errs = append(errs, fmt.Errorf("metadata key %q is reserved for the server", k))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("bucket %q: %w", c.Name, errors.Join(errs...))
	}
	return nil
}

// WithDefaults fills zero values with what JetStream applies, so that two
// configs can be compared field by field.
func (c Config) WithDefaults() Config {
	if c.History == 0 {
		c.History = 1
	}
	if c.MaxValueSize == 0 {
		c.MaxValueSize = -1
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = -1
	}
	if c.Storage == "" {
		c.Storage = StorageFile
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.Placement != nil && c.Placement.Cluster == "" && len(c.Placement.Tags) == 0 {
		c.Placement = nil // the server drops an empty placement
	}
	if c.RePublish != nil && c.RePublish.Source == "" {
		rp := *c.RePublish
		rp.Source = ">" // the server stores an empty source as ">"
		c.RePublish = &rp
	}
	if len(c.Metadata) == 0 {
		c.Metadata = nil
	}
	return c
}
