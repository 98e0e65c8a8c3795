package scanner

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected part of golden files")

// goldenCase is one file under testdata/<feature>/: header lines
// "key: value" (input is a Go-quoted string), a line "---", then the
// expected output.
type goldenCase struct {
	path    string
	header  map[string]string
	input   string
	want    string
	headerT string // the header text, kept verbatim on -update
}

func readGolden(t *testing.T, feature string) []goldenCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", feature, "*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var out []goldenCase
	for _, f := range files {
		if strings.HasSuffix(f, ".md") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		head, want, ok := strings.Cut(string(b), "\n---\n")
		if !ok {
			t.Fatalf("%s: no --- line", f)
		}
		c := goldenCase{path: f, header: map[string]string{}, want: want, headerT: head}
		for _, line := range strings.Split(head, "\n") {
			k, v, ok := strings.Cut(line, ": ")
			if !ok || strings.HasPrefix(line, "#") {
				continue
			}
			c.header[k] = v
		}
		in, ok := c.header["input"]
		if !ok {
			t.Fatalf("%s: no input line", f)
		}
		if c.input, err = strconv.Unquote(in); err != nil {
			t.Fatalf("%s: input is not a Go string: %v", f, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		t.Fatalf("no golden cases in testdata/%s", feature)
	}
	return out
}

// check compares got with the case's expected text, or rewrites it.
func (c goldenCase) check(t *testing.T, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(c.path, []byte(c.headerT+"\n---\n"+got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != c.want {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", c.path, got, c.want)
	}
}

// scanView is Scan with GS1 in order, for golden files.
type scanView struct {
	Symbology string    `json:"symbology"`
	Data      string    `json:"data"`
	Valid     bool      `json:"valid"`
	Reason    string    `json:"reason,omitempty"`
	GS1       []AIValue `json:"gs1,omitempty"`
	GTIN      string    `json:"gtin,omitempty"`
	Embedded  *RCN      `json:"embedded,omitempty"`
}

func (c goldenCase) options(t *testing.T) Options {
	t.Helper()
	var o Options
	if r := c.header["region"]; r != "" {
		o.RCN = RCNLayoutsFor(r)
		if o.RCN == nil {
			t.Fatalf("%s: no layouts for region %s", c.path, r)
		}
	}
	if v := c.header["vendor_ids"]; v != "" {
		if err := json.Unmarshal([]byte(v), &o.IDs.VendorIDs); err != nil {
			t.Fatalf("%s: vendor_ids: %v", c.path, err)
		}
	}
	return o
}

func marshalView(s Scan) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(scanView(s)); err != nil {
		return fmt.Sprintf("marshal: %v\n", err)
	}
	return b.String()
}

// TestParse_Golden runs Parse over the golden cases of every feature that
// is about whole scans.
func TestParse_Golden(t *testing.T) {
	for _, feature := range []string{"aim", "gs1", "digitallink", "rcn"} {
		t.Run(feature, func(t *testing.T) {
			for _, c := range readGolden(t, feature) {
				t.Run(filepath.Base(c.path), func(t *testing.T) {
					c.check(t, marshalView(Parse([]byte(c.input), c.options(t))))
				})
			}
		})
	}
}

// TestCheckDigits_Golden runs GTIN14, ExpandUPCE and the price verifier
// over testdata/checkdigit; the header's "func" picks the function.
func TestCheckDigits_Golden(t *testing.T) {
	for _, c := range readGolden(t, "checkdigit") {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			var got string
			switch fn := c.header["func"]; fn {
			case "gtin14":
				got = resultLine(GTIN14(c.input))
			case "upce":
				got = resultLine(ExpandUPCE(c.input))
			case "price":
				got = "no verifier for this length\n"
				if d, ok := priceCheckDigit(c.input); ok {
					got = string(d) + "\n"
				}
			default:
				t.Fatalf("%s: unknown func %q", c.path, fn)
			}
			c.check(t, got)
		})
	}
}

func resultLine(s string, err error) string {
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	return s + "\n"
}
