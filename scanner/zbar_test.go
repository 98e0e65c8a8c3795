package scanner

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// zbarimg runs Debian's zbarimg (zbar-tools) on a PNG and returns what it
// found, skipping the test when zbarimg is not installed.
func zbarimg(t testing.TB, png []byte) []Code {
	t.Helper()
	bin, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not on PATH (Debian package zbar-tools)")
	}
	path := filepath.Join(t.TempDir(), "frame.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-q", "--nodbus", path).Output()
	// zbarimg exits 4 when it finds nothing.
	if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 4) {
		t.Fatalf("zbarimg: %v", err)
	}
	var codes []Code
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		typ, data, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		codes = append(codes, Code{Symbology: typ, Data: data})
	}
	return codes
}

// comparable reduces a code to what both decoders must agree on: EAN/UPC
// as GTIN-14 (zbar reports UPC-A and UPC-E as EAN-13), Code 128 without
// the GS1 distinction (zbar reports GS1-128 as CODE-128 with GS kept),
// Codabar without start/stop characters (gozxing drops them).
func comparable(c Code) string {
	switch c.Symbology {
	case EAN13, EAN8, UPCA, "EAN-13", "EAN-8", "UPC-A":
		if g, err := GTIN14(c.Data); err == nil {
			return "gtin:" + g
		}
	case UPCE, "UPC-E":
		if a, err := ExpandUPCE(c.Data); err == nil {
			g, _ := GTIN14(a)
			return "gtin:" + g
		}
	case Code128, GS1128, "CODE-128":
		return "code128:" + strings.TrimPrefix(c.Data, "]C1")
	case Codabar, "Codabar":
		return "codabar:" + strings.Trim(c.Data, "ABCDabcd")
	case QR, GS1QR, "QR-Code":
		return "qr:" + c.Data
	case ITF, "I2/5":
		return "itf:" + c.Data
	case Code39, "CODE-39":
		return "code39:" + c.Data
	case Code93, "CODE-93":
		return "code93:" + c.Data
	case GS1DataBar, "DataBar":
		return "databar:" + c.Data
	case DataMatrix, GS1DataMatrix:
		return "datamatrix:" + c.Data
	}
	return c.Symbology + ":" + c.Data
}

func comparableSet(codes []Code) []string {
	var out []string
	for _, c := range codes {
		out = append(out, comparable(c))
	}
	sort.Strings(out)
	return out
}

// TestDecodeImage_Zbarimg cross-checks DecodeImage with zbarimg on the same
// images: on clean writer output both must find exactly the same codes;
// on photo-like frames every code zbar finds must be found too (a miss is
// reported with the image's name).
func TestDecodeImage_Zbarimg(t *testing.T) {
	if _, err := exec.LookPath("zbarimg"); err != nil {
		t.Skip("zbarimg not on PATH (Debian package zbar-tools)")
	}
	type img struct {
		name   string
		png    []byte
		strict bool
	}
	var imgs []img
	for _, c := range writerCases() {
		if c.name == "datamatrix" {
			continue // zbar has no Data Matrix decoder
		}
		imgs = append(imgs, img{"writer-" + c.name, encodePNG(t, onCanvas(t, c, 640, 400, 1, 0)), true})
	}
	cases := writerCases()
	for _, v := range []struct {
		name       string
		c          codeCase
		scale, deg float64
	}{
		{"ean13-tilted", cases[2], 1.4, 6},
		{"ean13-small", cases[2], 0.9, 0},
		{"ean13-rotated-90", cases[2], 1.2, 90},
		{"ean13-rotated-45", cases[2], 1.2, 45},
		{"code128-tilted", cases[6], 1.3, 10},
		{"qr-rotated-30", cases[0], 1.5, 30},
	} {
		f := blur(onCanvas(t, v.c, 800, 600, v.scale, v.deg), 1)
		noise(f, 12, 5)
		imgs = append(imgs, img{"photo-" + v.name, encodePNG(t, f), false})
	}
	imgs = append(imgs, img{"frame-1280x720", encodePNG(t, frame1280x720(t)), true})

	for _, im := range imgs {
		t.Run(im.name, func(t *testing.T) {
			zb := comparableSet(zbarimg(t, im.png))
			ours, err := DecodeImageBytes(im.png)
			if err != nil {
				t.Fatal(err)
			}
			got := comparableSet(ours)
			if im.strict {
				if strings.Join(got, "\n") != strings.Join(zb, "\n") {
					t.Errorf("gozxing found %q, zbarimg %q", got, zb)
				}
				return
			}
			have := map[string]bool{}
			for _, g := range got {
				have[g] = true
			}
			for _, z := range zb {
				if !have[z] {
					t.Errorf("gozxing misses %q that zbarimg finds (gozxing: %q)", z, got)
				}
			}
			if len(zb) < len(got) {
				t.Logf("gozxing found more than zbarimg: %q vs %q", got, zb)
			}
		})
	}
}
