package pos

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
)

// ean13PNG renders an EAN-13 with a quiet zone as a camera would see it.
func ean13PNG(t *testing.T, code string) []byte {
	t.Helper()
	m, err := oned.NewEAN13Writer().Encode(code[:12], gozxing.BarcodeFormat_EAN_13, 400, 160, nil)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 480, 240))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(40, 40, 440, 200), m, image.Point{}, draw.Src)
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

func postRaw(t *testing.T, e *testEnv, ct string, body []byte) (int, []byte) {
	t.Helper()
	resp, err := e.srv.Client().Post(e.srv.URL+"/api/v1/scan", ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes()
}

func TestServer_ScanImage(t *testing.T) {
	e := newTestEnv(t)
	img := ean13PNG(t, "8001234567903")
	type result struct {
		Codes []ScannedCode `json:"codes"`
	}
	t.Run("raw png finds the code and its product", func(t *testing.T) {
		code, body := postRaw(t, e, "image/png", img)
		r := decode[result](t, body)
		if code != 200 || len(r.Codes) != 1 || r.Codes[0].Data != "8001234567903" || r.Codes[0].Symbology != "ean13" ||
			r.Codes[0].Product == nil || r.Codes[0].Product.SKU != "CAFFE-250" {
			t.Fatalf("%d %s", code, body)
		}
	})
	t.Run("multipart field image", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("image", "photo.png")
		fw.Write(img)
		mw.Close()
		code, body := postRaw(t, e, mw.FormDataContentType(), buf.Bytes())
		if code != 200 || !strings.Contains(string(body), `"CAFFE-250"`) {
			t.Fatalf("%d %s", code, body)
		}
	})
	t.Run("an image without codes is an empty list", func(t *testing.T) {
		var buf bytes.Buffer
		png.Encode(&buf, image.NewGray(image.Rect(0, 0, 64, 64)))
		code, body := postRaw(t, e, "image/png", buf.Bytes())
		if code != 200 || strings.TrimSpace(string(body)) != `{"codes":[]}` {
			t.Fatalf("%d %s", code, body)
		}
	})
	for name, tc := range map[string]struct {
		ct     string
		body   []byte
		status int
	}{
		"not an image":    {"image/png", []byte("GIF89a this is not a png"), 400},
		"empty":           {"image/png", nil, 400},
		"truncated png":   {"image/png", img[:len(img)/2], 400},
		"too large":       {"image/jpeg", bytes.Repeat([]byte{0xff}, 11<<20), 413},
		"wrong type":      {"text/plain", []byte("hello"), 415},
		"multipart no im": {"multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nhi\r\n--x--\r\n"), 400},
	} {
		t.Run(name, func(t *testing.T) {
			code, body := postRaw(t, e, tc.ct, tc.body)
			if code != tc.status {
				t.Fatalf("%d %s, want %d", code, body, tc.status)
			}
		})
	}
	_ = http.StatusOK
}
