// Package sarifcheck holds SARIF reports to the official SARIF 2.1.0 JSON
// Schema, for tests: code scanning refuses a report that breaks it.
//
// The schema is OASIS's (errata01, sarif-schema-2.1.0.json), as the module
// github.com/owenrumney/go-sarif/v3 v3.3.1 carries it in
// pkg/report/v210/sarif/schema.go. It is read from that module, fetched
// through the Go module proxy and checked against go.sum like any
// dependency, rather than copied into this repository; its SHA-256 is pinned
// below, so a different schema cannot slip in. testdata/sarif/SOURCE.md
// says the same for people.
package sarifcheck

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/xeipuuv/gojsonschema"
)

// Module, SchemaFile and SchemaSHA256 say where the schema comes from.
const (
	Module       = "github.com/owenrumney/go-sarif/v3"
	SchemaFile   = "pkg/report/v210/sarif/schema.go"
	SchemaSHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
	SchemaID     = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

// Schema returns the official schema's text, read from the module in the
// module cache (go list finds it; go mod download fetches it).
func Schema() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", Module).Output()
	if err != nil {
		return "", fmt.Errorf("finding %s: %w", Module, err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), SchemaFile))
	if err != nil {
		return "", err
	}
	_, rest, ok := strings.Cut(string(src), "const schema = `")
	text, _, ok2 := strings.Cut(rest, "`")
	if !ok || !ok2 {
		return "", errors.New("no schema constant in " + SchemaFile)
	}
	if sum := sha256.Sum256([]byte(text)); hex.EncodeToString(sum[:]) != SchemaSHA256 {
		return "", fmt.Errorf("%s in %s is not the pinned schema (SHA-256 %x)", SchemaFile, Module, sum)
	}
	return text, nil
}

// Validate checks a SARIF document against the official schema twice, by
// two implementations (jsonschema/v5 and gojsonschema, which go-sarif
// validates with), and reads it into go-sarif's model of SARIF 2.1.0.
// (go-sarif's own Report.Validate is not used: it validates what its model
// writes back, which turns absent arrays into nulls its schema refuses.)
func Validate(doc []byte) error {
	text, err := Schema()
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, strings.NewReader(text)); err != nil {
		return err
	}
	s, err := c.Compile(SchemaID)
	if err != nil {
		return err
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("jsonschema/v5: %w", err)
	}
	res, err := gojsonschema.Validate(gojsonschema.NewStringLoader(text), gojsonschema.NewBytesLoader(doc))
	if err != nil {
		return fmt.Errorf("gojsonschema: %w", err)
	}
	if !res.Valid() {
		return fmt.Errorf("gojsonschema: %v", res.Errors())
	}
	var r gosarif.Report
	if err := json.Unmarshal(doc, &r); err != nil {
		return fmt.Errorf("go-sarif's model: %w", err)
	}
	if len(r.Runs) == 0 || r.Runs[0].Tool == nil || r.Runs[0].Tool.Driver == nil {
		return errors.New("go-sarif's model: no run with a tool driver")
	}
	return nil
}
