package main

import (
	"fmt"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/escpos"
	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
	"github.com/storeagent/storeagent/pos"
)

// demoPrinterModel is the model the demo's virtual printer renders as.
func demoPrinterModel() (escpos.Profile, error) {
	models, err := escpos.LoadProfiles(firmwareprofiles.FS, "printers")
	if err != nil {
		return escpos.Profile{}, err
	}
	p, ok := models["epson-tm-t20"]
	if !ok {
		return escpos.Profile{}, fmt.Errorf("no epson-tm-t20 profile")
	}
	return p, nil
}

// registerDemoReceipts shows what the virtual printer printed: GET /demo/receipts lists the
// receipts newest first as images, GET /demo/receipts/{name} serves one PNG.
func registerDemoReceipts(srv *pos.Server, p *devices.DemoPrinter) {
	srv.Handle("GET /demo/receipts", false, func(w http.ResponseWriter, r *http.Request, _ pos.Terminal) {
		names, err := p.Receipts()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var b strings.Builder
		b.WriteString(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Printed receipts</title><h1>Printed receipts</h1>`)
		if len(names) == 0 {
			b.WriteString("<p>Nothing printed yet: complete a sale with print, or POST /api/v1/sales/{id}/print.</p>")
		}
		for i := len(names) - 1; i >= 0; i-- {
			n := html.EscapeString(names[i])
			fmt.Fprintf(&b, `<figure><img src="/demo/receipts/%s" alt="receipt %s"><figcaption>%s</figcaption></figure>`, n, n, n)
		}
		w.Write([]byte(b.String()))
	})
	srv.Handle("GET /demo/receipts/{name}", false, func(w http.ResponseWriter, r *http.Request, _ pos.Terminal) {
		name := r.PathValue("name")
		if name != filepath.Base(name) || !strings.HasSuffix(name, ".png") {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join(p.Dir, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(b)
	})
}
