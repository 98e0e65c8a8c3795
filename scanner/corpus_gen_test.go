package scanner

// A corpus of photo-like test images: codes of every retail symbology placed off-centre on a
// scene, turned, in perspective, blurred, noisy and JPEG-compressed, several per image, and
// scenes with no code at all. It drives the regression tests below and the table in README.md
// (corpus_test.go, build tag corpus, compares with zbarimg and times both as processes).

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

// corpusImage is one generated photo and the codes in it.
type corpusImage struct {
	name string
	file []byte // PNG or JPEG
	want []Code
}

// keystone warps img as a camera not square to the label sees it: the top edge shrunk by k
// (0.1 = 10 %) towards the centre, the bottom edge kept (bilinear sampling, white outside).
func keystone(img *image.Gray, k float64) *image.Gray {
	b := img.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	out := image.NewGray(b)
	for y := 0; y < b.Dy(); y++ {
		s := 1 - k*(1-float64(y)/h) // row scale: 1-k at the top, 1 at the bottom
		for x := 0; x < b.Dx(); x++ {
			sx := (float64(x)-w/2)/s + w/2
			if sx < 0 || sx > w-1 {
				out.Pix[y*out.Stride+x] = 200
				continue
			}
			out.Pix[y*out.Stride+x] = bilinear(img, sx, float64(y))
		}
	}
	return out
}

func encodeJPEG(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// corpusCodes are the codes drawn in the corpus, with what DecodeImage must report.
func corpusCodes(t testing.TB) []struct {
	name string
	img  *image.Gray
	want Code
} {
	t.Helper()
	type cc = struct {
		name string
		img  *image.Gray
		want Code
	}
	var out []cc
	for _, c := range writerCases() {
		if c.name == "datamatrix" {
			c.w, c.h = 200, 200 // 8 px modules: a phone photo of a label, not a thumbnail
		}
		out = append(out, cc{c.name, drawCode(t, c.format, c.contents, c.w, c.h), c.want})
	}
	out = append(out,
		cc{"ean13-b", drawCode(t, gozxing.BarcodeFormat_EAN_13, "8001234567897", 300, 120), Code{EAN13, "8001234567897"}},
		cc{"ean13-c", drawCode(t, gozxing.BarcodeFormat_EAN_13, "6414893400016", 300, 120), Code{EAN13, "6414893400016"}},
		cc{"qr-vcard", drawCode(t, gozxing.BarcodeFormat_QR_CODE, "BEGIN:VCARD\nVERSION:3.0\nFN:Anna Rossi\nTEL:+390212345678\nEND:VCARD", 260, 260),
			Code{QR, "BEGIN:VCARD\nVERSION:3.0\nFN:Anna Rossi\nTEL:+390212345678\nEND:VCARD"}},
		cc{"qr-dl", drawCode(t, gozxing.BarcodeFormat_QR_CODE, "https://id.gs1.org/01/09520123456788/10/ABC1", 260, 260),
			Code{QR, "https://id.gs1.org/01/09520123456788/10/ABC1"}},
		cc{"dmre-16x64", drawDMRE(t, "DMRE 16x64 0123456789 ABC", 16, 64, 4, 62, 36, 7), Code{DataMatrix, "DMRE 16x64 0123456789 ABC"}},
	)
	return out
}

// genCorpus makes n images from a fixed seed: one to three codes each (two never overlap), or
// none in one image out of eight; angles from level to ±45° and 90/180°, scales 0.8–1.6,
// keystone up to 15 %, blur radius 0–2, noise ±4–16, and a third saved as JPEG (quality 60–90).
func genCorpus(t testing.TB, n int, seed uint64) []corpusImage {
	return genCorpusOnly(t, n, seed, nil)
}

// genCorpusOnly is genCorpus drawing only the images keep selects (nil: all); the others come
// out with their name and codes but no file, and the same random choices.
func genCorpusOnly(t testing.TB, n int, seed uint64, keep func(int) bool) []corpusImage {
	t.Helper()
	codes := corpusCodes(t)
	rng := rand.New(rand.NewPCG(seed, seed*7+1))
	angles := []float64{0, 0, 3, -4, 8, -12, 20, -30, 45, -45, 90, 180}
	var out []corpusImage
	for i := range n {
		const W, H = 1280, 960
		draw := keep == nil || keep(i)
		f := canvas(W, H)
		var want []Code
		var used []image.Rectangle
		k := 1 + rng.IntN(3)
		if i%8 == 7 {
			k = 0
		}
		name := fmt.Sprintf("img%03d", i)
		deg := angles[rng.IntN(len(angles))]
		for range k {
			c := codes[rng.IntN(len(codes))]
			if c.want.Symbology == DataMatrix && deg != 0 && math.Mod(math.Abs(deg), 90) != 0 && rng.IntN(2) == 0 {
				deg = 0 // half the Data Matrix level or square-on
			}
			scale := 0.8 + 0.8*rng.Float64()
			sw, sh := float64(c.img.Bounds().Dx())*scale, float64(c.img.Bounds().Dy())*scale
			diag := int(math.Hypot(sw, sh)) + 10
			if diag >= W-20 || diag >= H-20 {
				continue
			}
			placed := false
			for range 20 {
				x, y := rng.IntN(W-diag), rng.IntN(H-diag)
				r := image.Rect(x, y, x+diag, y+diag)
				free := true
				for _, u := range used {
					if r.Overlaps(u) {
						free = false
					}
				}
				if !free {
					continue
				}
				// place rotates about the centre of the scaled code: centre it in r.
				if draw {
					place(f, c.img, x+(diag-int(sw))/2, y+(diag-int(sh))/2, scale, deg)
				}
				used = append(used, r)
				placed = true
				break
			}
			if placed {
				dup := false
				for _, w := range want {
					dup = dup || w == c.want
				}
				if !dup {
					want = append(want, c.want)
				}
				name += "-" + c.name
			}
		}
		name += fmt.Sprintf("-%gdeg", deg)
		if ks := rng.Float64() * 0.15; rng.IntN(3) == 0 {
			if draw {
				f = keystone(f, ks)
			}
			name += "-keystone"
		}
		if r := rng.IntN(3); r > 0 && draw {
			f = blur(f, r)
		}
		amp := 4 + rng.IntN(13)
		if draw {
			noise(f, amp, seed+uint64(i))
		}
		var file []byte
		if rng.IntN(3) == 0 {
			q := 60 + rng.IntN(31)
			if draw {
				file = encodeJPEG(t, f, q)
			}
			name += ".jpg"
		} else {
			if draw {
				file = encodePNG(t, f)
			}
			name += ".png"
		}
		out = append(out, corpusImage{name, file, want})
	}
	return out
}

// corpusScore counts, for one image, the codes found, missed, wrong (a code of a symbology the
// image holds, with other data: a misread) and spurious (anything else not in the image).
func corpusScore(want, got []string) (found, missed, wrong, spurious int) {
	have := map[string]bool{}
	kinds := map[string]bool{}
	for _, w := range want {
		have[w] = true
		kinds[kindOf(w)] = true
	}
	seen := map[string]bool{}
	for _, g := range got {
		if seen[g] {
			continue
		}
		seen[g] = true
		switch {
		case have[g]:
			found++
		case kinds[kindOf(g)]:
			wrong++
		default:
			spurious++
		}
	}
	return found, len(want) - found, wrong, spurious
}

func kindOf(comparable string) string {
	for i := 0; i < len(comparable); i++ {
		if comparable[i] == ':' {
			return comparable[:i]
		}
	}
	return comparable
}

// TestDecodeImage_CorpusNoFalseCodes decodes a small corpus and requires that nothing is
// reported that is not in the image: no misread, no code made of noise, text or QR modules.
// (The README's table comes from the larger corpus of corpus_test.go.)
func TestDecodeImage_CorpusNoFalseCodes(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("decodes 4 photos (not under -race: TestDecodeImage_CorpusMisreads keeps the two that failed)")
	}
	var found, total int
	for _, im := range genCorpus(t, 4, 7) {
		codes, err := DecodeImageBytes(im.file)
		if err != nil {
			t.Fatalf("%s: %v", im.name, err)
		}
		var want []string
		for _, w := range im.want {
			want = append(want, comparable(w))
		}
		f, _, wrong, spurious := corpusScore(want, comparableSet(codes))
		found += f
		total += len(want)
		if wrong+spurious > 0 {
			t.Errorf("%s: got %q, want only codes of %q", im.name, codes, im.want)
		}
	}
	t.Logf("found %d of %d codes", found, total)
}

