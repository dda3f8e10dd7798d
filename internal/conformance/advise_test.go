package conformance

import (
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
)

// Advise needs no server: a bucket shaped as KINE makes it gets the
// endpoint parameters, a plain bucket the settings that block KINE, and
// neither report claims KINE ran.
func TestAdvise(t *testing.T) {
	ep := k3s.Endpoint{Servers: []string{"nats://127.0.0.1:4222"}, NoEmbed: true, User: "u", Password: "secret-pw"}
	kine := jetstream.StreamConfig{
		Name: "KV_k", Description: k3s.KineDescription, Subjects: []string{"$KV.k.>"},
		MaxMsgsPerSubject: 7, Replicas: 1, Storage: jetstream.FileStorage, MaxMsgs: -1, MaxBytes: -1, MaxMsgSize: -1, MaxConsumers: -1,
		Discard: jetstream.DiscardNew, AllowRollup: true, DenyDelete: true, AllowDirect: true, Duplicates: 120e9,
	}
	rep := Advise("k", kine, ep)
	if !rep.Passed || !rep.AdviceOnly || rep.Advice == nil || !rep.Advice.OK || rep.Advice.RevHistory != 7 || rep.Advice.Replicas != 1 {
		t.Fatalf("KINE-shaped bucket: %+v, advice %+v", rep, rep.Advice)
	}
	if strings.Contains(rep.Advice.Endpoint, "secret-pw") || !strings.Contains(rep.Advice.Endpoint, "revHistory=7") {
		t.Errorf("endpoint %q: want revHistory=7 and the password redacted", rep.Advice.Endpoint)
	}
	if s := rep.Summary(); !strings.Contains(s, "KINE not run") || strings.Contains(s, "secret-pw") {
		t.Errorf("summary %q", s)
	}

	plain := kine
	plain.Description, plain.Storage, plain.MaxMsgsPerSubject = "", jetstream.MemoryStorage, 1
	rep = Advise("k", plain, ep)
	if rep.Passed || rep.Advice.OK || len(rep.Advice.Blockers) < 3 || rep.Failed() == nil || rep.Failed().Hint == "" {
		t.Fatalf("plain bucket: %+v, advice %+v", rep, rep.Advice)
	}
	if s := rep.Summary(); !strings.Contains(s, "Storage") || !strings.Contains(s, "History") {
		t.Errorf("summary %q does not name the blockers", s)
	}
}
