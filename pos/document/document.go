package document

// Kinds of document.
const (
	KindReceipt = "receipt"
	KindReport  = "report"
	KindLabel   = "label"
)

// MinColumns is the narrowest line a Document is laid out on (58 mm paper in Font A has 32
// columns); renderers refuse narrower paper.
const MinColumns = 24

// Document is what is printed, device-neutrally: blocks in print order, and for a fiscal sale
// the Fiscal part a fiscal printer registers. Builders (pos/receipt) say what a line is — a
// text, a "label … amount" pair, a table row, a rule — and renderers fit it to their paper:
// wrapping, the right-aligned amount, the column widths and whether double width fits are
// decided by the renderer from its columns with the layout functions of this package
// (Text.Lines, Pair.Lines, Row.Line, RuleLine), so every renderer breaks lines alike.
type Document struct {
	// Kind is KindReceipt, KindReport or KindLabel.
	Kind string
	// Locale is the BCP 47 tag the texts and amounts are written in (it-IT …).
	Locale string
	Blocks []Block
	// Fiscal is the sale as a fiscal printer registers it (nil: nothing to register). Renderers
	// of paper ignore it; the RT driver renders it.
	Fiscal *Fiscal
}

// Block is one element of a Document: Text, Pair, Row, Rule, Feed, QR, Barcode, Cut, Drawer or
// Style (which holds blocks).
type Block interface{ block() }

// Align is the justification a Style sets.
type Align int

// Alignments; AlignKeep leaves the enclosing one (left at the top).
const (
	AlignKeep Align = iota
	AlignLeft
	AlignCenter
	AlignRight
)

// Style prints its blocks centred, right-aligned and/or bold; after them the enclosing style
// is back in force. A Style with no blocks prints nothing (an ESC/POS renderer still sends its
// switches).
type Style struct {
	Align  Align
	Bold   bool
	Blocks []Block
}

// Text is a paragraph, word-wrapped to the line (an empty one prints nothing). Tall prints it
// at double height; Wide at double width when it fits on one line that way, otherwise at
// single width, wrapped. NoWrap prints it as one line, cut at the line's end (leading spaces
// kept: indented sub-lines).
type Text struct {
	Text       string
	Wide, Tall bool
	NoWrap     bool
}

// Pair is a "label … amount" line: Left on the left, Right (an amount, a date, an id) against
// the right edge. When they do not fit on one line, Left wraps and Right ends its last line,
// or goes on a line of its own. Tall prints it at double height. SmallOverflow lets a renderer
// with a smaller font print a Right too long for the line (a sale's UUID on 58 mm paper) in
// that font rather than wrapping it.
type Pair struct {
	Left, Right   string
	Tall          bool
	SmallOverflow bool
}

// Row is a table row: the first cell left-aligned, the others right-aligned in equal columns
// of (columns-8)/(cells-1) characters; the line is cut at the paper's edge.
type Row struct {
	Cells []string
}

// Rule is a line of dashes across the paper.
type Rule struct{}

// Feed is Lines blank lines (at least one).
type Feed struct {
	Lines int
}

// QR is a QR code of Data. Module is the preferred size of a module in printer dots; 0 lets the
// renderer choose for its paper.
type QR struct {
	Data   string
	Module int
}

// Barcode symbologies.
const (
	EAN13   = "ean13"
	Code128 = "code128"
)

// Barcode is a linear barcode: Symbology EAN13 (12 digits, or 13 with a right check digit) or
// Code128, with its human-readable text below.
type Barcode struct {
	Symbology string
	Data      string
}

// Cut ends the paper: a partial cut (Full false) or a full one, where the device has a cutter.
type Cut struct {
	Full bool
}

// Drawer kicks the cash drawer open, where the device has a drawer port; elsewhere it does
// nothing.
type Drawer struct{}

func (Style) block()   {}
func (Text) block()    {}
func (Pair) block()    {}
func (Row) block()     {}
func (Rule) block()    {}
func (Feed) block()    {}
func (QR) block()      {}
func (Barcode) block() {}
func (Cut) block()     {}
func (Drawer) block()  {}
