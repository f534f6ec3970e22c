package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/printable"
)

// junitPrinter writes a validation as JUnit XML, which CI systems show as
// test results: one testsuite per file, one testcase per document, a failure
// for every document with errors. A file that could not be read or parsed is
// a failing testcase of its own.
//
// Values are masked and their control characters escaped before the XML
// encoder sees them: it would write a line break in a failure's text as it
// is, and a value could then start a line of the CI log.
type junitPrinter struct {
	s  Streams
	sc scrub
	o  Options
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func (j *junitPrinter) Validate(p *plan.Plan) error {
	// Diagnostics by document, and those about whole files by file.
	byDoc := make(map[int][]diag.Diagnostic)
	byFile := make(map[string][]diag.Diagnostic)
	for _, d := range p.Diagnostics {
		if d.Kind == diag.Document && d.Doc < len(p.Jobs) {
			byDoc[d.Doc] = append(byDoc[d.Doc], d)
		} else {
			byFile[d.File] = append(byFile[d.File], d)
		}
	}
	suites := map[string]*junitSuite{}
	// GitLab keys a test case by its suite, class and name and keeps one
	// per key (Gitlab::Ci::Reports::TestCase#key, TestSuite#add_test_case):
	// two documents defining one job would show as one. Names are unique in
	// a suite (a suite is a file, as is the class).
	names := map[string]map[string]bool{}
	for _, f := range fileOrder(p) {
		suites[f] = &junitSuite{Name: j.sc.text(f)}
		names[f] = map[string]bool{}
		if ds := byFile[f]; len(ds) > 0 {
			names[f][j.sc.text(f)] = true
			suites[f].Cases = append(suites[f].Cases, j.testcase(j.sc.text(f), f, ds))
		}
	}
	for i := range p.Jobs {
		job := &p.Jobs[i]
		name := fmt.Sprintf("%s#%d", j.sc.text(job.File), job.DocIndex)
		if id := j.sc.identity(job); id != "" {
			name = id
		}
		// A second document with the name is told apart by its index in the
		// file, as documents without a name are.
		for n, base := 0, name; names[job.File][name]; n++ {
			name = fmt.Sprintf("%s#%d", base, job.DocIndex)
			if n > 0 {
				name += fmt.Sprintf(".%d", n)
			}
		}
		names[job.File][name] = true
		s := suites[job.File]
		s.Cases = append(s.Cases, j.testcase(name, job.File, byDoc[i]))
	}
	doc := junitSuites{Name: validateTitle}
	for _, f := range fileOrder(p) {
		s := suites[f]
		s.Tests = len(s.Cases)
		for _, c := range s.Cases {
			if c.Failure != nil {
				s.Failures++
			}
		}
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Suites = append(doc.Suites, *s)
	}
	if _, err := io.WriteString(j.s.Out, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(j.s.Out)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(j.s.Out, "\n")
	return err
}

// testcase is one document (or one file, for problems with the file as a
// whole): failing when any of its diagnostics is an error, with every error
// in the failure's text; warnings go to system-out.
func (j *junitPrinter) testcase(name, file string, ds []diag.Diagnostic) junitCase {
	// file is what GitLab reads to link a failure to its file: relative to
	// the repository, like SARIF's and Code Quality's paths. No line: no
	// consumer reads one, and a document's line is not its error's.
	rel, _ := j.o.relPath(j.sc.masked(file))
	c := junitCase{Name: name, Classname: j.sc.text(file), File: printable.Escape(rel)}
	var errs, warns []string
	for _, d := range ds {
		if d.Severity == diag.Error {
			errs = append(errs, j.sc.diagnostic(d))
		} else {
			warns = append(warns, j.sc.diagnostic(d))
		}
	}
	if len(errs) > 0 {
		msg := errs[0]
		if len(errs) > 1 {
			msg = fmt.Sprintf("%s (and %s)", errs[0], plural(len(errs)-1, "more error", "more errors"))
		}
		c.Failure = &junitFailure{Message: msg, Type: "invalid", Text: strings.Join(errs, "\n") + "\n"}
	}
	if len(warns) > 0 {
		c.SystemOut = strings.Join(warns, "\n") + "\n"
	}
	return c
}

// fileOrder lists the files a plan mentions, in manifest order: the files of
// its jobs and those only its diagnostics name (unreadable ones), merged so
// that both keep their order.
func fileOrder(p *plan.Plan) []string {
	var fromJobs []string
	seen := map[string]bool{}
	for _, j := range p.Jobs {
		if !seen[j.File] {
			seen[j.File] = true
			fromJobs = append(fromJobs, j.File)
		}
	}
	jobFile := seen
	var out []string
	done := map[string]bool{}
	next := 0 // fromJobs[next:] are not yet in out
	for _, d := range p.Diagnostics {
		f := d.File
		if done[f] {
			continue
		}
		if jobFile[f] {
			for next < len(fromJobs) && !done[f] {
				done[fromJobs[next]] = true
				out = append(out, fromJobs[next])
				next++
			}
			continue
		}
		done[f] = true
		out = append(out, f)
	}
	for ; next < len(fromJobs); next++ {
		if !done[fromJobs[next]] {
			out = append(out, fromJobs[next])
		}
	}
	return out
}
