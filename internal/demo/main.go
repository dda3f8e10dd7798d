// Command demo is `make demo`: the k3s-on-NATS stack, end to end, with the
// real terraform CLI and the locally built provider. Stage 1 makes an
// operator offline (examples/demo/operator); an in-process nats-server
// starts from its server_config; stage 2 (examples/demo/k3s) puts one k3s
// cluster's state on it: its own account, a least-privilege KINE user, and
// a datastore that a real KINE, linked into the provider, has just used
// through the exact --datastore-endpoint. The demo then checks all of it on
// the server, destroys everything and cleans up.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/k3s"
	"github.com/natsk3s/terraform-provider-nats/internal/natsconn"
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

func run(ctx context.Context, stopSignals func(), o options) error {
	for _, stage := range []string{"operator", "k3s"} {
		if _, err := os.Stat(filepath.Join(o.config, stage, "main.tf")); err != nil {
			return fmt.Errorf("demo configuration not found (run from the repository root, as `make demo` does): %w", err)
		}
	}
	// Colours only for a person at a terminal; logs get plain text.
	color := []string{}
	if !isTerminal(os.Stdout) {
		color = []string{"-no-color"}
	}
	apply := append([]string{"apply", "-auto-approve", "-input=false"}, color...)

	banner("Stage 1: an operator-mode NATS system, made offline (examples/demo/operator)")
	resolverDir, err := os.MkdirTemp("", "demo-resolver-")
	if err != nil {
		return fmt.Errorf("make resolver dir: %w", err)
	}
	defer os.RemoveAll(resolverDir)
	opWS, err := workspace(o, filepath.Join(o.config, "operator"), []string{"TF_VAR_resolver_dir=" + resolverDir})
	if err != nil {
		return err
	}
	defer opWS.Close()
	if err := step(ctx, opWS, apply...); err != nil {
		return err
	}
	var op struct {
		ServerConfig    string `json:"server_config"`
		OperatorJWT     string `json:"operator_jwt"`
		SigningSeed     string `json:"operator_signing_seed"`
		SystemUserCreds string `json:"system_user_creds"`
	}
	if err := readOutputs(ctx, opWS, &op); err != nil {
		return err
	}

	banner("Starting an in-process nats-server from nats_operator.demo.server_config")
	srv, err := testnats.Start(testnats.Config{Name: "demo", Extra: op.ServerConfig})
	if err != nil {
		return fmt.Errorf("start nats-server from the operator's server_config: %w", err)
	}
	defer srv.Shutdown()
	fmt.Printf("listening on %s (operator mode, full resolver in %s, max_payload %d MiB)\n", srv.URL, resolverDir, testnats.DefaultMaxPayload>>20)

	banner("Stage 2: a k3s cluster's datastore on it (examples/demo/k3s)")
	k3sEnv := []string{
		"TF_VAR_nats_url=" + srv.URL,
		"TF_VAR_operator_jwt=" + op.OperatorJWT,
		"TF_VAR_operator_signing_seed=" + op.SigningSeed,
		"TF_VAR_system_user_creds=" + op.SystemUserCreds,
	}
	w, err := workspace(o, filepath.Join(o.config, "k3s"), k3sEnv)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := step(ctx, w, apply...); err != nil {
		return err
	}
	if err := step(ctx, w, append([]string{"output"}, color...)...); err != nil {
		return err
	}
	var out struct {
		Endpoint  string `json:"datastore_endpoint"`
		K3sConfig string `json:"k3s_config"`
		KineCheck string `json:"kine_check"`
		Account   string `json:"k3s_account"`
		KineCreds string `json:"kine_creds"`
		AppsCreds string `json:"apps_creds"`
	}
	if err := readOutputs(ctx, w, &out); err != nil {
		return err
	}
	fmt.Printf("\n/etc/rancher/k3s/config.yaml gets:\n  %s", out.K3sConfig)

	banner("Checking on the server, as the users Terraform made")
	if err := verify(ctx, srv.URL, out.Endpoint, out.KineCreds, out.AppsCreds); err != nil {
		return err
	}

	if o.keep {
		fmt.Printf("\nKeeping everything for you to look at. Server: %s\n", srv.URL)
		fmt.Printf("  TF_CLI_CONFIG_FILE=%s %s -chdir=%s plan   (with the TF_VAR_* of stage 2)\n", w.CLIConfig(), w.Terraform(), w.Dir)
		fmt.Println("Press Ctrl-C to destroy and stop.")
		<-ctx.Done()
		// A second Ctrl-C should kill the demo rather than be swallowed.
		stopSignals()
		ctx = context.Background()
	}

	banner("terraform destroy (stage 2, then stage 1)")
	if err := destroy(ctx, w); err != nil {
		return err
	}
	if err := destroy(ctx, opWS); err != nil {
		return err
	}

	banner("Stopping the server and removing the work directories")
	return nil
}

