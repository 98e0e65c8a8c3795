// Package browsertest drives the Debian Chromium through chromedriver with a minimal W3C
// WebDriver client, for the project's real-Browser tests (pages in pos, the scanner-to-screen path
// in agent). Tests only.
package browsertest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A minimal W3C WebDriver client (https://www.w3.org/TR/webdriver2/) over net/http, driving the
// Debian chromium through chromedriver: enough to open pages, type, click, run a script and take
// screenshots.

// ElementKey is the W3C web element identifier key.
const ElementKey = "element-6066-11e4-a52e-4f735466cecf"

// Browser is one chromedriver session.
type Browser struct {
	// T is the test that failures are reported to; a subtest may set it to itself.
	T       *testing.T
	base    string // http://127.0.0.1:port/session/id
	client  *http.Client
	shotDir string
}

// FindChromium returns chromium's and chromedriver's paths; a missing browser skips the test,
// unless STOREAGENT_REQUIRE_BROWSER=1 says CI must have one.
func FindChromium(t *testing.T) (string, string) {
	t.Helper()
	var paths [2]string
	for i, names := range [][]string{{"chromium", "chromium-Browser", "google-chrome"}, {"chromedriver"}} {
		for _, n := range names {
			if p, err := exec.LookPath(n); err == nil {
				paths[i] = p
				break
			}
		}
	}
	if paths[0] == "" || paths[1] == "" {
		if os.Getenv("STOREAGENT_REQUIRE_BROWSER") == "1" {
			t.Fatalf("chromium or chromedriver not found and STOREAGENT_REQUIRE_BROWSER=1 (apt-get install chromium chromium-driver)")
		}
		t.Skip("chromium or chromedriver not installed; set STOREAGENT_REQUIRE_BROWSER=1 to make this a failure")
	}
	return paths[0], paths[1]
}

// New starts chromedriver and a headless chromium session with a fresh profile and the
// given window size; both stop when the test ends.
func New(t *testing.T, width, height int) *Browser {
	t.Helper()
	chromium, driver := FindChromium(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(driver, fmt.Sprintf("--port=%d", port))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	root := fmt.Sprintf("http://127.0.0.1:%d", port)
	// STOREAGENT_SCREENSHOT_DIR keeps the screenshots for a person to look at.
	shots := os.Getenv("STOREAGENT_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	}
	b := &Browser{T: t, client: &http.Client{Timeout: 30 * time.Second}, shotDir: shots}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := b.client.Get(root + "/status")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	opts := map[string]any{
		"binary": chromium,
		"args": []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
			"--user-data-dir=" + t.TempDir(), fmt.Sprintf("--window-size=%d,%d", width, height), "--lang=en-US"},
	}
	if width < 600 {
		// Headless windows are at least 500 px wide: a phone viewport needs device emulation.
		opts["mobileEmulation"] = map[string]any{"deviceMetrics": map[string]any{"width": width, "height": height, "pixelRatio": 1}}
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{"goog:chromeOptions": opts}}}
	var sess struct {
		SessionID string `json:"sessionId"`
	}
	b.base = root
	b.call("POST", "/session", caps, &sess)
	if sess.SessionID == "" {
		t.Fatal("chromedriver gave no session id")
	}
	b.base = root + "/session/" + sess.SessionID
	t.Cleanup(func() {
		req, _ := http.NewRequest("DELETE", b.base, nil)
		if resp, err := b.client.Do(req); err == nil {
			resp.Body.Close()
		}
	})
	return b
}

// call sends one WebDriver command and decodes its value into out.
func (b *Browser) call(method, path string, body, out any) {
	b.T.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			b.T.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, b.base+path, rd)
	if err != nil {
		b.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		b.T.Fatalf("webdriver %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.T.Fatalf("webdriver %s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		var env struct {
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(raw, &env); err != nil {
			b.T.Fatalf("webdriver %s %s: %v", method, path, err)
		}
		if err := json.Unmarshal(env.Value, out); err != nil {
			b.T.Fatalf("webdriver %s %s value %s: %v", method, path, env.Value, err)
		}
	}
}

func (b *Browser) Open(url string) {
	b.T.Helper()
	b.call("POST", "/url", map[string]string{"url": url}, nil)
}

// find returns the element id of the CSS selector's first match.
func (b *Browser) Find(css string) string {
	b.T.Helper()
	var el map[string]string
	b.call("POST", "/element", map[string]string{"using": "css selector", "value": css}, &el)
	if id := el[ElementKey]; id != "" {
		return id
	}
	b.T.Fatalf("find %s: no element id in %v", css, el)
	return ""
}

// typeInto sends keys to the element ("\ue007" is Enter).
func (b *Browser) TypeInto(css, keys string) {
	b.T.Helper()
	b.call("POST", "/element/"+b.Find(css)+"/value", map[string]string{"text": keys}, nil)
}

func (b *Browser) Click(css string) {
	b.T.Helper()
	b.call("POST", "/element/"+b.Find(css)+"/click", map[string]any{}, nil)
}

// eval runs a script's body and decodes what it returns.
func (b *Browser) Eval(script string, out any) {
	b.T.Helper()
	b.call("POST", "/execute/sync", map[string]any{"script": script, "args": []any{}}, out)
}

// text is the element's rendered text.
func (b *Browser) Text(css string) string {
	b.T.Helper()
	var s string
	b.Eval(fmt.Sprintf("var e = document.querySelector(%q); return e ? e.innerText : '';", css), &s)
	return s
}

// waitFor polls a script that returns a boolean until it is true or 10 s pass.
func (b *Browser) WaitFor(what, script string) {
	b.T.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ok bool
		b.Eval(script, &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.Screenshot("timeout-" + strings.ReplaceAll(what, " ", "-"))
			var html string
			b.Eval("return document.body.innerText;", &html)
			b.T.Fatalf("timed out waiting for %s; page text:\n%s", what, html)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenshot saves a PNG into the test's temp dir and fails when it is blank (one colour).
func (b *Browser) Screenshot(name string) image.Image {
	b.T.Helper()
	var b64 string
	b.call("GET", "/screenshot", nil, &b64)
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		b.T.Fatal(err)
	}
	path := filepath.Join(b.shotDir, name+".png")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		b.T.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		b.T.Fatalf("screenshot %s: %v", name, err)
	}
	if colours := DistinctColours(img, 16); colours < 3 {
		b.T.Errorf("screenshot %s is blank (%d colours)", path, colours)
	}
	return img
}

// DistinctColours counts different colours on a grid of samples, stopping at limit.
func DistinctColours(img image.Image, limit int) int {
	seen := map[[3]uint32]bool{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 4 {
		for x := r.Min.X; x < r.Max.X; x += 4 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			seen[[3]uint32{cr, cg, cb}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// NewWindow opens a new top-level window in the same session (same cookies and storage, as a
// second screen of one browser) and returns its handle; the current window stays current.
func (b *Browser) NewWindow() string {
	b.T.Helper()
	var w struct {
		Handle string `json:"handle"`
	}
	b.call("POST", "/window/new", map[string]string{"type": "window"}, &w)
	return w.Handle
}

// Window returns the current window's handle.
func (b *Browser) Window() string {
	b.T.Helper()
	var h string
	b.call("GET", "/window", nil, &h)
	return h
}

// SwitchTo makes the window with handle current.
func (b *Browser) SwitchTo(handle string) {
	b.T.Helper()
	b.call("POST", "/window", map[string]string{"handle": handle}, nil)
}
