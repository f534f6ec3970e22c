package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

// sarifPrinter writes a validation as SARIF 2.1.0, the format code scanning
// tools (GitHub code scanning among them) take: one result per diagnostic,
// with what GitHub uses to track an alert across commits (a fingerprint of
// the rule, the file and the offending line's text; paths relative to the
// repository root) and, with --sarif-category, to tell analyses apart
// (automationDetails.id).
//
// GitHub's rules ("SARIF support for code scanning", docs.github.com/en/
// code-security/reference/code-scanning/sarif-files/sarif-support-for-code-scanning)
// shape it: at most maxSARIFResults results in a run, errors first, the rest
// counted in a notification; columnKind, since results carry columns; a
// region with its end; the tool's version.
type sarifPrinter struct {
	s  Streams
	sc scrub
	o  Options
}

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	toolInfoURI  = "https://github.com/daestro-jobs/daestro-jobs"
	toolName     = "daestro-jobs"
	srcRoot      = "%SRCROOT%"
	// maxSARIFResults is the most results GitHub code scanning takes in one
	// run: it rejects a file with more.
	maxSARIFResults = 25000
)

// rule is a kind of problem, as SARIF and GitLab reports name it.
type rule struct {
	id, name, level string
	short, full     string
	help            string // plain text; the markdown help adds the README link
}

// The rules a diagnostic can fall under. Diagnostics carry no code of their
// own, so they are told apart by what they are about and how severe they are.
var rules = []rule{
	{id: "unreadable-file", name: "UnreadableFile", level: "error",
		short: "A manifest file could not be read or is not YAML",
		full:  "A file named with -f, or found in a directory it names, could not be read, is not UTF-8 text, or does not parse as YAML. Nothing is submitted while any file has this problem.",
		help:  "Fix the YAML at the reported line (indent with spaces, close every bracket and quote), or the file's permissions; the message says which. Validate locally with: daestro-jobs validate -f FILE"},
	{id: "invalid-manifest", name: "InvalidManifest", level: "error",
		short: "A job manifest does not validate against the Job Submit API's schema",
		full:  "A document breaks the job manifest's JSON Schema or a check beyond it: a required key is missing, a key is unknown, a value has the wrong shape, a reference to the environment is malformed or unset, a sensitive value is written literally, a schedule time is impossible, or two documents define one job differently. Nothing is submitted while any document is invalid.",
		help:  "Change the value at the reported field path as the message says; 'daestro-jobs schema' prints the schema, which editors can use to check manifests as they are written."},
	{id: "manifest-warning", name: "ManifestWarning", level: "warning",
		short: "A job manifest is valid but probably not what was meant",
		full:  "A document is valid but something in it is likely a mistake: a Param:: placeholder with no parameter or a parameter no placeholder uses, a schedule time in the past, an environment variable that is not set where the manifest is validated.",
		help:  "Read the message; if it is what you meant, nothing needs to change: warnings never stop an apply."},
	{id: "no-manifests", name: "NoManifests", level: "error",
		short: "The paths given hold no job manifest at all",
		full:  "The paths named with -f hold no file ending in .yaml or .yml with a document in it. A pipeline pointed at the wrong directory must not pass having checked nothing.",
		help:  "Check the -f paths; pass --allow-empty if an empty directory is expected (a repository that starts with no jobs)."},
}

