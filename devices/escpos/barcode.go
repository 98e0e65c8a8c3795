package escpos

import (
	"fmt"
	"image"
	"image/color"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/encoder"
)

// HRI positions for GS H.
const (
	HRINone  = 0
	HRIAbove = 1
	HRIBelow = 2
	HRIBoth  = 3
)

// GS k barcode systems (function B, "GS k m n d1…dn").
const (
	barcodeEAN13   = 67
	barcodeCode128 = 73
)

// BarcodeOptions are the module width (GS w, 2..6 dots), bar height (GS h, 1..255 dots) and
// HRI position (GS H) of a barcode. Zero values take 2 dots, 80 dots and HRIBelow.
type BarcodeOptions struct {
	Width  int
	Height int
	HRI    int
}

func (o BarcodeOptions) withDefaults() BarcodeOptions {
	if o.Width == 0 {
		o.Width = 2
	}
	if o.Height == 0 {
		o.Height = 80
	}
	if o.HRI == 0 {
		o.HRI = HRIBelow
	}
	if o.HRI < 0 {
		o.HRI = HRINone
	}
	o.Width = clamp(o.Width, 2, 6)
	o.Height = clamp(o.Height, 1, 255)
	return o
}

func (e *Encoder) barcodeSetup(o BarcodeOptions) {
	e.buf.Write([]byte{GS, 'h', byte(o.Height), GS, 'w', byte(o.Width), GS, 'H', byte(o.HRI)})
}

// EAN13 prints an EAN-13 barcode: GS h, GS w, GS H, then GS k 67 n d1…dn (1D 6B 43 0D …)
// with the 12 data digits and the check digit. code is 12 digits (the check digit is added)
// or 13 digits with a correct check digit.
func (e *Encoder) EAN13(code string, o BarcodeOptions) error {
	if !e.p.Barcodes {
		return fmt.Errorf("ean-13 %q: profile %s prints no barcodes", code, e.p.ID)
	}
	full, err := ean13Full(code)
	if err != nil {
		return err
	}
	e.barcodeSetup(o.withDefaults())
	e.buf.Write([]byte{GS, 'k', barcodeEAN13, 13})
	e.buf.WriteString(full)
	return nil
}

func ean13Full(code string) (string, error) {
	if len(code) != 12 && len(code) != 13 {
		return "", fmt.Errorf("ean-13 %q: want 12 or 13 digits", code)
	}
	sum := 0
	for i := 0; i < 12; i++ {
		c := code[i]
		if c < '0' || c > '9' {
			return "", fmt.Errorf("ean-13 %q: not all digits", code)
		}
		d := int(c - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	check := byte('0' + (10-sum%10)%10)
	if len(code) == 13 && code[12] != check {
		return "", fmt.Errorf("ean-13 %q: check digit %c, want %c", code, code[12], check)
	}
	return code[:12] + string(check), nil
}

// Code128 prints a Code 128 barcode in code set B: GS h, GS w, GS H, then GS k 73 n "{B" data
// (1D 6B 49 n 7B 42 …), a '{' in data sent as "{{". data is printable ASCII, at most 250 bytes.
func (e *Encoder) Code128(data string, o BarcodeOptions) error {
	if !e.p.Barcodes {
		return fmt.Errorf("code 128 %q: profile %s prints no barcodes", data, e.p.ID)
	}
	payload := []byte{'{', 'B'}
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c < 0x20 || c > 0x7e {
			return fmt.Errorf("code 128 %q: byte %#x outside code set B", data, c)
		}
		payload = append(payload, c)
		if c == '{' {
			payload = append(payload, '{')
		}
	}
	if len(data) == 0 || len(payload) > 255 {
		return fmt.Errorf("code 128: data length %d, want 1..~250", len(data))
	}
	e.barcodeSetup(o.withDefaults())
	e.buf.Write([]byte{GS, 'k', barcodeCode128, byte(len(payload))})
	e.buf.Write(payload)
	return nil
}

// QRLevel is a QR error-correction level as GS ( k function 169 takes it (48 L … 51 H).
type QRLevel byte

// QR error-correction levels.
const (
	QRLevelL QRLevel = 48
	QRLevelM QRLevel = 49
	QRLevelQ QRLevel = 50
	QRLevelH QRLevel = 51
)

func (l QRLevel) zxing() decoder.ErrorCorrectionLevel {
	switch l {
	case QRLevelL:
		return decoder.ErrorCorrectionLevel_L
	case QRLevelQ:
		return decoder.ErrorCorrectionLevel_Q
	case QRLevelH:
		return decoder.ErrorCorrectionLevel_H
	}
	return decoder.ErrorCorrectionLevel_M
}

// QR prints a QR code (model 2) with module size dots per module (1..16, at most the profile's
// qr_module_max when printed natively) and level. A profile
// with qr: native gets GS ( k: function 165 model (1D 28 6B 04 00 31 41 32 00), 167 size
// (1D 28 6B 03 00 31 43 n), 169 level (1D 28 6B 03 00 31 45 n), 180 store
// (1D 28 6B pL pH 31 50 30 data) and 181 print (1D 28 6B 03 00 31 51 30). Otherwise the symbol
// is encoded here with gozxing and sent as a GS v 0 raster image of the same module size.
func (e *Encoder) QR(data string, size int, level QRLevel) error {
	if len(data) == 0 || len(data) > 7089 {
		return fmt.Errorf("qr: data length %d, want 1..7089", len(data))
	}
	size = clamp(size, 1, 16)
	if e.p.QR == "native" && e.p.QRModuleMax > 0 {
		size = min(size, e.p.QRModuleMax)
	}
	if level < QRLevelL || level > QRLevelH {
		level = QRLevelM
	}
	if e.p.QR == "native" {
		e.buf.Write([]byte{GS, '(', 'k', 4, 0, 49, 65, 50, 0})
		e.buf.Write([]byte{GS, '(', 'k', 3, 0, 49, 67, byte(size)})
		e.buf.Write([]byte{GS, '(', 'k', 3, 0, 49, 69, byte(level)})
		n := len(data) + 3
		e.buf.Write([]byte{GS, '(', 'k', byte(n), byte(n >> 8), 49, 80, 48})
		e.buf.WriteString(data)
		e.buf.Write([]byte{GS, '(', 'k', 3, 0, 49, 81, 48})
		return nil
	}
	img, err := QRImage(data, size, level)
	if err != nil {
		return err
	}
	return e.Raster(img)
}

// QRImage draws data as a QR code (model 2) with size dots per module and no quiet zone,
// black on white, using gozxing's encoder.
func QRImage(data string, size int, level QRLevel) (*image.Gray, error) {
	hints := map[gozxing.EncodeHintType]interface{}{}
	for i := 0; i < len(data); i++ {
		if data[i] >= 0x80 {
			// Non-ASCII data is UTF-8; ASCII is sent as is, as a printer's native encoder does.
			hints[gozxing.EncodeHintType_CHARACTER_SET] = "UTF-8"
			break
		}
	}
	code, err := encoder.Encoder_encode(data, level.zxing(), hints)
	if err != nil {
		return nil, fmt.Errorf("qr %.40q: %w", data, err)
	}
	m := code.GetMatrix()
	size = max(size, 1)
	img := image.NewGray(image.Rect(0, 0, m.GetWidth()*size, m.GetHeight()*size))
	for y := range img.Rect.Dy() {
		for x := range img.Rect.Dx() {
			c := color.Gray{Y: 0xff}
			if m.Get(x/size, y/size) == 1 {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	return img, nil
}
