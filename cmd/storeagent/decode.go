package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/storeagent/storeagent/scanner"
)

// decodeCmd prints the barcodes and QR codes found in image files, one per line: symbology, data.
// A file that cannot be read or is not an image fails the command after the others are done.
func (m *Main) decodeCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("decode", flag.ContinueOnError)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("want one or more IMAGE files")
	}
	var failed []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			var codes []scanner.Code
			codes, err = scanner.DecodeImageBytes(b)
			for _, c := range codes {
				prefix := ""
				if len(files) > 1 {
					prefix = f + ": "
				}
				fmt.Fprintf(m.Stdout, "%s%s, %s\n", prefix, c.Symbology, strings.ReplaceAll(c.Data, "\x1d", "<GS>"))
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
