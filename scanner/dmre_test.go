package scanner

import (
	"image"
	"testing"

	"github.com/makiuchi-d/gozxing/datamatrix/encoder"
)

// drawDMRE draws a rectangular Data Matrix of the ISO 21471 DMRE sizes (gozxing's writer makes
// only the ISO 16022 sizes): ASCII encodation of msg (digit pairs packed), padding, Reed-Solomon
// with gozxing's encoder, module placement with its DefaultPlacement, and the finder and
// timing borders of each data region drawn here. rows×cols is the symbol size (16×64: four
// 14×14 regions side by side). module is pixels per module; a 2-module quiet zone plus a white
// label margin surround it.
func drawDMRE(t testing.TB, msg string, rows, cols, regionsAcross, dataCW, ecCW, module int) *image.Gray {
	t.Helper()
	var cw []byte
	for i := 0; i < len(msg); i++ {
		if i+1 < len(msg) && isDigit(msg[i]) && isDigit(msg[i+1]) {
			cw = append(cw, byte(130+int(msg[i]-'0')*10+int(msg[i+1]-'0')))
			i++
			continue
		}
		cw = append(cw, msg[i]+1)
	}
	if len(cw) > dataCW {
		t.Fatalf("drawDMRE: %q needs %d codewords, the symbol holds %d", msg, len(cw), dataCW)
	}
	for i := len(cw); i < dataCW; i++ {
		if i == len(cw) {
			cw = append(cw, 129)
			continue
		}
		v := 129 + (149*(i+1))%253 + 1 // the 253-state randomising of ISO 16022 5.2.3
		if v > 254 {
			v -= 254
		}
		cw = append(cw, byte(v))
	}
	regionRows, regionCols := rows-2, cols/regionsAcross-2
	info := encoder.NewSymbolInfo(true, dataCW, ecCW, regionCols, regionRows, regionsAcross)
	all, err := encoder.ErrorCorrection_EncodeECC200(cw, info)
	if err != nil {
		t.Fatal(err)
	}
	dataW := regionCols * regionsAcross
	pl := encoder.NewDefaultPlacement(all, dataW, regionRows)
	pl.Place()
	mod := make([][]bool, rows)
	for y := range mod {
		mod[y] = make([]bool, cols)
	}
	for r := 0; r < regionsAcross; r++ {
		x0 := r * (regionCols + 2)
		for x := 0; x < regionCols+2; x++ {
			mod[0][x0+x] = x%2 == 0  // timing along the top
			mod[rows-1][x0+x] = true // finder along the bottom
		}
		for y := 0; y < rows; y++ {
			mod[y][x0] = true                                 // finder down the left
			mod[y][x0+regionCols+1] = y%2 == 1 || y == rows-1 // timing down the right
		}
		for y := 0; y < regionRows; y++ {
			for x := 0; x < regionCols; x++ {
				mod[y+1][x0+1+x] = pl.GetBit(r*regionCols+x, y)
			}
		}
	}
	const margin = 20
	q := 2 * module
	img := image.NewGray(image.Rect(0, 0, cols*module+2*(q+margin), rows*module+2*(q+margin)))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := 0; y < rows; y++ {
		for x := 0; x < cols; x++ {
			if !mod[y][x] {
				continue
			}
			for dy := 0; dy < module; dy++ {
				for dx := 0; dx < module; dx++ {
					img.Pix[(q+margin+y*module+dy)*img.Stride+q+margin+x*module+dx] = 0
				}
			}
		}
	}
	return img
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// rotate180 returns img turned upside down.
func rotate180(img *image.Gray) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(b)
	n := len(img.Pix)
	for i, v := range img.Pix {
		out.Pix[n-1-i] = v
	}
	return out
}

// TestDecodeImage_DMRE: rectangular Data Matrix of the DMRE sizes (ISO 21471, e.g. 16×64 and
// 8×64 on pharmaceutical and small-parts labels) is read upright, upside down and on a photo.
func TestDecodeImage_DMRE(t *testing.T) {
	for _, c := range []struct {
		name                             string
		msg                              string
		rows, cols, across, dataCW, ecCW int
	}{
		{"16x64", "DMRE 16x64 0123456789 ABC", 16, 64, 4, 62, 36},
		{"8x64", "DMRE 8x64 0123", 8, 64, 4, 24, 18},
	} {
		img := drawDMRE(t, c.msg, c.rows, c.cols, c.across, c.dataCW, c.ecCW, 6)
		for _, v := range []struct {
			name string
			img  *image.Gray
		}{
			{"upright", img},
			{"rotated-180", rotate180(img)},
		} {
			t.Run(c.name+"/"+v.name, func(t *testing.T) {
				got, err := DecodeImage(v.img)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 1 || got[0] != (Code{DataMatrix, c.msg}) {
					t.Errorf("got %q, want one Data Matrix %q", got, c.msg)
				}
			})
		}
	}
}
