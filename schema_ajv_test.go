package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/daestro-jobs/daestro-jobs/schema"
)

// ajvScript validates every document of a JSON array against a schema with
// ajv's draft 2020-12 validator and prints one verdict a document ("" when
// valid). strict is off: the schema carries annotations ajv does not know
// (errorMessage, read by ajv-errors and yaml-language-server; x- keys).
const ajvScript = `
const [dir, schemaFile, docsFile] = process.argv.slice(2);
const Ajv2020 = require(dir + "/node_modules/ajv/dist/2020").default;
const fs = require("fs");
const ajv = new Ajv2020({strict: false, allErrors: true});
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, "utf8")));
const docs = JSON.parse(fs.readFileSync(docsFile, "utf8"));
process.stdout.write(JSON.stringify(docs.map(d => validate(d) ? "" : ajv.errorsText(validate.errors))));
`

// TestPrintedSchemaAgreesWithAjv runs every manifest of the examples, of
// testdata and of the test scripts through the printed schema with a second,
// independent validator, ajv (the one behind many editors' JSON Schema
// support), next to jsonschema/v5: both give every document the same
// verdict, and every document daestro-jobs accepts is valid for both
// (issue 21). .ci/run installs ajv with npm and names its directory in
// DAESTRO_JOBS_AJV.
func TestPrintedSchemaAgreesWithAjv(t *testing.T) {
	dir := os.Getenv("DAESTRO_JOBS_AJV")
	if dir == "" {
		t.Skip("ajv is not installed: .ci/run installs it (npm install --prefix DIR ajv@8) and sets DAESTRO_JOBS_AJV=DIR")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skipf("ajv is installed in %s but node is not on PATH: %v", dir, err)
	}
	code, printed, _ := runInProcess(t, nil, "schema")
	if code != 0 {
		t.Fatalf("daestro-jobs schema: exit %d", code)
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(schema.ID, strings.NewReader(printed)); err != nil {
		t.Fatal(err)
	}
	printedSchema, err := c.Compile(schema.ID)
	if err != nil {
		t.Fatal(err)
	}
	v, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}

	type doc struct {
		where     string
		value     any
		toolValid bool
	}
	var docs []doc
	for _, f := range schemaCorpus(t, true) {
		p := toolPlan(t, v, f)
		valid := map[int]bool{}
		for _, j := range p.Jobs {
			valid[j.DocIndex] = !j.Invalid
		}
		plain := plainDocuments(t, f)
		for _, i := range slices.Sorted(maps.Keys(plain)) {
			docs = append(docs, doc{where: fmt.Sprintf("%s, document %d", f, i), value: plain[i], toolValid: valid[i]})
		}
	}
	values := make([]any, len(docs))
	for i, d := range docs {
		values[i] = d.value
	}
	all, err := json.Marshal(values)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	schemaFile, docsFile, script := filepath.Join(tmp, "schema.json"), filepath.Join(tmp, "docs.json"), filepath.Join(tmp, "ajv.js")
	for name, data := range map[string]string{schemaFile: printed, docsFile: string(all), script: ajvScript} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(node, script, abs, schemaFile, docsFile)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node with ajv: %v\n%s", err, stderr.String())
	}
	var verdicts []string
	if err := json.Unmarshal(stdout.Bytes(), &verdicts); err != nil || len(verdicts) != len(docs) {
		t.Fatalf("ajv's verdicts: %v, %d for %d documents", err, len(verdicts), len(docs))
	}
	var valid, invalid int
	for i, d := range docs {
		ajvErr := verdicts[i]
		// The document as JSON, as ajv read it: jsonschema/v5 reads the
		// same bytes, so both see one number where YAML wrote it.
		var same any
		dec := json.NewDecoder(bytes.NewReader(must(json.Marshal(d.value))))
		dec.UseNumber()
		if err := dec.Decode(&same); err != nil {
			t.Fatal(err)
		}
		v5Err := printedSchema.Validate(same)
		if (ajvErr == "") != (v5Err == nil) {
			t.Errorf("%s: ajv says %q, jsonschema/v5 says %v", d.where, ajvErr, v5Err)
		}
		if d.toolValid && ajvErr != "" {
			t.Errorf("%s: valid for daestro-jobs, not for ajv on the printed schema: %s", d.where, ajvErr)
		}
		if d.value == nil && ajvErr != "" {
			t.Errorf("%s: an empty document, which daestro-jobs skips, is not valid for ajv: %s", d.where, ajvErr)
		}
		if ajvErr == "" {
			valid++
		} else {
			invalid++
		}
	}
	if valid < 20 || invalid < 10 {
		t.Errorf("%d valid and %d invalid documents: the corpus went missing", valid, invalid)
	}
	t.Logf("%d documents: %d valid, %d invalid for both validators", len(docs), valid, invalid)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
