package escpos

import (
	"fmt"
	"image"
	"image/draw"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// DecodeQRImage reads a QR code out of img with gozxing (for tests and previews: a raster QR
// printed by a profile with qr: raster, or a rendered receipt). A white quiet zone is added
// around the image first, since printed symbols have none of their own.
func DecodeQRImage(img image.Image) (string, error) {
	b := img.Bounds()
	const quiet = 32
	padded := blank(b.Dx()+2*quiet, b.Dy()+2*quiet)
	draw.Draw(padded, image.Rect(quiet, quiet, quiet+b.Dx(), quiet+b.Dy()), img, b.Min, draw.Src)
	bmp, err := gozxing.NewBinaryBitmapFromImage(padded)
	if err != nil {
		return "", fmt.Errorf("read qr: %w", err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{
		gozxing.DecodeHintType_TRY_HARDER: true,
	})
	if err != nil {
		return "", fmt.Errorf("read qr: %w", err)
	}
	return res.GetText(), nil
}
