package output

import (
	"net/url"
	"path/filepath"

	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

// sarifPrinter writes a validation as SARIF 2.1.0, the format code scanning
// tools (GitHub code scanning among them) take: one result per diagnostic.
type sarifPrinter struct {
	s  Streams
	sc scrub
}

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	toolInfoURI  = "https://github.com/daestro-jobs/daestro-jobs"
	toolName     = "daestro-jobs"
)

// The rules a result can name. Diagnostics carry no code of their own, so
// they are told apart by what they are about and how severe they are.
var sarifRules = []sarifRule{
	{ID: "unreadable-file", Name: "UnreadableFile",
		ShortDescription:     sarifText{"A manifest file could not be read or is not YAML"},
		DefaultConfiguration: sarifConfig{Level: "error"}},
	{ID: "invalid-manifest", Name: "InvalidManifest",
		ShortDescription:     sarifText{"A job manifest does not validate against the Job Submit API's schema"},
		DefaultConfiguration: sarifConfig{Level: "error"}},
	{ID: "manifest-warning", Name: "ManifestWarning",
		ShortDescription:     sarifText{"A job manifest is valid but probably not what was meant"},
		DefaultConfiguration: sarifConfig{Level: "warning"}},
}

func sarifRuleIndex(d manifest.Diagnostic) int {
	switch {
	case d.Severity == manifest.Warning:
		return 2
	case d.Doc < 0:
		return 0
	}
	return 1
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string      `json:"id"`
	Name                 string      `json:"name"`
	ShortDescription     sarifText   `json:"shortDescription"`
	DefaultConfiguration sarifConfig `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

func (s *sarifPrinter) Validate(p *plan.Plan) error {
	results := make([]sarifResult, 0, len(p.Diagnostics))
	for _, d := range p.Diagnostics {
		i := sarifRuleIndex(d)
		msg := s.sc.masked(d.Message)
		if d.Path != "" {
			msg = s.sc.masked(d.Path) + ": " + msg
		}
		loc := sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifURI(s.sc.masked(d.File))}}
		if d.Line > 0 {
			loc.Region = &sarifRegion{StartLine: d.Line, StartColumn: d.Col}
		}
		results = append(results, sarifResult{
			RuleID: sarifRules[i].ID, RuleIndex: i, Level: sarifRules[i].DefaultConfiguration.Level,
			Message: sarifText{msg}, Locations: []sarifLocation{{PhysicalLocation: loc}},
		})
	}
	doc := sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{{
		Tool:    sarifTool{Driver: sarifDriver{Name: toolName, InformationURI: toolInfoURI, Rules: sarifRules}},
		Results: results,
	}}}
	return writeJSON(s.s.Out, doc)
}

// sarifURI turns a path as the user gave it into a URI reference: slashes,
// and characters a URI cannot hold percent-escaped. Relative paths stay
// relative, as code scanning resolves them against the checkout.
func sarifURI(path string) string {
	return (&url.URL{Path: filepath.ToSlash(path)}).String()
}