// workspace makes a terraform work dir holding the .tf files of dir.
func workspace(o options, dir string, env []string) (*tfrun.Workspace, error) {
	w, err := tfrun.New(tfrun.Options{Terraform: o.terraform, Provider: o.provider, Env: env, Echo: os.Stdout})
	if err != nil {
		return nil, err
	}
	if _, err := w.CopyFiles(filepath.Join(dir, "*.tf")); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// readOutputs decodes `terraform output -json` into out (see
// tfrun.Workspace.Outputs). The demo hands sensitive outputs from one stage
// to the next and never prints them.
func readOutputs(ctx context.Context, w *tfrun.Workspace, out any) error {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	return w.Outputs(ctx, out)
}

// verify checks what Terraform said against what the server has, connecting
// as the users Terraform made.
func verify(ctx context.Context, url, endpoint, kineCreds, appsCreds string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	e, err := k3s.ParseEndpoint(endpoint)
	if err != nil {
		return fmt.Errorf("datastore endpoint %q: %w", endpoint, err)
	}
	fmt.Printf("  ok  --datastore-endpoint %s\n", endpoint)

	kineJS, closeKine, err := connect(url, kineCreds)
	if err != nil {
		return fmt.Errorf("connect as the KINE user: %w", err)
	}
	defer closeKine()
	s, err := kineJS.Stream(ctx, "KV_"+e.Bucket)
	if err != nil {
		return fmt.Errorf("the KINE user cannot see its bucket %q: %w", e.Bucket, err)
	}
	cfg := s.CachedInfo().Config
	if diffs := k3s.Compare(cfg, e.Replicas, e.RevHistory); len(diffs) > 0 {
		return fmt.Errorf("bucket %q is not what KINE creates for this endpoint: %v", e.Bucket, diffs)
	}
	fmt.Printf("  ok  bucket %s is exactly what KINE creates for this endpoint (replicas %d, revHistory %d)\n", e.Bucket, e.Replicas, e.RevHistory)
	stats, err := k3s.Inspect(ctx, kineJS, e.Bucket)
	if err != nil {
		return fmt.Errorf("inspect bucket %q: %w", e.Bucket, err)
	}
	if !stats.HealthKey || stats.LiveKeys != 0 {
		return fmt.Errorf("after the check KINE's health key should be there and no probe key left: %+v", stats)
	}
	fmt.Printf("  ok  KINE ran here (health key present, revision %d) and left no probe keys behind\n", stats.Revision)
	// A denied request draws no reply: bound the wait on its own.
	denyCtx, cancelDeny := context.WithTimeout(ctx, 2*time.Second)
	_, err = kineJS.CreateKeyValue(denyCtx, jetstream.KeyValueConfig{Bucket: "not-mine"})
	cancelDeny()
	if err == nil {
		return errors.New("the KINE user could create another bucket: its permissions are too wide")
	}
	fmt.Println("  ok  the KINE user may not create any other bucket")

	appsJS, closeApps, err := connect(url, appsCreds)
	if err != nil {
		return fmt.Errorf("connect as the apps user: %w", err)
	}
	defer closeApps()
	if _, err := appsJS.KeyValue(ctx, "app-config"); err != nil {
		return fmt.Errorf("the apps user cannot see app-config: %w", err)
	}
	if _, err := appsJS.Stream(ctx, "KV_"+e.Bucket); !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("the apps account sees the cluster's bucket (err %v): accounts are not isolated", err)
	}
	fmt.Println("  ok  app-config lives in the apps account, which cannot see the cluster's state")
	return nil
}

// connect dials url with creds content.
func connect(url, creds string) (jetstream.JetStream, func(), error) {
	opt, err := natsconn.CredsOption([]byte(creds))
	if err != nil {
		return nil, nil, err
	}
	nc, err := nats.Connect(url, opt, nats.Name("terraform-provider-nats demo"),
		// The permission check below is meant to be refused: no stderr noise.
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return js, nc.Close, nil
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

func banner(s string) {
	fmt.Printf("\n==> %s\n", s)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
