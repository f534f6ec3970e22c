package report

import (
	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

// gitlabPrinter writes a validation as a GitLab Code Quality report: the
// JSON array GitLab reads from artifacts:reports:codequality and shows in a
// merge request's widget and diff, as GitHub shows annotations on a pull
// request. One entry per problem.
type gitlabPrinter struct {
	s  Streams
	sc scrub
	o  Options
}

type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

func (g *gitlabPrinter) Validate(p *plan.Plan) error {
	fp := fingerprints{}
	issues := make([]gitlabIssue, 0, len(p.Diagnostics))
	for _, d := range p.Diagnostics {
		r := rules[ruleOf(d)]
		msg := g.sc.masked(d.Message)
		if d.Path != "" {
			msg = g.sc.masked(d.Path) + ": " + msg
		}
		path, _ := g.o.relPath(g.sc.masked(d.File))
		severity := "major"
		if d.Severity == diag.Warning {
			severity = "minor"
		}
		issues = append(issues, gitlabIssue{
			Description: msg, CheckName: r.id, Severity: severity,
			// Unique in the report, stable across commits: the field path
			// tells apart two problems on one line.
			Fingerprint: fp.next(r.id, path, g.sc.masked(d.Path), g.sc.masked(d.Source)),
			Location:    gitlabLocation{Path: path, Lines: gitlabLines{Begin: max(d.Line, 1)}},
		})
	}
	return writeJSON(g.s.Out, issues)
}
