// Command demo is `make demo`: it applies examples/demo with the real
// terraform CLI and the locally built provider against an in-process
// JetStream server, shows the outputs, checks on the server that the buckets
// are really there (the KINE one exactly as KINE makes it), destroys
// everything and cleans up.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

// commandTimeout bounds each terraform command: the demo's are seconds long.
const commandTimeout = 5 * time.Minute

type options struct {
	provider, terraform, config string
	keep                        bool
}

func main() {
	var o options
	flag.StringVar(&o.provider, "provider", "bin/terraform-provider-nats", "the provider binary to use (make build)")
	flag.StringVar(&o.terraform, "terraform", "", "the terraform binary; default TF_ACC_TERRAFORM_PATH, then terraform on PATH")
	flag.StringVar(&o.config, "config", "examples/demo", "directory of the demo's .tf files")
	flag.BoolVar(&o.keep, "keep", false, "after checking, keep the server and buckets until Ctrl-C, then destroy")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, stop, o)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo FAILED: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("\ndemo OK")
}

// outputs are the demo configuration's outputs, as `terraform output -json`
// gives them.
type outputs struct {
	BucketNames       []string `json:"bucket_names"`
	StreamNames       []string `json:"stream_names"`
	KineLastSequence  uint64   `json:"kine_last_sequence"`
	DatastoreEndpoint string   `json:"datastore_endpoint"`
}

