package document

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Plain renders doc as plain text on lines of cols characters, for logs, tests and CLI
// previews: what the paper shows, line for line, with centred and right-aligned lines padded
// with spaces, double-width text on one line as it would fit, bold lost, a QR code as "[QR]"
// above its data, a barcode as a "[EAN-13 …]" or "[Code 128 …]" line, the cut as a line of '=' and a drawer kick as
// "[drawer]". Every line has at most cols characters; it refuses fewer than MinColumns.
func Plain(doc Document, cols int) (string, error) {
	if cols < MinColumns {
		return "", fmt.Errorf("render %s as text: %d columns, need at least %d", doc.Kind, cols, MinColumns)
	}
	p := &plain{cols: cols, align: AlignLeft}
	p.blocks(doc.Blocks)
	return p.b.String(), nil
}

type plain struct {
	b     strings.Builder
	cols  int
	align Align
}

func (p *plain) blocks(bs []Block) {
	for _, b := range bs {
		p.block(b)
	}
}

func (p *plain) block(b Block) {
	switch b := b.(type) {
	case Style:
		prev := p.align
		if b.Align != AlignKeep {
			p.align = b.Align
		}
		p.blocks(b.Blocks)
		p.align = prev
	case Text:
		lines, _ := b.Lines(p.cols)
		p.lines(lines)
	case Pair:
		p.lines(b.Lines(p.cols))
	case Row:
		p.line(b.Line(p.cols))
	case Rule:
		p.line(RuleLine(p.cols))
	case Feed:
		for range max(b.Lines, 1) {
			p.line("")
		}
	case QR:
		p.line("[QR]")
		p.lines(Wrap(b.Data, p.cols))
	case Barcode:
		name := map[string]string{EAN13: "EAN-13", Code128: "Code 128"}[b.Symbology]
		if name == "" {
			name = "barcode " + b.Symbology
		}
		p.lines(Wrap("["+name+" "+b.Data+"]", p.cols))
	case Cut:
		p.b.WriteString(strings.Repeat("=", p.cols) + "\n")
	case Drawer:
		p.line("[drawer]")
	}
}

func (p *plain) lines(ls []string) {
	for _, l := range ls {
		p.line(l)
	}
}

// line writes one line aligned in the columns, without trailing spaces.
func (p *plain) line(s string) {
	s = fitted(s, p.cols)
	switch pad := p.cols - utf8.RuneCountInString(strings.TrimRight(s, " ")); p.align {
	case AlignCenter:
		s = strings.Repeat(" ", pad/2) + s
	case AlignRight:
		s = strings.Repeat(" ", pad) + s
	}
	p.b.WriteString(strings.TrimRight(s, " "))
	p.b.WriteByte('\n')
}
