package examples_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

// Every .tf file under examples/ is formatted as `terraform fmt` wants it.
func TestExamplesFormatted(t *testing.T) {
	tf, err := tfrun.FindTerraform()
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.CommandContext(testContext(t, 2*time.Minute), tf, "fmt", "-check", "-recursive", "-diff", "-no-color", examplesDir)
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("terraform fmt -check -recursive examples: %v (run terraform fmt -recursive examples)\n%s", err, out)
	}
}

// Every directory of examples/ that holds .tf files is a configuration that
// `terraform validate` accepts against this provider's schema, so no example
// can name an attribute that is gone or misspelt. Snippets written for the
// docs (examples/resources/* and the like) declare no required_providers;
// the test adds the provider's source beside them, in its copy.
func TestExamplesValidate(t *testing.T) {
	providerBinary(t) // once, before the parallel subtests
	dirs := configDirs(t)
	for _, rel := range dirs {
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t, 5*time.Minute)
			w := workspace(t)
			root := filepath.Join(w.Dir, "examples")
			copyTree(t, examplesDir, root)
			dir := filepath.Join(root, rel)
			if !declaresProvider(t, dir) {
				if err := os.WriteFile(filepath.Join(dir, "zz_provider_source.tf"), []byte(providerSource), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			// A module that takes aliased providers from its caller is
			// validated as a root module would be: with empty blocks
			// for those aliases, as a caller passes them.
			if aliases := providerAliases(t, dir); len(aliases) > 0 {
				var b strings.Builder
				for _, a := range aliases {
					fmt.Fprintf(&b, "provider \"nats\" {\n  alias = %q\n}\n", a)
				}
				if err := os.WriteFile(filepath.Join(dir, "zz_provider_aliases.tf"), []byte(b.String()), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			// The provider comes from dev_overrides, which need no init
			// (and init would ask the registry for it all the same): only
			// modules are installed, from their local paths.
			if _, err := w.Run(ctx, "-chdir="+dir, "get", "-no-color"); err != nil {
				t.Fatal(err)
			}
			res, err := w.Run(ctx, "-chdir="+dir, "validate", "-json", "-no-color")
			var v struct {
				Valid       bool `json:"valid"`
				Diagnostics []struct {
					Severity, Summary, Detail string
				} `json:"diagnostics"`
			}
			if jerr := json.Unmarshal([]byte(res.Stdout), &v); jerr != nil {
				t.Fatalf("validate: %v / %v\n%s", err, jerr, res.Stdout)
			}
			for _, d := range v.Diagnostics {
				if strings.Contains(d.Summary, "Provider development overrides") {
					continue
				}
				t.Errorf("%s: %s: %s", d.Severity, d.Summary, d.Detail)
			}
			if !v.Valid {
				t.Errorf("examples/%s is not a valid configuration", rel)
			}
		})
	}
}

const providerSource = `terraform {
  required_providers {
    nats = { source = "natsk3s/nats" }
  }
}
`

// configDirs lists the directories under examples/ that hold .tf files,
// relative to examples/.
func configDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(examplesDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != examplesDir {
			return fs.SkipDir
		}
		if d.IsDir() || filepath.Ext(p) != ".tf" {
			return nil
		}
		rel, err := filepath.Rel(examplesDir, filepath.Dir(p))
		if err != nil {
			return err
		}
		if !slices.Contains(dirs, rel) {
			dirs = append(dirs, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 10 {
		t.Fatalf("found only %d example directories under %s: %v", len(dirs), examplesDir, dirs)
	}
	return dirs
}

// declaresProvider tells whether the .tf files of dir name this provider's
// source in required_providers.
func declaresProvider(t *testing.T, dir string) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "required_providers") {
			return true
		}
	}
	return false
}

// configurationAliases finds the nats provider aliases a module declares
// in required_providers (configuration_aliases = [nats.peer]).
var configurationAliases = regexp.MustCompile(`configuration_aliases\s*=\s*\[([^\]]*)\]`)

// providerAliases lists the aliases of the nats provider that the .tf files
// of dir declare as configuration_aliases.
func providerAliases(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	var aliases []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range configurationAliases.FindAllStringSubmatch(string(b), -1) {
			for _, ref := range strings.Split(m[1], ",") {
				if a, ok := strings.CutPrefix(strings.TrimSpace(ref), "nats."); ok {
					aliases = append(aliases, a)
				}
			}
		}
	}
	return aliases
}

// copyTree copies the configuration files under src to dst, leaving out
// what a local terraform run may have left there (.terraform, state, lock).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		name := d.Name()
		switch {
		case d.IsDir() && strings.HasPrefix(name, ".") && rel != ".":
			return fs.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		case !d.Type().IsRegular(), strings.Contains(name, ".tfstate"), name == ".terraform.lock.hcl":
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}
