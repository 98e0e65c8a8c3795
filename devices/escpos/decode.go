package escpos

import (
	"fmt"
	"image"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// epsonPages is the ESC t numbering of Epson printers (ESC/POS Command Reference, "ESC t:
// Select character code table"; the "default" profile of escpos-printer-db), for the pages the
// package can decode. Decode uses it; DecodeProfile uses the profile's own numbering.
func epsonPages() map[int]string {
	return map[int]string{
		0: "CP437", 2: "CP850", 3: "CP860", 4: "CP863", 5: "CP865", 15: "ISO_8859-7", 16: "CP1252",
		17: "CP866", 18: "CP852", 19: "CP858", 21: "CP874", 34: "CP855", 36: "CP862", 39: "ISO_8859-2",
		40: "ISO_8859-15", 45: "CP1250", 46: "CP1251", 47: "CP1253", 48: "CP1254", 49: "CP1255",
		50: "CP1256", 51: "CP1257", 52: "CP1258",
	}
}

// Decode turns an ESC/POS stream back into text and commands, reading ESC t numbers the Epson
// way. Text bytes are decoded through the code page in force (page 0, PC437, until ESC t).
// Native QR data is read back out of GS ( k, raster images become image.Gray. Unknown commands
// and truncated parameters are errors naming the offset.
func Decode(b []byte) (Document, error) {
	return decode(b, epsonPages())
}

// DecodeProfile is Decode with the code page numbering of profile p (Star printers in ESC/POS
// emulation number their pages differently from Epson).
func DecodeProfile(b []byte, p Profile) (Document, error) {
	return decode(b, p.CodePages)
}

type streamDecoder struct {
	b     []byte
	i     int
	pages map[int]string
	page  codePage
	pageN int
	doc   Document
	text  strings.Builder
	// barcode settings (GS w, GS h, GS H) and QR settings (GS ( k)
	bw, bh, hri     int
	qrModel, qrSize int
	qrLevel         int
	qrData          string
	qrStored        bool
	errAt           int
}

func decode(b []byte, pages map[int]string) (Document, error) {
	d := &streamDecoder{b: b, pages: pages, page: charmap.CodePage437, bw: 3, bh: 162, qrModel: 2, qrSize: 3, qrLevel: 48}
	for d.i < len(d.b) {
		if err := d.step(); err != nil {
			return d.doc, fmt.Errorf("decode escpos at offset %d: %w", d.errAt, err)
		}
	}
	d.flushText()
	return d.doc, nil
}

func (d *streamDecoder) emit(op Op) {
	d.flushText()
	d.doc.Ops = append(d.doc.Ops, op)
}

func (d *streamDecoder) flushText() {
	if d.text.Len() > 0 {
		d.doc.Ops = append(d.doc.Ops, Op{Kind: OpText, Text: d.text.String()})
		d.text.Reset()
	}
}

// take returns the next n bytes.
func (d *streamDecoder) take(n int) ([]byte, error) {
	if n < 0 || d.i+n > len(d.b) {
		return nil, fmt.Errorf("truncated: want %d more bytes, have %d", n, len(d.b)-d.i)
	}
	s := d.b[d.i : d.i+n]
	d.i += n
	return s, nil
}

func (d *streamDecoder) byte1() (int, error) {
	s, err := d.take(1)
	if err != nil {
		return 0, err
	}
	return int(s[0]), nil
}

func (d *streamDecoder) step() error {
	d.errAt = d.i
	c := d.b[d.i]
	d.i++
	switch {
	case c >= 0x20 && c < 0x7f:
		d.text.WriteByte(c)
	case c >= 0x80:
		if d.page == nil {
			return fmt.Errorf("byte %#02x under code page %d, which the numbering lacks", c, d.pageN)
		}
		r := d.page.DecodeByte(c)
		if r == utf8.RuneError {
			return fmt.Errorf("byte %#02x undefined in code page %d", c, d.pageN)
		}
		d.text.WriteRune(r)
	case c == LF:
		d.emit(Op{Kind: OpNewline})
	case c == '\r':
	case c == '\t':
		d.text.WriteByte(' ')
	case c == ESC:
		return d.esc()
	case c == GS:
		return d.gs()
	case c == DLE:
		s, err := d.take(2)
		if err != nil {
			return err
		}
		if s[0] != EOT || s[1] < 1 || s[1] > 4 {
			return fmt.Errorf("unknown command DLE %#02x %#02x", s[0], s[1])
		}
		d.emit(Op{Kind: OpStatusRequest, Args: []int{int(s[1])}})
	default:
		return fmt.Errorf("unexpected control byte %#02x", c)
	}
	return nil
}

func (d *streamDecoder) esc() error {
	cmd, err := d.byte1()
	if err != nil {
		return err
	}
	switch cmd {
	case '@':
		d.emit(Op{Kind: OpInit})
		d.page, d.pageN = charmap.CodePage437, 0
		return nil
	case '2': // default line spacing, no parameter
		d.emit(Op{Kind: OpOther, Text: "ESC 2"})
		return nil
	}
	n, err := d.byte1()
	if err != nil {
		return err
	}
	switch cmd {
	case 'a':
		d.emit(Op{Kind: OpAlign, Args: []int{n % 48 % 3}})
	case 'E':
		d.emit(Op{Kind: OpBold, Args: []int{n & 1}})
	case '-':
		d.emit(Op{Kind: OpUnderline, Args: []int{n % 48 % 3}})
	case 'M':
		d.emit(Op{Kind: OpFont, Args: []int{n % 48}})
	case 'd':
		d.emit(Op{Kind: OpFeed, Args: []int{n}})
	case 't':
		name := d.pages[n]
		d.page, d.pageN = lookupCharmap(name), n
		d.emit(Op{Kind: OpCodePage, Args: []int{n}, Text: name})
	case 'p':
		t, err := d.take(2)
		if err != nil {
			return err
		}
		pin := 2
		if n%48 == 1 {
			pin = 5
		}
		d.emit(Op{Kind: OpDrawer, Args: []int{pin, int(t[0]) * 2, int(t[1]) * 2}})
	case 'J', '!', '3', 'R', 'V', '{', 'G':
		d.emit(Op{Kind: OpOther, Text: fmt.Sprintf("ESC %c", cmd)})
	default:
		return fmt.Errorf("unknown command ESC %#02x", cmd)
	}
	return nil
}

func (d *streamDecoder) gs() error {
	cmd, err := d.byte1()
	if err != nil {
		return err
	}
	switch cmd {
	case '(':
		return d.gsParen()
	case 'v':
		return d.raster()
	case 'k':
		return d.barcode()
	}
	n, err := d.byte1()
	if err != nil {
		return err
	}
	switch cmd {
	case '!':
		d.emit(Op{Kind: OpSize, Args: []int{n>>4&7 + 1, n&7 + 1}})
	case 'V':
		mode, feed := n%48, 0
		if n >= 65 {
			mode = n - 65
			if feed, err = d.byte1(); err != nil {
				return err
			}
		}
		d.emit(Op{Kind: OpCut, Args: []int{min(mode, 1), feed}})
	case 'h':
		d.bh = n
	case 'w':
		d.bw = n
	case 'H':
		d.hri = n % 48
	case 'f', 'B', 'L', 'W':
		if cmd == 'L' || cmd == 'W' {
			if _, err := d.byte1(); err != nil {
				return err
			}
		}
		d.emit(Op{Kind: OpOther, Text: fmt.Sprintf("GS %c", cmd)})
	case 'a':
		d.emit(Op{Kind: OpASB, Args: []int{n}})
	default:
		return fmt.Errorf("unknown command GS %#02x", cmd)
	}
	return nil
}

func (d *streamDecoder) barcode() error {
	m, err := d.byte1()
	if err != nil {
		return err
	}
	var data []byte
	switch {
	case m <= 6: // function A: NUL-terminated
		end := d.i
		for end < len(d.b) && d.b[end] != 0 {
			end++
		}
		if end == len(d.b) {
			return fmt.Errorf("barcode GS k %d: no NUL terminator", m)
		}
		data = d.b[d.i:end]
		d.i = end + 1
	case m >= 65 && m <= 79:
		n, err := d.byte1()
		if err != nil {
			return err
		}
		if data, err = d.take(n); err != nil {
			return err
		}
	default:
		return fmt.Errorf("barcode GS k %d: unknown system", m)
	}
	text := string(data)
	if m == 73 {
		text = code128Data(data)
	}
	d.emit(Op{Kind: OpBarcode, Text: text, Args: []int{m, d.bw, d.bh, d.hri}})
	return nil
}

// code128Data reads GS k 73 data back: "{A"/"{B"/"{C" pick a code set, "{{" is '{', other
// "{x" function codes are dropped; in code set C each byte is two digits.
func code128Data(b []byte) string {
	var out strings.Builder
	set := byte('B')
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '{' && i+1 < len(b) {
			i++
			switch b[i] {
			case 'A', 'B', 'C':
				set = b[i]
			case '{':
				out.WriteByte('{')
			}
			continue
		}
		if set == 'C' {
			fmt.Fprintf(&out, "%02d", int(c)%100)
			continue
		}
		out.WriteByte(c)
	}
	return out.String()
}

