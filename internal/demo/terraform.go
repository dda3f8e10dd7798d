package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/natsk3s/terraform-provider-nats/internal/examples"
	"github.com/natsk3s/terraform-provider-nats/internal/tfrun"
)

// workspace makes a terraform work dir with the provider's dev override.
// The demo removes it at the end.
func (d *demo) workspace(env ...string) (*tfrun.Workspace, error) {
	w, err := tfrun.New(tfrun.Options{Terraform: d.o.terraform, Provider: d.o.provider, Env: env})
	if err != nil {
		return nil, err
	}
	d.defer_(func() { w.Close() })
	return w, nil
}

// stackWorkspace copies examples/ into a workspace and runs in
// examples/stacks/multi-region there, so its module source resolves, with
// the regions' servers and the operator as variables.
func (d *demo) stackWorkspace(op operatorOut) (*tfrun.Workspace, error) {
	leafURL, err := d.regions.A.LeafURL()
	if err != nil {
		return nil, err
	}
	w, err := d.workspace(
		`TF_VAR_region_a_leaf_urls=["`+leafURL+`"]`,
		"TF_VAR_deletion_protection=false",
		`TF_VAR_region_a_servers=["`+d.regions.A.URL+`"]`,
		`TF_VAR_region_b_servers=["`+d.regions.B.URL+`"]`,
		"TF_VAR_operator_jwt="+op.JWT,
		"TF_VAR_operator_signing_seed="+op.SigningSeed,
		"TF_VAR_system_user_creds="+op.SystemUserCreds,
	)
	if err != nil {
		return nil, err
	}
	root := filepath.Join(w.Dir, "examples")
	if err := copyConfigs(d.o.examples, root); err != nil {
		return nil, err
	}
	w.Dir = filepath.Join(root, "stacks", "multi-region")
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	// Installs the module from its local path; the provider needs no init.
	if _, err := w.RunQuiet(ctx, nil, "get", "-no-color"); err != nil {
		return nil, err
	}
	return w, nil
}

// copyConfigs copies the .tf files under src to dst, keeping the layout.
func copyConfigs(src, dst string) error {
	return filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		switch {
		case e.IsDir() && strings.HasPrefix(e.Name(), ".") && rel != ".":
			return fs.SkipDir
		case e.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		case filepath.Ext(p) != ".tf":
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
}

// apply runs terraform apply with env (KEY=value) and extra flags (-x),
// showing only its progress lines: the plan of a multi-region stack is
// screens long. Everything is shown when it fails.
func (d *demo) apply(ctx context.Context, w *tfrun.Workspace, extra ...string) error {
	var env []string
	args := []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	for _, e := range extra {
		if strings.HasPrefix(e, "-") {
			args = append(args, e)
		} else {
			env = append(env, e)
		}
	}
	return d.terraform(ctx, w, env, args...)
}

// terraform runs one command and prints its progress lines and how long it
// took.
func (d *demo) terraform(ctx context.Context, w *tfrun.Workspace, env []string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	res, err := w.RunQuiet(ctx, env, args...)
	if err != nil {
		fmt.Print(res.Stdout)
		return err
	}
	for _, line := range strings.Split(res.Stdout+res.Stderr, "\n") {
		if progressLine(line) {
			// IDs are public keys and bucket names shown elsewhere.
			if i := strings.Index(line, " [id="); i > 0 {
				line = line[:i]
			}
			fmt.Println("   " + strings.TrimSpace(line))
		}
	}
	fmt.Printf("   (terraform %s took %s)\n", args[0], round(res.Duration))
	return nil
}

// progressLine tells the lines worth a person's attention: what finished,
// and warnings other than the dev override's.
func progressLine(line string) bool {
	for _, s := range []string{"Creation complete", "Modifications complete", "Destruction complete", "Apply complete!", "Destroy complete!"} {
		if strings.Contains(line, s) {
			return true
		}
	}
	return strings.HasPrefix(line, "Warning:") && !strings.Contains(line, "development overrides")
}

// outputs reads the stack's outputs.
func (d *demo) outputs(ctx context.Context, w *tfrun.Workspace) (examples.MultiRegion, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	var out examples.MultiRegion
	return out, w.Outputs(ctx, &out)
}