// TestDecodeImage_CorpusMisreads: the two photos of the README's corpus on which the build
// before confirm1D reported a code not in the image: an EAN-8 at 45° read as a UPC-E 07757594,
// and an EAN-8 40073668 made of noise beside a DMRE.
func TestDecodeImage_CorpusMisreads(t *testing.T) {
	imgs := genCorpusOnly(t, 31, 2026, func(i int) bool { return i == 17 || i == 30 })
	for _, i := range []int{17, 30} {
		im := imgs[i]
		codes, err := DecodeImageBytes(im.file)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, w := range im.want {
			want = append(want, comparable(w))
		}
		if _, _, wrong, spurious := corpusScore(want, comparableSet(codes)); wrong+spurious > 0 {
			t.Errorf("%s: got %q, want only codes of %q", im.name, codes, im.want)
		}
	}
}

// TestDecodeImage_Code93BesideQR: generated photo 6 (seed 2026) holds a Code 93 beside a QR code,
// both turned by 3°; no scan line of the quick pass reads the Code 93, only every row does
// (TRY_HARDER). Beside a 2D code that pass runs with the Code 128 and Code 93 readers alone; the
// build that skipped it there found the QR code only.
func TestDecodeImage_Code93BesideQR(t *testing.T) {
	im := genCorpusOnly(t, 7, 2026, func(i int) bool { return i == 6 })[6]
	codes, err := DecodeImageBytes(im.file)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, w := range im.want {
		want = append(want, comparable(w))
	}
	if found, missed, wrong, spurious := corpusScore(want, comparableSet(codes)); missed+wrong+spurious > 0 || found != 2 {
		t.Errorf("%s: got %q, want %q", im.name, codes, im.want)
	}
}