func run(ctx context.Context, stopSignals func(), o options) error {
	if _, err := os.Stat(filepath.Join(o.config, "main.tf")); err != nil {
		return fmt.Errorf("demo configuration not found (run from the repository root, as `make demo` does): %w", err)
	}

	banner("Starting an in-process JetStream nats-server")
	srv, err := testnats.Start(testnats.Config{Name: "demo"})
	if err != nil {
		return fmt.Errorf("start nats-server: %w", err)
	}
	defer srv.Shutdown()
	u, err := url.Parse(srv.URL)
	if err != nil {
		return fmt.Errorf("server URL %q: %w", srv.URL, err)
	}
	fmt.Printf("listening on %s (max_payload %d MiB)\n", srv.URL, testnats.DefaultMaxPayload>>20)

	w, err := tfrun.New(tfrun.Options{
		Terraform: o.terraform,
		Provider:  o.provider,
		Env:       []string{"NATS_URL=" + srv.URL, "TF_VAR_nats_hostport=" + u.Host},
		Echo:      os.Stdout,
	})
	if err != nil {
		return err
	}
	defer w.Close()
	files, err := w.CopyFiles(filepath.Join(o.config, "*.tf"))
	if err != nil {
		return err
	}
	version, err := w.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("terraform %s (%s), provider %s, config %s\n", version, w.Terraform(), o.provider, strings.Join(files, " "))

	// Colours only for a person at a terminal; logs get plain text.
	color := []string{}
	if !isTerminal(os.Stdout) {
		color = []string{"-no-color"}
	}

	banner("terraform apply")
	if err := step(ctx, w, append([]string{"apply", "-auto-approve", "-input=false"}, color...)...); err != nil {
		return err
	}

	banner("terraform output")
	if err := step(ctx, w, append([]string{"output"}, color...)...); err != nil {
		return err
	}
	var out outputs
	if err := readOutputs(ctx, w, &out); err != nil {
		return err
	}

	banner("Checking on the server with nats.go")
	nc, err := nats.Connect(srv.URL, nats.Name("terraform-provider-nats demo"))
	if err != nil {
		return fmt.Errorf("connect to %s: %w", srv.URL, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	if err := verify(ctx, js, out, u.Host); err != nil {
		return err
	}

	if o.keep {
		fmt.Printf("\nKeeping everything for you to look at. Server: %s\n", srv.URL)
		fmt.Printf("  nats --server %s kv ls\n", srv.URL)
		fmt.Printf("  TF_CLI_CONFIG_FILE=%s NATS_URL=%s TF_VAR_nats_hostport=%s %s -chdir=%s plan\n",
			w.CLIConfig(), srv.URL, u.Host, w.Terraform(), w.Dir)
		fmt.Println("Press Ctrl-C to destroy and stop.")
		<-ctx.Done()
		// A second Ctrl-C should kill the demo rather than be swallowed.
		stopSignals()
		ctx = context.Background()
	}

	banner("terraform destroy")
	if err := destroy(ctx, w); err != nil {
		return err
	}
	for _, name := range out.BucketNames {
		if _, err := js.KeyValue(ctx, name); !errors.Is(err, jetstream.ErrBucketNotFound) {
			return fmt.Errorf("bucket %q still there after destroy (lookup: %v)", name, err)
		}
	}
	fmt.Printf("buckets %s are gone from the server\n", strings.Join(out.BucketNames, ", "))

	banner("Stopping the server and removing the work directory")
	return nil
}

// step runs one terraform command, its output streaming to the terminal.
func step(ctx context.Context, w *tfrun.Workspace, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	res, err := w.Run(ctx, args...)
	if err != nil {
		return err
	}
	fmt.Printf("(terraform %s took %s)\n", args[0], res.Duration.Round(time.Millisecond))
	return nil
}

// destroy shows only the progress lines of `terraform destroy`: its plan
// repeats every attribute of every bucket. All of it is shown on failure.
func destroy(ctx context.Context, w *tfrun.Workspace) error {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	res, err := w.RunQuiet(ctx, nil, "destroy", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		fmt.Print(res.Stdout)
		return err
	}
	for _, line := range strings.Split(res.Stdout, "\n") {
		if strings.Contains(line, "Destroying...") || strings.Contains(line, "Destruction complete") ||
			strings.HasPrefix(line, "Destroy complete!") ||
			(strings.HasPrefix(line, "Warning:") && !strings.Contains(line, "development overrides")) {
			fmt.Println(line)
		}
	}
	fmt.Printf("(terraform destroy took %s)\n", res.Duration.Round(time.Millisecond))
	return nil
}

func readOutputs(ctx context.Context, w *tfrun.Workspace, out *outputs) error {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	// Quietly: the person has just seen them.
	res, err := w.RunQuiet(ctx, nil, "output", "-json")
	if err != nil {
		return err
	}
	var raw map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &raw); err != nil {
		return fmt.Errorf("decode terraform output -json: %w", err)
	}
	fields := map[string]any{
		"bucket_names":       &out.BucketNames,
		"stream_names":       &out.StreamNames,
		"kine_last_sequence": &out.KineLastSequence,
		"datastore_endpoint": &out.DatastoreEndpoint,
	}
	for name, dst := range fields {
		v, ok := raw[name]
		if !ok {
			return fmt.Errorf("terraform output has no %q", name)
		}
		if err := json.Unmarshal(v.Value, dst); err != nil {
			return fmt.Errorf("output %s: %w", name, err)
		}
	}
	if len(out.BucketNames) == 0 || len(out.BucketNames) != len(out.StreamNames) {
		return fmt.Errorf("outputs name %d buckets and %d streams", len(out.BucketNames), len(out.StreamNames))
	}
	return nil
}

// verify checks what Terraform said against what the server has.
func verify(ctx context.Context, js jetstream.JetStream, out outputs, hostport string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for i, name := range out.BucketNames {
		kv, err := js.KeyValue(ctx, name)
		if err != nil {
			return fmt.Errorf("bucket %q from the outputs is not on the server: %w", name, err)
		}
		st, err := kv.Status(ctx)
		if err != nil {
			return fmt.Errorf("status of bucket %q: %w", name, err)
		}
		bs, ok := st.(*jetstream.KeyValueBucketStatus)
		if !ok {
			return fmt.Errorf("bucket %q: unexpected status type %T", name, st)
		}
		info := bs.StreamInfo()
		if info.Config.Name != out.StreamNames[i] {
			return fmt.Errorf("bucket %q: stream is %q on the server, %q in the outputs", name, info.Config.Name, out.StreamNames[i])
		}
		fmt.Printf("  ok  bucket %-12s stream %-15s history %-2d storage %-6s replicas %d  %q\n",
			name, info.Config.Name, st.History(), info.Config.Storage, info.Config.Replicas, info.Config.Description)
		if name != k3s.DefaultBucket {
			continue
		}
		if diffs := k3s.Compare(info.Config, k3s.DefaultReplicas, k3s.DefaultRevHistory); len(diffs) > 0 {
			var ds []string
			for _, d := range diffs {
				ds = append(ds, d.String())
			}
			return fmt.Errorf("bucket %q is not what KINE creates, KINE would refuse to start: %s", name, strings.Join(ds, "; "))
		}
		fmt.Printf("  ok  bucket %s is exactly what KINE creates (replicas %d, revHistory %d)\n", name, k3s.DefaultReplicas, k3s.DefaultRevHistory)
		if out.KineLastSequence != info.State.LastSeq {
			return fmt.Errorf("kine_last_sequence is %d, the server says %d", out.KineLastSequence, info.State.LastSeq)
		}
		fmt.Printf("  ok  kine_last_sequence %d matches the server\n", out.KineLastSequence)
	}

	e, err := k3s.ParseEndpoint(out.DatastoreEndpoint)
	if err != nil {
		return fmt.Errorf("datastore_endpoint %q: %w", out.DatastoreEndpoint, err)
	}
	server := ""
	if len(e.Servers) == 1 {
		server = strings.TrimPrefix(e.Servers[0], "nats://")
	}
	if server != hostport || e.Bucket != k3s.DefaultBucket || !e.NoEmbed {
		return fmt.Errorf("datastore_endpoint %q: want server %s, bucket %s and noEmbed", out.DatastoreEndpoint, hostport, k3s.DefaultBucket)
	}
	fmt.Printf("  ok  datastore_endpoint %s points KINE at this server and bucket\n", out.DatastoreEndpoint)
	return nil
}

func banner(s string) {
	fmt.Printf("\n==> %s\n", s)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
