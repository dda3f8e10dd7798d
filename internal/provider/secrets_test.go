package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/nats-io/nats.go"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

// One apply at TF_LOG=trace of a configuration full of secrets (nats_user
// seeds and creds, the provider's credentials_data, a token, a password, a
// datastore with credentials): no secret may appear in the trace log of
// Terraform or of the provider, nor in anything the CLI prints.
//
// This test drives the real terraform CLI itself, with the provider served
// in-process, instead of going through terraform-plugin-testing: the plan
// output a person reads is the text the CLI prints, and the testing
// framework only hands out the JSON plan, which holds sensitive values in
// clear by design. Serving the provider here also puts its own tflog output,
// through the same test sink the testing framework uses, into TF_LOG_PATH.
func TestAccSecrets_notInLogsOrPlanOutput(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	tfBin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tfBin == "" {
		var err error
		if tfBin, err = exec.LookPath("terraform"); err != nil {
			t.Skip("no terraform CLI on PATH")
		}
	}
	const (
		token    = "tok-d41d8cd98f00b204e9800998ecf8427e"
		user     = "kine"
		password = "pw-9e107d9d372bb6826bd81d3542a419d6"
	)
	tokenServer := startServer(t, fmt.Sprintf("authorization { token: %q }\n", token), nats.Token(token))
	passwordServer := startServer(t, fmt.Sprintf("authorization { user: %q, password: %q }\n", user, password), nats.UserInfo(user, password))
	url := operator.Servers[0].URL
	bucket := uniqueName(t)
	leafURL, err := operator.Servers[0].LeafURL()
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	logPath := filepath.Join(dir, "trace.log")
	cliConfig := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// The CLI reads these from its environment, the in-process provider's
	// log sink from the test process's: set both.
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logPath)
	// One provider process serves every configuration of one provider
	// address (the framework keeps only the last Configure), so the token
	// and password identities get providers of their own addresses.
	const tokenAddr, passwordAddr = "test.invalid/secrets/natstoken", "test.invalid/secrets/natspassword"
	reattach := reattachProviders(t, "registry.terraform.io/hashicorp/nats", tokenAddr, passwordAddr)

	config := fmt.Sprintf(`
terraform {
  required_providers {
    nats          = { source = "hashicorp/nats" }
    natstoken     = { source = %[11]q }
    natspassword  = { source = %[12]q }
  }
}

provider "nats" {
  servers          = [%[1]q]
  credentials_data = %[2]s
}

provider "natstoken" {
  servers = [%[3]q]
  token   = %[4]q
}

provider "natspassword" {
  servers  = [%[5]q]
  user     = %[6]q
  password = %[7]q
}

resource "nats_user" "admin" {
  name                 = "admin"
  account              = %[8]q
  account_signing_seed = %[9]q
}

resource "nats_k3s_datastore" "ds" {
  bucket              = %[10]q
  credentials         = nats_user.admin.creds
  creds_file          = "/etc/rancher/k3s/nats.creds"
  deletion_protection = false
}

resource "nats_user" "kine" {
  name                 = "kine"
  account              = %[8]q
  account_signing_seed = %[9]q
  kine_bucket          = nats_k3s_datastore.ds.bucket
}

resource "nats_kv_bucket" "token" {
  provider = natstoken
  name     = "secrets_token"
  # KINE's settings and the live check, so that KINE runs with the token in its endpoint.
  description = "Holds kine key/values"
  history     = 10
  conformance = { mode = "report" }
}

resource "nats_kv_bucket" "password" {
  provider = natspassword
  name     = "secrets_password"
  # KINE's settings and the live check, so that KINE runs with the password in its endpoint.
  description = "Holds kine key/values"
  history     = 10
  conformance = { mode = "report" }
}

# An edge site whose leaf connection logs in with a user's credentials and
# presents a client certificate: neither may show.
resource "nats_user" "leaf" {
  name                 = "leaf"
  account              = %[8]q
  account_signing_seed = %[9]q
  leafnode             = { jetstream_domain = "edge-secrets" }
}

resource "nats_k3s_edge" "site" {
  name        = "secrets"
  hub_urls    = [%[13]q]
  credentials = nats_user.leaf.creds
  tls = {
    ca_file   = "/etc/rancher/k3s/nats/ca.pem"
    cert_file = "/etc/rancher/k3s/nats/leaf.pem"
    key_file  = "/etc/rancher/k3s/nats/leaf-key.pem"
    ca        = %[14]s
    cert      = %[15]s
    key       = %[16]s
  }
}

output "kine_user" {
  value = nats_user.kine.public_key
}
`, url, hcl(string(accA.Creds)), tokenServer, token, passwordServer, user, password,
		accA.PublicKey, string(accA.SigningSeed), bucket, tokenAddr, passwordAddr,
		leafURL, hcl(leafTLS.CAPEM), hcl(leafTLS.ClientCertPEM), hcl(leafTLS.ClientKeyPEM))
	work := filepath.Join(dir, "work")
	if err := os.MkdirAll(work, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	tf := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, tfBin, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+reattach, "TF_CLI_CONFIG_FILE="+cliConfig,
			"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			// The output is what this test guards: show it only when it
			// holds nothing that looks like a secret.
			shown := out.String()
			if leaked(shown, nil) != "" {
				shown = "(withheld: it looks like it holds a secret)"
			}
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, shown)
		}
		return out.String()
	}
	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			tf("destroy", "-auto-approve", "-no-color", "-input=false")
		}
	})

	tf("init", "-no-color", "-input=false")
	printed := map[string]string{"apply": tf("apply", "-auto-approve", "-no-color", "-input=false")}
	issued := stateSecrets(t, filepath.Join(work, "terraform.tfstate"))
	printed["plan"] = tf("plan", "-no-color", "-input=false")
	printed["show"] = tf("show", "-no-color")
	printed["output"] = tf("output", "-no-color")
	printed["destroy"] = tf("destroy", "-auto-approve", "-no-color", "-input=false")
	destroyed = true
	if !strings.Contains(printed["plan"], "No changes.") {
		t.Errorf("the plan after apply is not empty:\n%s", printed["plan"])
	}

	// Every secret of the run: what the configuration holds and what the
	// provider issued (read from the state, where secrets legitimately are).
	secrets := map[string]string{
		"account A creds":        string(accA.Creds),
		"account A signing seed": string(accA.SigningSeed),
		"leaf TLS client key":    leafTLS.ClientKeyPEM,
		"token":                  token,
		"password":               password,
	}
	if tok, seed, err := accounts.ParseCreds(accA.Creds); err == nil {
		secrets["account A creds' jwt"], secrets["account A creds' seed"] = tok, string(seed)
	}
	maps.Copy(secrets, issued)
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	// A check that sees no log proves nothing: Terraform and every provider
	// process must have written, and KINE must have run with each identity.
	// Log fields come in any order, so each marker is words on one line.
	for what, words := range map[string][]string{
		"Terraform core":                 {"[INFO]", "Terraform version:"},
		"the provider":                   {"tf_provider_addr=registry.terraform.io/hashicorp/nats", "tf_rpc=ApplyResourceChange"},
		"the KINE check as the user":     {"conformance step", "tf_resource_type=nats_user", `step="kine start"`, "ok=true"},
		"the KINE check with a token":    {"conformance step", "natstoken", `step="kine start"`, "ok=true"},
		"the KINE check with a password": {"conformance step", "natspassword", `step="kine start"`, "ok=true"},
		"the edge check":                 {"conformance step", "tf_resource_type=nats_k3s_edge", `step="link back"`, "ok=true"},
	} {
		if !hasLine(log, words) {
			t.Errorf("the trace log has no line of %s (%q): the test would miss its leaks", what, words)
		}
	}
	texts := map[string]string{"trace log": string(log)}
	for cmd, out := range printed {
		texts["terraform "+cmd+" output"] = out
	}
	for where, text := range texts {
		for name, secret := range secrets {
			if secret != "" && strings.Contains(text, secret) {
				t.Errorf("%s holds %s", where, name)
			}
		}
		if leak := leaked(text, nil); leak != "" {
			t.Errorf("%s holds %s", where, leak)
		}
	}
	t.Logf("checked %d bytes of trace log and %d CLI outputs for %d secrets", len(log), len(printed), len(secrets))
}

