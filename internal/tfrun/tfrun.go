// Package tfrun runs the real terraform CLI against a locally built provider,
// for `make demo`, `make bench` and the tests of examples and releases. Each
// Workspace is a private directory with its own CLI configuration: either
// dev_overrides point Terraform at the local provider binary, so no
// `terraform init` and no registry are needed, or a filesystem mirror holds
// a release of it, installed by `terraform init` as behind a firewall.
package tfrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ProviderAddress is the provider's registry address, the key of its
// dev_overrides entry.
const ProviderAddress = "registry.terraform.io/natsk3s/nats"

// Options describes a workspace.
type Options struct {
	// Terraform is the terraform binary: a path, or a name looked up in PATH.
	// Empty means FindTerraform.
	Terraform string
	// Provider is the provider binary, or the directory that holds it.
	// Terraform looks there for terraform-provider-nats. Empty when the
	// provider is served otherwise (TF_REATTACH_PROVIDERS in Env, as tests
	// that serve it in-process do).
	Provider string
	// Overrides sends more providers to local builds: registry address to
	// binary or directory, as Provider. `make bench` uses it for its
	// do-nothing reference provider.
	Overrides map[string]string
	// Mirror, in place of Provider and Overrides, is a filesystem_mirror
	// directory holding a release of the provider: `terraform init` installs
	// it from there with no dev_overrides, and never asks a registry for it.
	Mirror string
	// Env is added to the environment of every command (KEY=value).
	Env []string
	// Echo, when set, also receives every command's output as it is
	// produced, so people can follow a long apply.
	Echo io.Writer
}

// Workspace is a private directory in which terraform commands run.
type Workspace struct {
	// Dir is the working directory of every command: put the
	// configuration here.
	Dir string

	root      string
	terraform string
	env       []string
	echo      io.Writer
}

// Result is what one command did.
type Result struct {
	Args     []string
	Stdout   string
	Stderr   string
	ExitCode int
	// Duration is the wall time from start to exit of the terraform process.
	Duration time.Duration
}

// ExitError is returned when terraform exits non-zero; the Result beside it
// holds the full output.
type ExitError struct {
	Args     []string
	ExitCode int
	// Stderr is the tail of what terraform printed on stderr.
	Stderr string
}

func (e *ExitError) Error() string {
	msg := fmt.Sprintf("terraform %s: exit status %d", strings.Join(e.Args, " "), e.ExitCode)
	if e.Stderr != "" {
		msg += "\n" + e.Stderr
	}
	return msg
}

// FindTerraform returns the terraform binary tests and tools should use:
// TF_ACC_TERRAFORM_PATH (as terraform-plugin-testing does), else terraform
// on PATH.
func FindTerraform() (string, error) {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("TF_ACC_TERRAFORM_PATH: %w", err)
		}
		return p, nil
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return "", fmt.Errorf("no terraform binary: set TF_ACC_TERRAFORM_PATH or put terraform on PATH: %w", err)
	}
	return p, nil
}

// New makes a workspace in a new temporary directory and writes its CLI
// configuration. Close removes it.
func New(o Options) (*Workspace, error) {
	tf := o.Terraform
	if tf == "" {
		var err error
		if tf, err = FindTerraform(); err != nil {
			return nil, err
		}
	}
	tf, err := exec.LookPath(tf)
	if err != nil {
		return nil, fmt.Errorf("terraform binary %q: %w", o.Terraform, err)
	}
	if tf, err = filepath.Abs(tf); err != nil {
		return nil, fmt.Errorf("terraform binary: %w", err)
	}
	cliText, err := cliConfigFor(o)
	if err != nil {
		return nil, err
	}

	root, err := os.MkdirTemp("", "tfrun-")
	if err != nil {
		return nil, fmt.Errorf("make work dir: %w", err)
	}
	w := &Workspace{Dir: filepath.Join(root, "config"), root: root, terraform: tf, echo: o.Echo}
	if err := os.Mkdir(w.Dir, 0o700); err != nil {
		w.Close()
		return nil, fmt.Errorf("make config dir: %w", err)
	}
	cliConfig := filepath.Join(root, "terraform.rc")
	if err := os.WriteFile(cliConfig, []byte(cliText), 0o600); err != nil {
		w.Close()
		return nil, fmt.Errorf("write CLI config: %w", err)
	}
	w.env = append(w.env,
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		// Keep the data dir inside the workspace, whatever the caller's
		// environment says.
		"TF_DATA_DIR="+filepath.Join(w.Dir, ".terraform"),
	)
	w.env = append(w.env, o.Env...)
	return w, nil
}

// cliConfigFor is the CLI configuration text for o.
func cliConfigFor(o Options) (string, error) {
	if o.Mirror != "" {
		if o.Provider != "" || len(o.Overrides) > 0 {
			return "", errors.New("a mirror replaces the provider binary and overrides: give one or the other")
		}
		dir, err := filepath.Abs(o.Mirror)
		if err != nil {
			return "", fmt.Errorf("provider mirror: %w", err)
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return "", fmt.Errorf("provider mirror %s is not a directory (%v)", dir, err)
		}
		return mirrorConfigText(dir), nil
	}
	overrides := map[string]string{}
	if o.Provider != "" {
		dir, err := providerDir(o.Provider)
		if err != nil {
			return "", err
		}
		overrides[ProviderAddress] = dir
	}
	var err error
	for addr, p := range o.Overrides {
		if overrides[addr], err = providerDir(p); err != nil {
			return "", fmt.Errorf("override for %s: %w", addr, err)
		}
	}
	return cliConfigText(overrides), nil
}

