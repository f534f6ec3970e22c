package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCitations holds comments to what a reader of the repository has: the
// product contract and the API are in docs/, so no file cites the specification
// or API notes that lived outside it, and every docs/ file a Go file names
// exists.
func TestCitations(t *testing.T) {
	outside := regexp.MustCompile(`SPEC(\.md)?\s*§|\.\./shared/|daestro-api\.md`)
	cited := regexp.MustCompile(`docs/[a-z0-9-]+\.md`)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if outside.MatchString(line) && path != "docs_test.go" {
				t.Errorf("%s:%d: cites a document outside the repository; cite docs/ instead: %s", path, i+1, strings.TrimSpace(line))
			}
			for _, doc := range cited.FindAllString(line, -1) {
				if _, err := os.Stat(doc); err != nil {
					t.Errorf("%s:%d: cites %s, which does not exist", path, i+1, doc)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
