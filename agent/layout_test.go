package agent

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLayout_AgentWiresEverything keeps the folders honest: `agent` is the package that wires all the
// others, so nothing but the commands imports it; the database lives in sync/db and the fleet protocol
// in sync/fleet, below the parts that use them; the bench kit under cmd/storebench is used only by bench
// packages and tests; pos (receipts, reports, the RT's documents) imports no printer protocol or
// driver (only the fiscal printer's device class), the devices render its documents. (packaging's tests load the shipped config through agent, as the binary does.)
func TestLayout_AgentWiresEverything(t *testing.T) {
	const mod = "github.com/storeagent/storeagent/"
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		dir := filepath.ToSlash(filepath.Dir(rel))
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		isTest := strings.HasSuffix(path, "_test.go")
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, mod) {
				continue
			}
			p = strings.TrimPrefix(p, mod)
			switch {
			case (p == "agent" || strings.HasPrefix(p, "agent/")) && dir != "agent" && !strings.HasPrefix(dir, "agent/") && !strings.HasPrefix(dir, "cmd/") && !(isTest && dir == "packaging"):
				t.Errorf("%s imports %s: only the commands may import agent, which wires everything", rel, p)
			case (p == "devices" || strings.HasPrefix(p, "devices/")) && p != "devices/fiscalprinter" && (dir == "pos" || strings.HasPrefix(dir, "pos/")) && !isTest:
				t.Errorf("%s imports %s: pos builds device-neutral documents (pos/document) and speaks to an RT only through the device class devices/fiscalprinter; drivers and printer protocols render them", rel, p)
			case strings.HasPrefix(p, "cmd/") && !strings.HasPrefix(dir, "cmd/") && !(isTest && dir == "packaging"):
				if p != "cmd/storebench/benchkit" || !(isTest || strings.HasSuffix(dir, "bench")) {
					t.Errorf("%s imports %s: code under cmd/ is the commands' own", rel, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("walked only %d Go files from %s", checked, root)
	}
}