// providerDir is where dev_overrides send Terraform: the directory of the
// binary, or p itself when it is a directory.
func providerDir(p string) (string, error) {
	if p == "" {
		return "", errors.New("no provider binary given")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("provider binary: %w", err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("provider binary (run `make build` first?): %w", err)
	}
	if fi.IsDir() {
		return abs, nil
	}
	if fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("provider binary %s is not executable", abs)
	}
	return filepath.Dir(abs), nil
}

// cliConfigText sends the providers in overrides (address to directory) to
// local builds; every other provider installs as usual (builtins such as
// terraform_data need nothing).
func cliConfigText(overrides map[string]string) string {
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, addr := range slices.Sorted(maps.Keys(overrides)) {
		fmt.Fprintf(&b, "    %q = %q\n", addr, overrides[addr])
	}
	b.WriteString("  }\n  direct {}\n}\n")
	return b.String()
}

// mirrorConfigText installs this provider from the mirror at dir only, and
// every other provider from its registry, as a CLI configuration behind a
// firewall does.
func mirrorConfigText(dir string) string {
	return fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = [%q]
  }
  direct {
    exclude = [%q]
  }
}
`, dir, ProviderAddress, ProviderAddress)
}

// Terraform is the absolute path of the terraform binary in use.
func (w *Workspace) Terraform() string { return w.terraform }

// CLIConfig is the path of the workspace's CLI configuration file.
func (w *Workspace) CLIConfig() string { return filepath.Join(w.root, "terraform.rc") }

// WriteFile writes a file into the configuration directory.
func (w *Workspace) WriteFile(name, content string) error {
	if err := os.WriteFile(filepath.Join(w.Dir, name), []byte(content), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// CopyFiles copies the files matching pattern (a filepath.Glob pattern)
// into the configuration directory, and returns their names.
func (w *Workspace) CopyFiles(pattern string) ([]string, error) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("copy %s: %w", pattern, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("copy %s: no such files", pattern)
	}
	var names []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("copy: %w", err)
		}
		name := filepath.Base(p)
		if err := w.WriteFile(name, string(b)); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

// Run runs terraform with args in Dir. See RunEnv.
func (w *Workspace) Run(ctx context.Context, args ...string) (Result, error) {
	return w.RunEnv(ctx, nil, args...)
}

// RunEnv runs terraform with args in Dir, with env added to the workspace's
// environment for this command only. A non-zero exit is an *ExitError; the
// Result is filled in either way. Cancelling ctx interrupts terraform, then
// kills it if it does not stop.
func (w *Workspace) RunEnv(ctx context.Context, env []string, args ...string) (Result, error) {
	return w.run(ctx, env, w.echo, args)
}

// RunQuiet is RunEnv without echoing the output, for commands whose output
// is read rather than shown.
func (w *Workspace) RunQuiet(ctx context.Context, env []string, args ...string) (Result, error) {
	return w.run(ctx, env, nil, args)
}

func (w *Workspace) run(ctx context.Context, env []string, echo io.Writer, args []string) (Result, error) {
	res := Result{Args: args, ExitCode: -1}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, w.terraform, args...)
	cmd.Dir = w.Dir
	cmd.Env = w.environ(env)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if echo != nil {
		cmd.Stdout = io.MultiWriter(&stdout, echo)
		cmd.Stderr = io.MultiWriter(&stderr, echo)
	}
	// Let terraform stop its providers and release the state lock when the
	// context ends, before the hard kill.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second

	start := time.Now()
	err := cmd.Run()
	res.Duration = time.Since(start)
	res.Stdout, res.Stderr = stdout.String(), stderr.String()
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return res, fmt.Errorf("terraform %s: %w", strings.Join(args, " "), ctxErr)
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return res, &ExitError{Args: args, ExitCode: res.ExitCode, Stderr: tail(res.Stderr, 4000)}
	}
	if err != nil {
		return res, fmt.Errorf("run terraform %s: %w", strings.Join(args, " "), err)
	}
	return res, nil
}

// environ is the caller's environment with the workspace's settings on top.
// Variables that would change what a command does behind our back (extra
// arguments, another CLI configuration) are dropped.
func (w *Workspace) environ(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_CLI_ARGS") || k == "TF_CLI_CONFIG_FILE" || k == "TF_WORKSPACE" {
			continue
		}
		env = append(env, kv)
	}
	// exec uses the last value of a repeated key: ours win.
	env = append(env, w.env...)
	return append(env, extra...)
}

// Close removes the workspace, state included.
func (w *Workspace) Close() error {
	if err := os.RemoveAll(w.root); err != nil {
		return fmt.Errorf("remove work dir: %w", err)
	}
	return nil
}

// Version returns the version terraform reports, such as "1.5.7".
func (w *Workspace) Version(ctx context.Context) (string, error) {
	res, err := w.RunQuiet(ctx, nil, "version", "-json")
	if err != nil {
		return "", err
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &v); err != nil || v.Version == "" {
		return "", fmt.Errorf("terraform version -json: unexpected output %q (%v)", res.Stdout, err)
	}
	return v.Version, nil
}

// Outputs decodes `terraform output -json` into out, whose fields carry the
// output names as json tags. Sensitive outputs come out in clear: callers
// hand them on, they must never print them.
func (w *Workspace) Outputs(ctx context.Context, out any) error {
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
	values := map[string]json.RawMessage{}
	for k, v := range raw {
		values[k] = v.Value
	}
	b, err := json.Marshal(values)
	if err != nil {
		return fmt.Errorf("terraform outputs: %w", err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("terraform outputs: %w", err)
	}
	return nil
}

// tail is the last n bytes of s or a little less, cut at a character
// boundary: terraform draws its diagnostics with multi-byte characters.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return "…" + s[i:]
}
