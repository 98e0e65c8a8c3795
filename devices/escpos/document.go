package escpos

import (
	"fmt"
	"image"
	"strings"
)

// OpKind says what an Op in a decoded Document is.
type OpKind int

// Op kinds.
const (
	OpText          OpKind = iota // Text: decoded characters (no line feed)
	OpNewline                     // LF
	OpFeed                        // ESC d n: Args[0] lines
	OpInit                        // ESC @
	OpAlign                       // ESC a: Args[0] Alignment
	OpBold                        // ESC E: Args[0] 0/1
	OpUnderline                   // ESC -: Args[0] 0..2
	OpSize                        // GS !: Args[0] width, Args[1] height multiplier
	OpFont                        // ESC M: Args[0] font
	OpCodePage                    // ESC t: Args[0] number; Text the page name
	OpBarcode                     // GS k: Text data; Args[0] system (67 EAN-13, 73 Code 128 …), Args[1..3] width, height, HRI
	OpQR                          // GS ( k print: Text data; Args model, size, level
	OpImage                       // GS v 0: Image
	OpCut                         // GS V: Args[0] CutMode, Args[1] feed
	OpDrawer                      // ESC p: Args pin (2 or 5), on ms, off ms
	OpASB                         // GS a: Args[0] mask
	OpStatusRequest               // DLE EOT: Args[0] n
	OpOther                       // a known command with no effect on the preview; Text names it
)

// Op is one decoded element of an ESC/POS stream.
type Op struct {
	Kind OpKind
	Text string
	Args []int
	// Image is the raster image of an OpImage: black dots 0, white 255.
	Image *image.Gray
}

// Document is an ESC/POS stream decoded into text and commands, in order.
type Document struct {
	Ops []Op
}

// String renders op in the one-line form used by golden files, e.g. "[align center]".
func (op Op) String() string {
	a := func(i int) int {
		if i < len(op.Args) {
			return op.Args[i]
		}
		return 0
	}
	switch op.Kind {
	case OpText:
		return op.Text
	case OpNewline:
		return "[lf]"
	case OpFeed:
		return fmt.Sprintf("[feed %d]", a(0))
	case OpInit:
		return "[init]"
	case OpAlign:
		return "[align " + [...]string{"left", "center", "right"}[min(max(a(0), 0), 2)] + "]"
	case OpBold:
		return fmt.Sprintf("[bold %s]", onOff(a(0)))
	case OpUnderline:
		return fmt.Sprintf("[underline %d]", a(0))
	case OpSize:
		return fmt.Sprintf("[size %dx%d]", a(0), a(1))
	case OpFont:
		return fmt.Sprintf("[font %c]", 'A'+rune(min(max(a(0), 0), 25)))
	case OpCodePage:
		return fmt.Sprintf("[codepage %d %s]", a(0), op.Text)
	case OpBarcode:
		return fmt.Sprintf("[barcode %s %q width=%d height=%d hri=%d]", barcodeName(a(0)), op.Text, a(1), a(2), a(3))
	case OpQR:
		return fmt.Sprintf("[qr %q model=%d size=%d level=%c]", op.Text, a(0), a(1), "LMQH"[min(max(a(2)-48, 0), 3)])
	case OpImage:
		return fmt.Sprintf("[image %dx%d]", op.Image.Rect.Dx(), op.Image.Rect.Dy())
	case OpCut:
		return fmt.Sprintf("[cut %s feed=%d]", [...]string{"full", "partial"}[min(max(a(0), 0), 1)], a(1))
	case OpDrawer:
		return fmt.Sprintf("[drawer pin=%d on=%dms off=%dms]", a(0), a(1), a(2))
	case OpASB:
		return fmt.Sprintf("[asb %#02x]", a(0))
	case OpStatusRequest:
		return fmt.Sprintf("[status-request %d]", a(0))
	}
	return "[" + op.Text + "]"
}

func onOff(v int) string {
	if v&1 == 1 {
		return "on"
	}
	return "off"
}

func barcodeName(m int) string {
	switch m {
	case 2, 67:
		return "ean13"
	case 73:
		return "code128"
	}
	return fmt.Sprintf("system-%d", m)
}

// Lines returns the printed text, one string per line (what was between line feeds). A feed
// of n lines adds n-1 empty lines after the current one.
func (d Document) Lines() []string {
	var lines []string
	var cur strings.Builder
	open := false
	for _, op := range d.Ops {
		switch op.Kind {
		case OpText:
			cur.WriteString(op.Text)
			open = true
		case OpNewline:
			lines = append(lines, cur.String())
			cur.Reset()
			open = false
		case OpFeed:
			lines = append(lines, cur.String())
			cur.Reset()
			open = false
			for i := 1; i < op.Args[0]; i++ {
				lines = append(lines, "")
			}
		}
	}
	if open {
		lines = append(lines, cur.String())
	}
	return lines
}

// Commands returns every op that is not text or a line feed.
func (d Document) Commands() []Op {
	var out []Op
	for _, op := range d.Ops {
		if op.Kind != OpText && op.Kind != OpNewline {
			out = append(out, op)
		}
	}
	return out
}

// QRCodes returns the data of every native QR code (GS ( k) printed, in order.
func (d Document) QRCodes() []string {
	var out []string
	for _, op := range d.Ops {
		if op.Kind == OpQR {
			out = append(out, op.Text)
		}
	}
	return out
}

// Images returns every raster image printed, in order.
func (d Document) Images() []*image.Gray {
	var out []*image.Gray
	for _, op := range d.Ops {
		if op.Kind == OpImage {
			out = append(out, op.Image)
		}
	}
	return out
}

// String renders the document for golden files: each printed line as "| text", each command
// on its own line in brackets, in stream order (a command inside a line comes before it).
func (d Document) String() string {
	var b, cur strings.Builder
	open := false
	flush := func() {
		b.WriteString("| ")
		b.WriteString(cur.String())
		b.WriteByte('\n')
		cur.Reset()
		open = false
	}
	for _, op := range d.Ops {
		switch op.Kind {
		case OpText:
			cur.WriteString(op.Text)
			open = true
		case OpNewline:
			flush()
		default:
			if op.Kind == OpFeed && open {
				flush()
			}
			b.WriteString(op.String())
			b.WriteByte('\n')
		}
	}
	if open {
		flush()
	}
	return b.String()
}
