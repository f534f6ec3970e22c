package output

import (
	"encoding/json"

	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

// jsonPrinter writes one JSON document per run, for machines.
type jsonPrinter struct{ s Streams }

type jsonDiagnostic struct {
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Path     string `json:"path,omitempty"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

func diagnostics(ds []manifest.Diagnostic) []jsonDiagnostic {
	out := make([]jsonDiagnostic, 0, len(ds))
	for _, d := range ds {
		out = append(out, jsonDiagnostic{File: d.File, Line: d.Line, Column: d.Col, Path: d.Path,
			Severity: d.Severity.String(), Message: d.Message})
	}
	return out
}

// jsonSource is where a document is and which job it names; validate and
// apply reports both start each entry with it.
type jsonSource struct {
	File          string `json:"file"`
	Line          int    `json:"line"`
	Document      int    `json:"document"`
	Name          string `json:"name,omitempty"`
	NameGenerated bool   `json:"name_generated,omitempty"`
	Queue         string `json:"queue,omitempty"`
}

func sourceOf(j *plan.Job) jsonSource {
	return jsonSource{File: j.File, Line: j.Line, Document: j.DocIndex, Name: j.Name, NameGenerated: j.NameGenerated, Queue: j.Queue}
}

type jsonDocument struct {
	jsonSource
	Valid bool `json:"valid"`
}

func (p *jsonPrinter) Validate(pl *plan.Plan) error {
	c := CountValidation(pl)
	doc := struct {
		Documents   []jsonDocument   `json:"documents"`
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
		Summary     struct {
			Files     int `json:"files"`
			Documents int `json:"documents"`
			Valid     int `json:"valid"`
			Invalid   int `json:"invalid"`
			Errors    int `json:"errors"`
			Warnings  int `json:"warnings"`
		} `json:"summary"`
	}{Documents: make([]jsonDocument, 0, len(pl.Jobs)), Diagnostics: diagnostics(pl.Diagnostics)}
	for i := range pl.Jobs {
		j := &pl.Jobs[i]
		doc.Documents = append(doc.Documents, jsonDocument{jsonSource: sourceOf(j), Valid: !j.Invalid})
	}
	doc.Summary.Files, doc.Summary.Documents, doc.Summary.Valid = c.Files, c.Documents, c.Valid
	doc.Summary.Invalid, doc.Summary.Errors, doc.Summary.Warnings = c.Invalid, c.Errors, c.Warnings
	return p.write(doc)
}

type jsonJob struct {
	jsonSource
	Outcome  string          `json:"outcome"`
	ID       string          `json:"id,omitempty"`
	Attempts int             `json:"attempts,omitempty"`
	Error    string          `json:"error,omitempty"`
	Note     string          `json:"note,omitempty"`
	Body     json.RawMessage `json:"body,omitempty"`
}

func (p *jsonPrinter) Apply(r *ApplyReport) error {
	c := Count(r.Results)
	doc := struct {
		DryRun      bool             `json:"dry_run"`
		Interrupted bool             `json:"interrupted,omitempty"`
		Jobs        []jsonJob        `json:"jobs"`
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
		Summary     struct {
			Counts
			ElapsedSeconds float64 `json:"elapsed_seconds,omitempty"`
		} `json:"summary"`
	}{DryRun: r.DryRun, Interrupted: r.Interrupted, Jobs: make([]jsonJob, 0, len(r.Results)), Diagnostics: diagnostics(r.Plan.Diagnostics)}
	for _, res := range r.Results {
		j := res.Job
		jj := jsonJob{jsonSource: sourceOf(j), Outcome: string(res.Outcome), ID: res.ID, Attempts: res.Attempts, Error: res.Error, Note: res.Note}
		if len(j.Masked) > 0 {
			jj.Body = json.RawMessage(j.Masked)
		}
		doc.Jobs = append(doc.Jobs, jj)
	}
	doc.Summary.Counts = c
	doc.Summary.ElapsedSeconds = r.Elapsed.Seconds()
	return p.write(doc)
}

func (p *jsonPrinter) write(v any) error {
	enc := json.NewEncoder(p.s.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
