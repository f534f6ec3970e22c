// Command floor is the lower bound bench/run.sh compares `daestro-jobs validate` with:
// the least a Go program must do to validate the same manifests. It reads every
// *.yaml under the given directories on all cores, parses each document with
// yaml.v3 into a yaml.Node and (unless -parse-only) converts it to JSON values
// and validates them with jsonschema/v5 against the precompiled job schema. No
// environment references, schedules, names or duplicate checks: only the work
// any YAML+JSON Schema validator has to do.
//
//	go run ./bench/floor [-parse-only] DIR...
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"

	"github.com/daestro-jobs/daestro-jobs/schema"
)

func main() {
	parseOnly := flag.Bool("parse-only", false, "parse the YAML only, validate nothing")
	flag.Parse()
	var paths []string
	for _, root := range flag.Args() {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				paths = append(paths, p)
			}
			return nil
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	var compiled *jsonschema.Schema
	if !*parseOnly {
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft2020
		if err := c.AddResource("jobs.schema.json", strings.NewReader(schema.JSON())); err != nil {
			log.Fatal(err)
		}
		compiled = c.MustCompile("jobs.schema.json")
	}

	var docs, invalid atomic.Int64
	next := make(chan string, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for p := range next {
				data, err := os.ReadFile(p)
				if err != nil {
					log.Fatal(err)
				}
				dec := yaml.NewDecoder(bytes.NewReader(data))
				for {
					var n yaml.Node
					if err := dec.Decode(&n); errors.Is(err, io.EOF) {
						break
					} else if err != nil {
						invalid.Add(1)
						break
					}
					docs.Add(1)
					if compiled == nil {
						continue
					}
					if err := compiled.Validate(value(&n)); err != nil {
						invalid.Add(1)
					}
				}
			}
		})
	}
	for _, p := range paths {
		next <- p
	}
	close(next)
	wg.Wait()
	fmt.Printf("files %d docs %d invalid %d\n", len(paths), docs.Load(), invalid.Load())
}

// value converts a node to what jsonschema validates: map[string]any, []any,
// string, bool, nil and json-like numbers (ints as int64, others float64).
func value(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return value(n.Content[0])
	case yaml.AliasNode:
		return value(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = value(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = value(c)
		}
		return s
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err == nil {
			return v
		}
	}
	return n.Value
}
