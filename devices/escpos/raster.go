package escpos

import (
	"fmt"
	"image"
	"image/color"
)

// Raster prints img as a raster bit image: GS v 0 m xL xH yL yH d1…dk (1D 76 30 00 …), normal
// density, xL+xH×256 bytes per row (8 dots a byte, most significant bit leftmost, 1 = black)
// and yL+yH×256 rows. The image is scaled down to the profile's width if wider, converted to
// grey and dithered to black and white (Floyd–Steinberg); transparent pixels are white.
func (e *Encoder) Raster(img image.Image) error {
	b := img.Bounds()
	if b.Empty() {
		return fmt.Errorf("raster image: empty")
	}
	gray := toGray(img)
	if maxW := e.p.WidthDots; maxW > 0 && gray.Rect.Dx() > maxW {
		gray = scaleGray(gray, maxW, gray.Rect.Dy()*maxW/gray.Rect.Dx())
	}
	w, h := gray.Rect.Dx(), gray.Rect.Dy()
	if h > 0xffff || h < 1 {
		return fmt.Errorf("raster image: height %d, allowed 1..65535", h)
	}
	bits := dither(gray)
	xb := (w + 7) / 8
	e.buf.Write([]byte{GS, 'v', '0', 0, byte(xb), byte(xb >> 8), byte(h), byte(h >> 8)})
	row := make([]byte, xb)
	for y := range h {
		clear(row)
		for x := range w {
			if bits[y*w+x] {
				row[x/8] |= 0x80 >> (x % 8)
			}
		}
		e.buf.Write(row)
	}
	return nil
}

// toGray converts img to an 8-bit grey image with its origin at 0,0, compositing
// transparency over white.
func toGray(img image.Image) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	if g, ok := img.(*image.Gray); ok {
		for y := range b.Dy() {
			copy(out.Pix[y*out.Stride:y*out.Stride+b.Dx()], g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y):])
		}
		return out
	}
	for y := range b.Dy() {
		for x := range b.Dx() {
			r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			// Luma (ITU-R BT.601) of the colour composited over white.
			lum := (299*r + 587*g + 114*bl) / 1000
			lum = lum + (0xffff - a)
			out.SetGray(x, y, color.Gray{Y: uint8(min(lum, 0xffff) >> 8)})
		}
	}
	return out
}

// scaleGray resizes g to w×h by nearest neighbour.
func scaleGray(g *image.Gray, w, h int) *image.Gray {
	w, h = max(w, 1), max(h, 1)
	out := image.NewGray(image.Rect(0, 0, w, h))
	sw, sh := g.Rect.Dx(), g.Rect.Dy()
	for y := range h {
		sy := y * sh / h
		for x := range w {
			out.Pix[y*out.Stride+x] = g.Pix[sy*g.Stride+x*sw/w]
		}
	}
	return out
}

// dither turns g into black (true) and white dots with Floyd–Steinberg error diffusion.
// Pure black and white images pass through unchanged.
func dither(g *image.Gray) []bool {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	errs := make([]int, w*h)
	for y := range h {
		for x := range w {
			errs[y*w+x] = int(g.Pix[y*g.Stride+x])
		}
	}
	out := make([]bool, w*h)
	spread := func(x, y, e, num int) {
		if x >= 0 && x < w && y < h {
			errs[y*w+x] += e * num / 16
		}
	}
	for y := range h {
		for x := range w {
			old := errs[y*w+x]
			nv := 255
			if old < 128 {
				nv = 0
				out[y*w+x] = true
			}
			e := old - nv
			spread(x+1, y, e, 7)
			spread(x-1, y+1, e, 3)
			spread(x, y+1, e, 5)
			spread(x+1, y+1, e, 1)
		}
	}
	return out
}
