package scanner

import (
	"image"
	"image/color"

	"github.com/makiuchi-d/gozxing"
)

// lumSource is the luminance of an image as gozxing reads it: gozxing's planar source (crop,
// rows, matrix) plus the 90° turn its TRY_HARDER pass asks for. It is built straight from the
// pixel buffers of the image types PNG and JPEG decode to (a JPEG's Y plane is its luminance):
// gozxing's own NewLuminanceSourceFromImage calls At for every pixel, which took a tenth of
// the time of decoding a photo.
type lumSource struct {
	*gozxing.PlanarYUVLuminanceSource
}

func newLumSource(lum []byte, w, h int) (gozxing.LuminanceSource, error) {
	src, err := gozxing.NewPlanarYUVLuminanceSource(lum, w, h, 0, 0, w, h, false)
	if err != nil {
		return nil, err
	}
	return lumSource{src.(*gozxing.PlanarYUVLuminanceSource)}, nil
}

// Crop keeps the turn supported on a part of the image.
func (s lumSource) Crop(left, top, width, height int) (gozxing.LuminanceSource, error) {
	c, err := s.PlanarYUVLuminanceSource.Crop(left, top, width, height)
	if err != nil {
		return nil, err
	}
	return lumSource{c.(*gozxing.PlanarYUVLuminanceSource)}, nil
}

func (s lumSource) Invert() gozxing.LuminanceSource { return gozxing.LuminanceSourceInvert(s) }

func (s lumSource) IsRotateSupported() bool { return true }

// RotateCounterClockwise turns the luminance by 90° counter-clockwise, as gozxing's image
// source does.
func (s lumSource) RotateCounterClockwise() (gozxing.LuminanceSource, error) {
	w, h := s.GetWidth(), s.GetHeight()
	m := s.GetMatrix()
	out := make([]byte, w*h)
	for j := 0; j < w; j++ {
		x := w - 1 - j
		row := out[j*h : j*h+h]
		for i := range row {
			row[i] = m[i*w+x]
		}
	}
	return newLumSource(out, h, w)
}

// luminanceOf returns the luminance of img, one byte a pixel, row by row. The colour types
// use gozxing's formula ((R+2G+B)/4, transparent parts as white); YCbCr gives its Y plane.
func luminanceOf(img image.Image) []byte {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	lum := make([]byte, w*h)
	rgba := func(i int, cr, cg, cb, ca uint32) { // 16-bit channels, premultiplied
		l := (cr + 2*cg + cb) * 255 / (4 * 0xffff)
		lum[i] = byte((l*ca + (0xffff-ca)*255) / 0xffff)
	}
	switch m := img.(type) {
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			off := m.YOffset(r.Min.X, r.Min.Y+y)
			copy(lum[y*w:y*w+w], m.Y[off:off+w])
		}
	case *image.Gray:
		for y := 0; y < h; y++ {
			off := m.PixOffset(r.Min.X, r.Min.Y+y)
			copy(lum[y*w:y*w+w], m.Pix[off:off+w])
		}
	case *image.Paletted:
		var lut [256]byte
		for i, c := range m.Palette {
			cr, cg, cb, ca := c.RGBA()
			rgba(0, cr, cg, cb, ca)
			lut[i] = lum[0]
		}
		for y := 0; y < h; y++ {
			off := m.PixOffset(r.Min.X, r.Min.Y+y)
			for x, p := range m.Pix[off : off+w] {
				lum[y*w+x] = lut[p]
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			off := m.PixOffset(r.Min.X, r.Min.Y+y)
			px := m.Pix[off : off+4*w]
			for x := 0; x < w; x++ {
				p := px[4*x : 4*x+4]
				cr, cg, cb, ca := color.NRGBA{p[0], p[1], p[2], p[3]}.RGBA()
				rgba(y*w+x, cr, cg, cb, ca)
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			off := m.PixOffset(r.Min.X, r.Min.Y+y)
			px := m.Pix[off : off+4*w]
			for x := 0; x < w; x++ {
				p := px[4*x : 4*x+4]
				a := uint32(p[3]) * 0x101
				rgba(y*w+x, uint32(p[0])*0x101, uint32(p[1])*0x101, uint32(p[2])*0x101, a)
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				cr, cg, cb, ca := img.At(r.Min.X+x, r.Min.Y+y).RGBA()
				rgba(y*w+x, cr, cg, cb, ca)
			}
		}
	}
	return lum
}
