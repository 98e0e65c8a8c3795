package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestGenerate_UpToDate regenerates the table from the dictionary copy in
// this folder, in a temporary directory, and compares it with the checked-in
// scanner/gs1_table.go: run `go generate ./scanner` after changing either.
func TestGenerate_UpToDate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "gs1_table.go")
	if err := run("gs1-syntax-dictionary.txt", out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "gs1_table.go"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("scanner/gs1_table.go is stale: run go generate ./scanner")
	}
}

func TestParseLine(t *testing.T) {
	t.Run("range", func(t *testing.T) {
		es, err := parseLine("3100-3105  *?  N6                                req=01,02 ex=310n                                  # NET WEIGHT (kg)")
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 6 || es[0].ai != "3100" || es[5].ai != "3105" {
			t.Fatalf("got %d entries from %q to %q, want 3100..3105", len(es), es[0].ai, es[len(es)-1].ai)
		}
		e := es[3]
		want := entry{ai: "3103", fixed: true, dlAttr: true,
			parts: []part{{cset: 'N', min: 6, max: 6}},
			req:   [][][]string{{{"01"}, {"02"}}}, ex: []string{"310n"}, title: "NET WEIGHT (kg)"}
		if !reflect.DeepEqual(e, want) {
			t.Errorf("got %+v, want %+v", e, want)
		}
	})
	t.Run("optional-components-and-dlpkey", func(t *testing.T) {
		es, err := parseLine("8003        ?  N1,zero N13,csum,gcppos1 [X..16]  dlpkey                                             # GRAI")
		if err != nil {
			t.Fatal(err)
		}
		want := []part{
			{cset: 'N', min: 1, max: 1, linters: []string{"zero"}},
			{cset: 'N', min: 13, max: 13, linters: []string{"csum", "gcppos1"}},
			{cset: 'X', min: 1, max: 16, optional: true},
		}
		if got := es[0].parts; !reflect.DeepEqual(got, want) {
			t.Errorf("parts: got %+v, want %+v", got, want)
		}
		if !es[0].dlPKey || es[0].fixed || !es[0].dlAttr {
			t.Errorf("flags: got %+v", es[0])
		}
	})
	t.Run("alternative-qualifiers-and-pairs", func(t *testing.T) {
		es, err := parseLine("01         *?  N14,csum,gcppos2                  ex=255,37 dlpkey=22,10,21|235                      # GTIN")
		if err != nil {
			t.Fatal(err)
		}
		if want := [][]string{{"22", "10", "21"}, {"235"}}; !reflect.DeepEqual(es[0].dlQualifiers, want) {
			t.Errorf("qualifiers: got %q, want %q", es[0].dlQualifiers, want)
		}
		es, err = parseLine("250         ?  X..30                             req=01+21,03+21,8006+21                            # SECONDARY SERIAL")
		if err != nil {
			t.Fatal(err)
		}
		if want := [][][]string{{{"01", "21"}, {"03", "21"}, {"8006", "21"}}}; !reflect.DeepEqual(es[0].req, want) {
			t.Errorf("req: got %q, want %q", es[0].req, want)
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, line := range []string{
			"01",
			"0x  N3",
			"3105-3100  N6",
			"01  *  N14 bogus=1",
			"01  *  req=02",
		} {
			if _, err := parseLine(line); err == nil {
				t.Errorf("parseLine(%q): no error", line)
			}
		}
	})
}