// hasLine reports whether one line of log holds every word.
func hasLine(log []byte, words []string) bool {
	for _, line := range bytes.Split(log, []byte("\n")) {
		all := true
		for _, w := range words {
			all = all && bytes.Contains(line, []byte(w))
		}
		if all {
			return true
		}
	}
	return false
}

// stateSecrets reads the seeds, creds and JWTs the provider issued from a
// state file.
func stateSecrets(t *testing.T, file string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Type, Name string
			Instances  []struct {
				Attributes map[string]any `json:"attributes"`
			}
		}
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range st.Resources {
		if r.Type != "nats_user" {
			continue
		}
		for _, inst := range r.Instances {
			for _, attr := range []string{"seed", "creds", "jwt"} {
				s, _ := inst.Attributes[attr].(string)
				if s == "" {
					t.Fatalf("nats_user.%s has no %s in state", r.Name, attr)
				}
				out[fmt.Sprintf("nats_user.%s.%s", r.Name, attr)] = s
			}
		}
	}
	if len(out) != 9 {
		t.Fatalf("found %d issued secrets in state, want 9 (three users)", len(out))
	}
	return out
}

// startServer runs a JetStream server with extra configuration (its
// authorization) for this test only.
func startServer(t *testing.T, extra string, auth nats.Option) string {
	t.Helper()
	s, err := testnats.Start(testnats.Config{Extra: extra})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	if err := testnats.Anchor(s.URL, auth); err != nil {
		t.Fatal(err)
	}
	return s.URL
}

