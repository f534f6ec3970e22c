package main

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestGitLabRecipeReportsOnTheDefaultBranch: GitLab shows a merge request's
// Code Quality and JUnit reports compared with the target branch's ("Code
// Quality", "Unit test reports": the merge request widget compares the
// source branch's report with the target branch's), so the recipe's
// validate job must produce them on the default branch too.
func TestGitLabRecipeReportsOnTheDefaultBranch(t *testing.T) {
	data, err := os.ReadFile("examples/ci/.gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	var ci map[string]yaml.Node
	if err := yaml.Unmarshal(data, &ci); err != nil {
		t.Fatal(err)
	}
	node, ok := ci["validate-jobs"]
	if !ok {
		t.Fatal("no validate-jobs job")
	}
	var job struct {
		Rules []struct {
			If string `yaml:"if"`
		} `yaml:"rules"`
		Artifacts struct {
			When    string            `yaml:"when"`
			Reports map[string]string `yaml:"reports"`
		} `yaml:"artifacts"`
	}
	if err := node.Decode(&job); err != nil {
		t.Fatal(err)
	}
	var mr, main bool
	for _, r := range job.Rules {
		mr = mr || strings.Contains(r.If, `$CI_PIPELINE_SOURCE == "merge_request_event"`)
		main = main || r.If == "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
	}
	if !mr || !main {
		t.Errorf("validate-jobs runs in merge requests: %v, on the default branch: %v; want both", mr, main)
	}
	if job.Artifacts.When != "always" || job.Artifacts.Reports["codequality"] == "" || job.Artifacts.Reports["junit"] == "" {
		t.Errorf("artifacts %+v: want both reports, kept when the job fails", job.Artifacts)
	}
	if !strings.Contains(string(data), "Ultimate") {
		t.Errorf("the comment does not say the diff view's annotations need a paid tier")
	}
}

// TestPreCommitHookClaimsNoSingleRun: pre-commit splits a long list of file
// names into several runs of a hook (its xargs; require_serial only keeps
// them from running in parallel), so the per-file hook must not promise
// cross-file checks and must point at the -all hook.
func TestPreCommitHookClaimsNoSingleRun(t *testing.T) {
	data, err := os.ReadFile(".pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if strings.Contains(s, "one run sees every staged file") {
		t.Errorf(".pre-commit-hooks.yaml still says one run sees every staged file")
	}
	if !strings.Contains(s, "splits a long list of files") || !strings.Contains(s, "found\n# by daestro-jobs-validate-all") {
		t.Errorf(".pre-commit-hooks.yaml does not say pre-commit splits the files and point at daestro-jobs-validate-all")
	}
}