// ruleOf picks the rule of a diagnostic.
func ruleOf(d diag.Diagnostic) int {
	switch {
	case d.Kind == diag.Run:
		return 3
	case d.Severity == diag.Warning:
		return 2
	case d.Kind == diag.File:
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
	Tool               sarifTool                `json:"tool"`
	Invocations        []sarifInvocation        `json:"invocations,omitempty"`
	AutomationDetails  *sarifAutomation         `json:"automationDetails,omitempty"`
	OriginalURIBaseIDs map[string]sarifArtifact `json:"originalUriBaseIds,omitempty"`
	// ColumnKind says what a column counts: yaml.v3 and the tool count
	// characters (Unicode code points), not UTF-16 units.
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	Version         string      `json:"version,omitempty"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri"`
	Rules           []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string        `json:"id"`
	Name                 string        `json:"name"`
	ShortDescription     sarifText     `json:"shortDescription"`
	FullDescription      sarifText     `json:"fullDescription"`
	Help                 sarifMarkdown `json:"help"`
	HelpURI              string        `json:"helpUri"`
	DefaultConfiguration sarifConfig   `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifMarkdown struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

func (s *sarifPrinter) Validate(p *plan.Plan) error {
	fp := fingerprints{}
	ds, left := capResults(p.Diagnostics, maxSARIFResults)
	results := make([]sarifResult, 0, len(ds))
	for _, d := range ds {
		i := ruleOf(d)
		msg := s.sc.masked(d.Message)
		if d.Path != "" {
			msg = s.sc.masked(d.Path) + ": " + msg
		}
		path, inRoot := s.o.relPath(s.sc.masked(d.File))
		loc := sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(path, inRoot)}}
		if inRoot {
			loc.ArtifactLocation.URIBaseID = srcRoot
		}
		if d.Kind != diag.Run {
			loc.Region = region(d)
		}
		results = append(results, sarifResult{
			RuleID: rules[i].id, RuleIndex: i, Level: rules[i].level,
			Message: sarifText{msg}, Locations: []sarifLocation{{PhysicalLocation: loc}},
			PartialFingerprints: map[string]string{
				"primaryLocationLineHash": fp.next(rules[i].id, path, s.sc.masked(d.Source)),
			},
		})
	}
	driver := sarifDriver{Name: toolName, InformationURI: toolInfoURI, Rules: sarifRules(), Version: s.o.Version}
	if semver.MatchString(s.o.Version) {
		driver.SemanticVersion = strings.TrimPrefix(s.o.Version, "v")
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, ColumnKind: "unicodeCodePoints", Results: results}
	if left > 0 {
		run.Invocations = []sarifInvocation{{ExecutionSuccessful: true, ToolExecutionNotifications: []sarifNotification{{
			Level: "warning",
			Message: sarifText{fmt.Sprintf("%s left out: GitHub code scanning takes at most %d results in a run, so these are the first %d, errors first; "+
				"run daestro-jobs validate -o text to see them all", plural(left, "problem", "problems"), maxSARIFResults, maxSARIFResults)},
		}}}}
	}
	if s.o.Category != "" {
		// upload-sarif fills automationDetails.id from its category input only
		// when it is absent, so it is set only when asked for; GitHub reads
		// the category as what comes before the last '/'.
		id := s.o.Category
		if !strings.HasSuffix(id, "/") {
			id += "/"
		}
		run.AutomationDetails = &sarifAutomation{ID: id}
	}
	if s.o.Root != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifact{srcRoot: {URI: fileURI(s.sc.masked(s.o.Root)+"/", false)}}
	}
	return writeJSON(s.s.Out, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// region is where a result is: a line and a column (yaml.v3 and the tool
// count them in characters), to the end of the token there. A problem with a
// whole file is shown at its top, a YAML syntax error (the parser names a
// line only) at the start of its line; a result without a known end is an
// empty region, a point.
func region(d diag.Diagnostic) *sarifRegion {
	r := &sarifRegion{StartLine: max(d.Line, 1), StartColumn: max(d.Col, 1)}
	r.EndLine, r.EndColumn = r.StartLine, r.StartColumn
	if d.Line > 0 && d.Col > 0 && d.EndCol > d.Col {
		r.EndColumn = d.EndCol
	}
	return r
}

// capResults keeps at most n diagnostics, errors first, each kind in its
// order, and says how many it left out.
func capResults(ds []diag.Diagnostic, n int) ([]diag.Diagnostic, int) {
	if len(ds) <= n {
		return ds, 0
	}
	out := make([]diag.Diagnostic, 0, n)
	for _, sev := range []diag.Severity{diag.Error, diag.Warning} {
		for _, d := range ds {
			if len(out) == n {
				return out, len(ds) - n
			}
			if d.Severity == sev {
				out = append(out, d)
			}
		}
	}
	return out, len(ds) - len(out)
}

// semver is a semantic version 2.0 with Go's "v" in front, as module
// versions (tags, pseudo-versions) are; "(devel)" is not one.
var semver = regexp.MustCompile(`^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// sarifRules describes every rule as code scanning shows it.
func sarifRules() []sarifRule {
	out := make([]sarifRule, len(rules))
	for i, r := range rules {
		out[i] = sarifRule{ID: r.id, Name: r.name, ShortDescription: sarifText{r.short}, FullDescription: sarifText{r.full},
			Help:                 sarifMarkdown{Text: r.help, Markdown: "**" + r.short + ".** " + r.help + "\n\nSee the manifest reference: " + toolInfoURI + "#manifests"},
			HelpURI:              toolInfoURI + "#manifests",
			DefaultConfiguration: sarifConfig{Level: r.level}}
	}
	return out
}

// fileURI turns a path into a URI reference: relative ones stay relative
// (resolved against %SRCROOT%), absolute ones become file: URIs; characters
// a URI cannot hold are percent-escaped.
func fileURI(path string, relative bool) string {
	if relative || !strings.HasPrefix(path, "/") {
		// Not absolute: <stdin>, which no review tool can show anyway.
		return (&url.URL{Path: path}).String()
	}
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// fingerprints hashes the identity of a problem that survives lines moving
// above it: its rule, its file and the text of its line, then counts the
// problems sharing one hash in a run (":1", ":2"), as GitHub's own
// primaryLocationLineHash does.
type fingerprints map[string]int

func (f fingerprints) next(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	sum := hex.EncodeToString(h.Sum(nil))[:16]
	f[sum]++
	return sum + ":" + strconv.Itoa(f[sum])
}