// reattachProviders serves the provider in-process once per address, with
// its logs going through the test sink (TF_LOG, TF_LOG_PATH), and returns
// the value of TF_REATTACH_PROVIDERS.
func reattachProviders(t *testing.T, addrs ...string) string {
	t.Helper()
	all := map[string]any{}
	for _, addr := range addrs {
		all[addr] = serveProvider(t, addr)
	}
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// serveProvider serves one provider process for addr and returns its
// reattach entry.
func serveProvider(t *testing.T, addr string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	configCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	go func() {
		err := tf6server.Serve(addr, NewServer("test", testPool),
			tf6server.WithDebug(ctx, configCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(t))
		if err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-closeCh:
		case <-time.After(10 * time.Second):
			t.Error("the provider server did not stop")
		}
	})
	var rc *plugin.ReattachConfig
	select {
	case rc = <-configCh:
	case <-time.After(10 * time.Second):
		t.Fatal("the provider server did not start")
	}
	return map[string]any{
		"Protocol": string(rc.Protocol), "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": rc.Test,
		"Addr": map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
	}
}

// The patterns of leaked catch the forms a credential takes.
func TestSecrets_leakedCatchesCredentials(t *testing.T) {
	tok, seed, err := accounts.ParseCreds(accA.Creds)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"creds":        string(accA.Creds),
		"user seed":    "seed=" + string(seed) + ";",
		"account seed": string(accA.SigningSeed),
		"jwt":          `"` + tok + `"`,
	} {
		if leaked(text, nil) == "" {
			t.Errorf("a %s is not recognised as a secret", name)
		}
	}
	if got := leaked("token=abc", []string{"abc"}); got == "" || strings.Contains(got, "abc") {
		t.Errorf("known secret: got %q", got)
	}
	if got := leaked("public key "+accA.PublicKey, nil); got != "" {
		t.Errorf("a public key taken for a secret: %s", got)
	}
}
