package pos

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/storeagent/storeagent/scanner"
)

// maxImageBody bounds a camera frame posted to /api/v1/scan.
const maxImageBody = 10 << 20

// Defaults of the scan limits (issue 16 item 1): a decode takes a core for up to a second or two
// and tens of megabytes, so the public endpoint decodes at most ScanConcurrency images at a time
// and each client IP may post ScanRatePerIP images a second (bursts of ScanBurstPerIP).
const (
	defaultScanRatePerIP  = 2
	defaultScanBurstPerIP = 10
)

// scanGate bounds the decodes in progress and the rate per client IP.
type scanGate struct {
	slots chan struct{}
	limit *ipLimiter
}

func newScanGate(concurrency int, rate float64, burst int) *scanGate {
	return &scanGate{slots: make(chan struct{}, max(concurrency, 1)), limit: newIPLimiter(rate, burst, nil)}
}

// enter takes a decode slot for r, or answers 429 (the client's rate) or 503 with Retry-After (every
// slot busy) and reports false. A waiting request would hold its body's memory, so none waits.
func (g *scanGate) enter(w http.ResponseWriter, r *http.Request) bool {
	if !g.limit.allow(clientIP(r)) {
		w.Header().Set("Retry-After", "1")
		writeError(w, reqErr(http.StatusTooManyRequests, "rate_limited", "too many images from this address: at most %g a second", g.limit.rate))
		return false
	}
	select {
	case g.slots <- struct{}{}:
		return true
	default:
		w.Header().Set("Retry-After", "1")
		writeError(w, reqErr(http.StatusServiceUnavailable, "busy", "every image decoder is busy (%d at a time): retry in a second", cap(g.slots)))
		return false
	}
}

func (g *scanGate) leave() { <-g.slots }

// ScannedCode is one code found in a posted image.
type ScannedCode struct {
	Symbology string   `json:"symbology"`
	Data      string   `json:"data"`
	Product   *Product `json:"product,omitempty"`
}

// scanImage answers POST /api/v1/scan: an image as a raw image/png|jpeg body or a multipart field
// "image"; 200 with the codes found (an empty list when none), 400 for what is not an image, 413
// over 10 MiB. Public: a shopper's phone posts here, so products carry no customer data.
func (s *Server) scanImage(w http.ResponseWriter, r *http.Request) {
	if !s.scans.enter(w, r) {
		return
	}
	defer s.scans.leave()
	r.Body = http.MaxBytesReader(w, r.Body, maxImageBody)
	img, err := readImage(r)
	if err != nil {
		writeError(w, err)
		return
	}
	codes, err := scanner.DecodeImageBytes(img)
	if err != nil {
		if errors.Is(err, scanner.ErrTooManyPixels) {
			writeError(w, reqErr(http.StatusRequestEntityTooLarge, "too_large", "%v", err))
			return
		}
		if errors.Is(err, scanner.ErrNotImage) {
			writeError(w, badRequest("not a PNG or JPEG image: %v", err))
			return
		}
		writeError(w, err)
		return
	}
	out := []ScannedCode{}
	for _, c := range codes {
		sc := ScannedCode{Symbology: c.Symbology, Data: c.Data}
		lookup := c.Data
		if strings.HasPrefix(c.Symbology, "gs1") || scanner.IsDigitalLink(c.Data) {
			if parsed := scanner.Parse([]byte(c.Data), scanner.Options{}); parsed.GTIN != "" {
				lookup = parsed.GTIN
			}
		}
		if p, err := s.svc.Lookup(r.Context(), lookup); err == nil {
			sc.Product = &p
		}
		out = append(out, sc)
	}
	writeJSON(w, http.StatusOK, map[string]any{"codes": out})
}

// readImage reads the posted image bytes from a raw or multipart body.
func readImage(r *http.Request) ([]byte, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var rd io.Reader = r.Body
	switch {
	case mt == "multipart/form-data":
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				return nil, bodyErr(err, "multipart body without an \"image\" field")
			}
			if part.FormName() == "image" {
				rd = part
				break
			}
		}
	case mt == "image/png" || mt == "image/jpeg" || mt == "application/octet-stream" || mt == "":
	default:
		return nil, reqErr(http.StatusUnsupportedMediaType, "unsupported_media_type", "send image/png, image/jpeg or multipart/form-data, not %q", truncate(mt, 60))
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, bodyErr(err, "reading the image")
	}
	if len(b) == 0 {
		return nil, badRequest("the body is empty: send a PNG or JPEG image")
	}
	return b, nil
}

func bodyErr(err error, what string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return reqErr(http.StatusRequestEntityTooLarge, "too_large", "the image is larger than %d bytes", maxImageBody)
	}
	return badRequest("%s: %v", what, err)
}
