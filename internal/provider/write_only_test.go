package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/accounts"
	"github.com/natsk3s/terraform-provider-nats/internal/edge"
)

// writeOnlyConfig is a user signed with account_signing_seed_wo and an edge
// site whose leaf credentials come through credentials_wo, every secret
// from an ephemeral variable (set through TF_VAR_*), at version v.
func writeOnlyConfig(h *edgeHub, name string, v int) string {
	return fmt.Sprintf(`
variable "admin_creds" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "account_seed" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "leaf_creds" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "nats" {
  servers          = %s
  credentials_data = var.admin_creds
}

resource "nats_user" "test" {
  name                            = "app"
  account                         = %q
  account_signing_seed_wo         = var.account_seed
  account_signing_seed_wo_version = %d
}

resource "nats_k3s_edge" "site" {
  name                   = %q
  hub_urls               = %s
  credentials_wo         = var.leaf_creds
  credentials_wo_version = %d
}
`, hclList(h.op.URLs()), h.acc.PublicKey, v, name, hclList(h.urls), v)
}

// stateJSON reads the workspace's raw state file.
func (c *cliWorkspace) stateFile() string {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.ws.Dir, "terraform.tfstate"))
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

// runEnv runs a terraform command with env added.
func (c *cliWorkspace) runEnv(env []string, args ...string) (string, error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := c.ws.RunQuiet(ctx, env, append(args, "-no-color")...)
	return res.Stdout + res.Stderr, err
}

// resourceAttrs is one resource's attributes in a raw state file.
func resourceAttrs(t *testing.T, state, typ string) map[string]any {
	t.Helper()
	var s struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(state), &s); err != nil {
		t.Fatal(err)
	}
	for _, r := range s.Resources {
		if r.Type == typ && len(r.Instances) == 1 {
			return r.Instances[0].Attributes
		}
	}
	t.Fatalf("no %s in state", typ)
	return nil
}

// Write-only seeds and creds: applied through the real CLI, used (the JWT
// is signed by the seed, the edge check logs in with the creds), never in
// the state file; a new _wo_version updates in place, an unchanged one
// plans nothing; plain and write-only together is refused on the attribute.
func TestAccWriteOnly_secretsStayOutOfState(t *testing.T) {
	t.Parallel()
	h := newEdgeHub(t, opCluster, nil)
	name := fmt.Sprintf("wo-%d", time.Now().UnixNano()%1e6)
	leaf, err := accounts.IssueUser(accounts.User{Name: "leaf-" + name, Account: h.acc.PublicKey, LeafnodeDomain: edge.DefaultDomain(name)}, h.acc.SigningSeed, nil)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{
		"account signing seed": string(h.acc.SigningSeed),
		"admin creds":          string(h.acc.Creds),
		"leaf creds":           string(leaf.Creds),
		"leaf JWT":             leaf.JWT,
		"leaf seed":            string(leaf.Seed),
	}
	env := []string{
		"TF_VAR_admin_creds=" + string(h.acc.Creds),
		"TF_VAR_account_seed=" + string(h.acc.SigningSeed),
		"TF_VAR_leaf_creds=" + string(leaf.Creds),
	}
	c := newCLIWorkspace(t)
	c.ws.SkipBelow(context.Background(), t, 1, 11)
	must := func(args ...string) string {
		t.Helper()
		out, err := c.runEnv(env, args...)
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	noSecrets := func(stage string) map[string]any {
		t.Helper()
		state := c.stateFile()
		for what, s := range secrets {
			if strings.Contains(state, s) || strings.Contains(state, strings.ReplaceAll(s, "\n", `\n`)) {
				t.Errorf("%s: the state file holds the %s", stage, what)
			}
		}
		edgeAttrs := resourceAttrs(t, state, "nats_k3s_edge")
		for _, a := range []string{"credentials", "credentials_wo"} {
			if edgeAttrs[a] != nil {
				t.Errorf("%s: nats_k3s_edge.%s is %v in state, want null", stage, a, edgeAttrs[a])
			}
		}
		if rep, _ := edgeAttrs["conformance_report"].(map[string]any); rep["passed"] != true {
			t.Errorf("%s: the edge check did not pass: %v", stage, rep["summary"])
		}
		userAttrs := resourceAttrs(t, state, "nats_user")
		for _, a := range []string{"account_signing_seed", "account_signing_seed_wo"} {
			if userAttrs[a] != nil {
				t.Errorf("%s: nats_user.%s is in state, want null", stage, a)
			}
		}
		u, err := accounts.UserFromJWT(userAttrs["jwt"].(string))
		if err != nil || u.Account != h.acc.PublicKey {
			t.Errorf("%s: the user JWT is not of account %s: %+v %v", stage, h.acc.PublicKey, u, err)
		}
		return userAttrs
	}

	c.write(writeOnlyConfig(h, name, 1))
	must("apply", "-auto-approve", "-input=false")
	first := noSecrets("create")

	if out := must("plan", "-input=false", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Errorf("unchanged configuration plans changes:\n%s", out)
	}

	c.write(writeOnlyConfig(h, name, 2))
	out := must("plan", "-input=false")
	for _, want := range []string{"nats_user.test will be updated in-place", "nats_k3s_edge.site will be updated in-place", "0 to add, 2 to change, 0 to destroy"} {
		if !strings.Contains(out, want) {
			t.Errorf("new _wo_version: the plan does not say %q:\n%s", want, out)
		}
	}
	must("apply", "-auto-approve", "-input=false")
	second := noSecrets("update")
	// The same seed and claims within one second encode the same JWT, so
	// only the key is compared: the update must keep the user's identity.
	if second["public_key"] != first["public_key"] {
		t.Errorf("new _wo_version: the user's key changed (%s to %s), want the same key", first["public_key"], second["public_key"])
	}

	both := strings.Replace(writeOnlyConfig(h, name, 2), "  account_signing_seed_wo ", "  account_signing_seed = "+hcl(string(h.acc.SigningSeed))+"\n  account_signing_seed_wo ", 1)
	c.write(both)
	out, err = c.runEnv(env, "plan", "-input=false")
	if err == nil || !errorLike(`Invalid Attribute Combination.*account_signing_seed_wo.*cannot be specified when.*account_signing_seed`).MatchString(out) {
		t.Errorf("plain and write-only seed together: want an error on account_signing_seed_wo, got %v:\n%s", err, out)
	}
	neither := regexp.MustCompile(`(?m)^  account_signing_seed_wo.*\n`).ReplaceAllString(writeOnlyConfig(h, name, 2), "")
	neither = strings.Replace(neither, "  account_signing_seed_wo_version = 2\n", "", 1)
	c.write(neither)
	out, err = c.runEnv(env, "plan", "-input=false")
	if err == nil || !errorLike(`Invalid Attribute Combination.*account_signing_seed`).MatchString(out) {
		t.Errorf("no seed at all: want an error, got %v:\n%s", err, out)
	}

	c.write(writeOnlyConfig(h, name, 2))
	must("destroy", "-auto-approve", "-input=false")
}