func (d *streamDecoder) gsParen() error {
	h, err := d.take(3)
	if err != nil {
		return err
	}
	fn, n := h[0], int(h[1])|int(h[2])<<8
	p, err := d.take(n)
	if err != nil {
		return err
	}
	if fn != 'k' || n < 2 || p[0] != 49 {
		d.emit(Op{Kind: OpOther, Text: fmt.Sprintf("GS ( %c", fn)})
		return nil
	}
	switch p[1] {
	case 65:
		if n >= 3 {
			d.qrModel = int(p[2]) - 48
		}
	case 67:
		if n >= 3 {
			d.qrSize = int(p[2])
		}
	case 69:
		if n >= 3 {
			d.qrLevel = int(p[2])
		}
	case 80:
		if n < 3 {
			return fmt.Errorf("qr store: %d bytes", n)
		}
		d.qrData, d.qrStored = string(p[3:]), true
	case 81:
		if !d.qrStored {
			return fmt.Errorf("qr print with no data stored")
		}
		d.emit(Op{Kind: OpQR, Text: d.qrData, Args: []int{d.qrModel, d.qrSize, d.qrLevel}})
	default:
		d.emit(Op{Kind: OpOther, Text: fmt.Sprintf("GS ( k qr fn %d", p[1])})
	}
	return nil
}

func (d *streamDecoder) raster() error {
	h, err := d.take(6)
	if err != nil {
		return err
	}
	if h[0] != '0' {
		return fmt.Errorf("GS v %#02x: only GS v 0 is known", h[0])
	}
	xb, rows := int(h[2])|int(h[3])<<8, int(h[4])|int(h[5])<<8
	if xb == 0 || rows == 0 {
		return fmt.Errorf("raster image %d bytes x %d rows: empty", xb, rows)
	}
	data, err := d.take(xb * rows)
	if err != nil {
		return err
	}
	img := image.NewGray(image.Rect(0, 0, xb*8, rows))
	for y := range rows {
		for x := range xb * 8 {
			v := uint8(255)
			if data[y*xb+x/8]&(0x80>>(x%8)) != 0 {
				v = 0
			}
			img.Pix[y*img.Stride+x] = v
		}
	}
	d.emit(Op{Kind: OpImage, Image: img, Args: []int{int(h[1])}})
	return nil
}
