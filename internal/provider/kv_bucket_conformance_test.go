package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsk3s/terraform-provider-nats/internal/testnats"
)

func reportIs(passed bool, summary string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		stateIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"passed":  knownvalue.Bool(passed),
			"summary": knownvalue.StringRegexp(errorLike(summary)),
		})),
	}
}

// By default (mode advise) a bucket's config is compared with the bucket
// KINE makes: no twin, no KINE, no warning, and the report keeps only the
// advice, and only when KINE accepts the bucket. Asked for (mode report), a bucket shaped as KINE makes it passes
// the live check, run against a twin, and its report keeps no steps; a plain
// application bucket gets a report saying why KINE would refuse it, with its
// steps, and the apply goes on. The user's bucket is never written.
func TestAccKVBucket_conformanceReport(t *testing.T) {
	name := uniqueName(t)
	js := testnats.JetStream(t, single.URL, nil, "")
	servers := []string{single.URL}
	kineShaped := `description = "Holds kine key/values"
  history = 10`
	adviceOK := stateIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"advice": knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"ok": knownvalue.Bool(true), "replicas": knownvalue.Int64Exact(1), "rev_history": knownvalue.Int64Exact(10),
			"endpoint": knownvalue.StringRegexp(regexp.MustCompile(`bucket=` + name + `&replicas=1&revHistory=10`)),
		}),
	}))
	blocked := stateIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"advice": knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"ok":       knownvalue.Bool(false),
			"blockers": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringRegexp(regexp.MustCompile(`Description`))}),
		}),
	}))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, name),
		Steps: []resource.TestStep{
			{
				Config:           bucketConfig(servers, name, kineShaped),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{adviceOK,
					stateIs("conformance", knownvalue.Null()), // the default, kept out of state
					stateIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"passed": knownvalue.Bool(true), "kine_version": knownvalue.NotNull(),
						"summary": knownvalue.Null(), "steps": knownvalue.Null(), "profile": knownvalue.Null(),
					})),
				},
				Check: checkUntouched(t, js, name),
			},
			{
				// KINE cannot use it: nothing worth a place in state.
				Config:            bucketConfig(servers, name, `history = 5`),
				ConfigPlanChecks:  expectAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{stateIs("conformance_report", knownvalue.Null())},
				Check:             checkUntouched(t, js, name),
			},
			{
				Config:            bucketConfig(servers, name, kineShaped+"\n  conformance = { mode = \"report\" }"),
				ConfigPlanChecks:  expectAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: append(reportIs(true, `passed`), adviceOK, stateIs("conformance_report", knownvalue.ObjectPartial(map[string]knownvalue.Check{"steps": knownvalue.Null()}))),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(bucketAddr, "conformance_report.profile", "quick"),
					checkStream(t, js, name, func(jetstream.StreamConfig) error { return nil }),
					checkUntouched(t, js, name),
				),
			},
			{
				Config:            bucketConfig(servers, name, "history = 5\n  conformance = { mode = \"report\" }"),
				ConfigPlanChecks:  expectAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: append(reportIs(false, `failed at step "bucket.*Description is "", KINE wants "Holds kine key/values"`), blocked),
				Check: resource.ComposeTestCheckFunc(
					resource.TestMatchResourceAttr(bucketAddr, "conformance_report.steps.#", regexp.MustCompile(`^[1-9][0-9]*$`)),
					checkUntouched(t, js, name),
				),
			},
			{
				Config:            bucketConfig(servers, name, "history = 5\n  conformance = { mode = \"off\" }"),
				ConfigPlanChecks:  expectAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{stateIs("conformance_report", knownvalue.Null())},
			},
		},
	})
}

// checkUntouched passes when nothing was ever written into the bucket.
func checkUntouched(t *testing.T, js jetstream.JetStream, bucket string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, err := js.Stream(context.Background(), "KV_"+bucket)
		if err != nil {
			return err
		}
		if st := s.CachedInfo().State; st.LastSeq != 0 {
			return fmt.Errorf("the check wrote into the user's bucket: last sequence %d", st.LastSeq)
		}
		return nil
	}
}

// In enforce mode a failing check fails the apply; the bucket it created is
// kept in state, tainted, so the next plan replaces it: nothing is orphaned.
func TestAccKVBucket_conformanceEnforce(t *testing.T) {
	name := uniqueName(t)
	js := testnats.JetStream(t, single.URL, nil, "")
	servers := []string{single.URL}
	config := bucketConfig(servers, name, `compression = true
  conformance = { mode = "enforce" }`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkNoBucket(t, js, name),
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: errorLike(`KINE conformance check failed for bucket.*failed at step "bucket.*Compression.*set it to "report"`),
			},
			{
				// Tainted by the failed check: the next apply replaces it.
				Config: bucketConfig(servers, name, `compression = true
  conformance = { mode = "report" }`),
				ConfigPlanChecks:  expectAction(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: reportIs(false, `Compression`),
			},
		},
	})
}
