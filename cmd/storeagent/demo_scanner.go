//go:build linux || darwin || freebsd

package main

import (
	"fmt"
	"html"
	"net/http"
	"os"
	"strings"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/storeagent/storeagent/pos"
)

// virtualScanner is the demo's scanner: a pseudo-terminal whose slave end the agent opens as a
// serial scanner, exactly as it opens a real one. Writing a code and CR to the master is a scan.
type virtualScanner struct {
	master, slave *os.File
}

func newVirtualScanner() (*virtualScanner, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("virtual scanner: %w", err)
	}
	// Raw mode: no echo, no line editing, CR passes through unchanged.
	if t, err := unix.IoctlGetTermios(int(slave.Fd()), ioctlGetTermios); err == nil {
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		unix.IoctlSetTermios(int(slave.Fd()), ioctlSetTermios, t)
	}
	return &virtualScanner{master: master, slave: slave}, nil
}

// Path is the device path to configure.
func (v *virtualScanner) Path() string { return v.slave.Name() }

// Scan types a code into the scanner.
func (v *virtualScanner) Scan(code string) error {
	_, err := v.master.Write([]byte(code + "\r"))
	return err
}

func (v *virtualScanner) Close() {
	v.master.Close()
	v.slave.Close()
}

// register adds the demo's scan form: GET /demo shows it, POST /demo/scan types the code into the
// virtual scanner, so the scan reaches the lane's POS through the same path as a real one.
func (v *virtualScanner) register(srv *pos.Server, codes []demoCode) {
	srv.Handle("GET /demo", false, func(w http.ResponseWriter, r *http.Request, _ pos.Terminal) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var opts, list strings.Builder
		for _, c := range codes {
			code, name := html.EscapeString(c.Code), html.EscapeString(c.Name)
			fmt.Fprintf(&opts, `<option value="%s">%s</option>`, code, name)
			fmt.Fprintf(&list, `<li><button name="code" value="%s">%s</button> %s</li>`, code, code, name)
		}
		fmt.Fprintf(w, `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>storeagent demo scanner</title>
<h1>Virtual scanner</h1><p>Device <code>%s</code>: a code sent here reaches lane1's POS as a hardware scan.</p>
<form method="post" action="/demo/scan"><label>Code <input name="code" list="codes" autofocus required></label>
<datalist id="codes">%s</datalist> <button>Scan</button></form>
<h2>Products</h2><form method="post" action="/demo/scan"><ul>%s</ul></form>`, html.EscapeString(v.Path()), opts.String(), list.String())
	})
	srv.Handle("POST /demo/scan", false, func(w http.ResponseWriter, r *http.Request, _ pos.Terminal) {
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		code := strings.TrimSpace(r.FormValue("code"))
		if code == "" || strings.ContainsAny(code, "\r\n") {
			http.Error(w, "give a code", http.StatusBadRequest)
			return
		}
		if err := v.Scan(code); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		http.Redirect(w, r, "/demo", http.StatusSeeOther)
	})
}
