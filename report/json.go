package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/printable"
)

// jsonPrinter writes one JSON document per run, for machines.
type jsonPrinter struct {
	s  Streams
	sc scrub
}

type jsonDiagnostic struct {
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Path     string `json:"path,omitempty"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

func (p *jsonPrinter) diagnostics(ds []diag.Diagnostic) []jsonDiagnostic {
	out := make([]jsonDiagnostic, 0, len(ds))
	for _, d := range ds {
		out = append(out, jsonDiagnostic{File: p.sc.masked(d.File), Line: d.Line, Column: d.Col, Path: p.sc.masked(d.Path),
			Severity: d.Severity.String(), Message: p.sc.masked(d.Message)})
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
	// Defaults are the _defaults.yaml files applied, farthest first.
	Defaults []string `json:"defaults,omitempty"`
}

func (p *jsonPrinter) source(j *plan.Job) jsonSource {
	return jsonSource{File: p.sc.masked(j.File), Line: j.Line, Document: j.DocIndex, Name: p.sc.masked(j.Name),
		NameGenerated: j.NameGenerated, Queue: p.sc.masked(j.Queue), Defaults: p.defaults(j.Defaults)}
}

func (p *jsonPrinter) defaults(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = p.sc.masked(n)
	}
	return out
}

type jsonDocument struct {
	jsonSource
	Valid bool `json:"valid"`
}

func (p *jsonPrinter) Validate(pl *plan.Plan) error {
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
	}{Documents: make([]jsonDocument, 0, len(pl.Jobs)), Diagnostics: p.diagnostics(pl.Diagnostics)}
	for i := range pl.Jobs {
		j := &pl.Jobs[i]
		doc.Documents = append(doc.Documents, jsonDocument{jsonSource: p.source(j), Valid: !j.Invalid})
	}
	doc.Summary.Files, doc.Summary.Documents = pl.Files, pl.Documents
	doc.Summary.Valid, doc.Summary.Invalid = pl.Documents-pl.Invalid, pl.Invalid
	doc.Summary.Errors, doc.Summary.Warnings = pl.Errors(), pl.Warnings()
	return writeJSON(p.s.Out, doc)
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

func (p *jsonPrinter) Apply(a *outcome.Apply) error {
	doc := struct {
		DryRun      bool             `json:"dry_run"`
		Interrupted bool             `json:"interrupted,omitempty"`
		Jobs        []jsonJob        `json:"jobs"`
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
		Summary     struct {
			outcome.Counts
			ElapsedSeconds float64 `json:"elapsed_seconds,omitempty"`
		} `json:"summary"`
	}{DryRun: a.DryRun, Interrupted: a.Interrupted, Jobs: make([]jsonJob, 0, len(a.Jobs)), Diagnostics: p.diagnostics(a.Plan.Diagnostics)}
	for _, r := range a.Jobs {
		j := r.Job
		jj := jsonJob{jsonSource: p.source(j), Outcome: string(r.Outcome), ID: p.sc.masked(r.ID), Attempts: r.Attempts,
			Error: p.sc.errMasked(r.Err, r.Error), Note: p.sc.masked(r.Note)}
		if !j.Invalid && j.Body.JobQueue != "" {
			jj.Body = displayBody(p.sc, j)
		}
		doc.Jobs = append(doc.Jobs, jj)
	}
	doc.Summary.Counts = a.Counts()
	doc.Summary.ElapsedSeconds = a.Elapsed.Seconds()
	return writeJSON(p.s.Out, doc)
}

// Wait writes the wait as a second JSON document after the apply report.
func (p *jsonPrinter) Wait(w *outcome.Wait) error {
	type job struct {
		File       string  `json:"file"`
		Line       int     `json:"line"`
		Name       string  `json:"name"`
		ID         string  `json:"id"`
		State      string  `json:"state"`
		SystemNote *string `json:"system_note"`
		Error      string  `json:"error,omitempty"`
	}
	doc := struct {
		Wait             []job `json:"wait"`
		SkippedExists    int   `json:"skipped_exists"`
		SkippedScheduled int   `json:"skipped_scheduled"`
		TimedOut         bool  `json:"timed_out"`
	}{Wait: []job{}, SkippedExists: w.SkippedExists, SkippedScheduled: w.SkippedScheduled, TimedOut: w.TimedOut}
	for _, r := range w.Jobs {
		j := r.Job.Job
		var note *string
		if n := r.Detail.SystemNote; n != nil {
			s := p.sc.masked(*n)
			note = &s
		}
		doc.Wait = append(doc.Wait, job{File: p.sc.masked(j.File), Line: j.Line, Name: p.sc.masked(j.Name),
			ID: p.sc.masked(r.Job.ID), State: p.sc.masked(string(r.Detail.State)), SystemNote: note, Error: p.sc.errMasked(r.Err, r.Error)})
	}
	return writeJSON(p.s.Out, doc)
}

// displayBody is a job's request body for display: sensitive values masked,
// every string scrubbed, as compact JSON safe to print.
func displayBody(sc scrub, j *plan.Job) []byte {
	b, err := json.Marshal(j.Masked().Map(sc.masked))
	if err != nil {
		return nil // a body of strings always encodes
	}
	return printable.JSON(b)
}

// writeJSON writes v as indented JSON, safe to print.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(printable.JSON(b.Bytes()))
	return err
}
