package devices

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/storeagent/storeagent/devices/escpos"
	"github.com/storeagent/storeagent/pos/document"
)

// DemoPrinter is the virtual printer of `storeagent demo`: a print driver (pos.Driver and
// pos.Previewer) that renders each job to a PNG file in Dir (what the paper would show), for
// the demo page to list. Every printer name in Printers prints with Model.
type DemoPrinter struct {
	// Dir receives one PNG per job, named <UTC time>-<printer>-<n>.png so names sort by time.
	Dir string
	// Model is the profile the receipts are laid out for (the demo uses generic-80mm).
	Model escpos.Profile
	// Printers are the printer names it answers to; empty means any name.
	Printers []string
	// Now is the clock for file names (nil: time.Now).
	Now func() time.Time

	mu sync.Mutex
	n  int
}

// Has reports whether the demo printer answers to the name printer.
func (d *DemoPrinter) Has(printer string) bool {
	return len(d.Printers) == 0 || slices.Contains(d.Printers, printer)
}

// Render lays doc out as ESC/POS bytes for Model.
func (d *DemoPrinter) Render(printer string, doc document.Document) ([]byte, error) {
	if !d.Has(printer) {
		return nil, fmt.Errorf("printer %q: not configured", printer)
	}
	return escpos.Render(doc, d.Model)
}

// Preview draws doc as Model prints it.
func (d *DemoPrinter) Preview(printer string, doc document.Document) (image.Image, error) {
	if !d.Has(printer) {
		return nil, fmt.Errorf("printer %q: not configured", printer)
	}
	return escpos.RenderDocumentPNG(doc, d.Model)
}

// Print renders data and writes the PNG atomically (a temporary file renamed into place), so
// the demo page never lists half a file.
func (d *DemoPrinter) Print(ctx context.Context, printer string, data []byte) error {
	if !d.Has(printer) {
		return fmt.Errorf("printer %q: not configured", printer)
	}
	img, err := escpos.RenderPNG(data, d.Model)
	if err != nil {
		return fmt.Errorf("demo printer %q: %w", printer, err)
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	d.mu.Lock()
	d.n++
	name := fmt.Sprintf("%s-%s-%04d.png", now().UTC().Format("20060102T150405.000Z"), safeName(printer), d.n)
	d.mu.Unlock()
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		return fmt.Errorf("demo printer %q: %w", printer, err)
	}
	tmp, err := os.CreateTemp(d.Dir, ".receipt-*.tmp")
	if err != nil {
		return fmt.Errorf("demo printer %q: %w", printer, err)
	}
	defer os.Remove(tmp.Name())
	if err := png.Encode(tmp, img); err != nil {
		tmp.Close()
		return fmt.Errorf("demo printer %q: encode png: %w", printer, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("demo printer %q: %w", printer, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.Dir, name)); err != nil {
		return fmt.Errorf("demo printer %q: %w", printer, err)
	}
	return nil
}

// Receipts lists the PNG files printed so far, oldest first (names relative to Dir).
func (d *DemoPrinter) Receipts() ([]string, error) {
	entries, err := os.ReadDir(d.Dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list demo receipts: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".png") && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

// safeName keeps a printer name usable in a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
