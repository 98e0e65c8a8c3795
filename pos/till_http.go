package pos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"

	"github.com/storeagent/storeagent/pos/document"
)

func (s *Server) openTill(w http.ResponseWriter, r *http.Request, term Terminal) {
	var req TillOpenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	res, err := s.svc.OpenTill(context.WithoutCancel(r.Context()), term, req)
	writeTill(w, res, err)
}

func (s *Server) moveTill(w http.ResponseWriter, r *http.Request, term Terminal) {
	var req TillMovementRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	res, err := s.svc.MoveTill(context.WithoutCancel(r.Context()), term, req)
	writeTill(w, res, err)
}

func (s *Server) closeTill(w http.ResponseWriter, r *http.Request, term Terminal) {
	var req TillCloseRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	res, err := s.svc.CloseTill(context.WithoutCancel(r.Context()), term, req)
	writeTill(w, res, err)
}

func writeTill(w http.ResponseWriter, res TillResult, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, createdStatus(res.Created), res.Body)
}

func (s *Server) tillX(w http.ResponseWriter, r *http.Request, term Terminal) {
	rep, err := s.svc.TillX(r.Context(), term)
	if err != nil {
		writeError(w, err)
		return
	}
	if r.URL.Query().Get("rt") == "1" {
		if err := s.svc.rtXReport(r.Context()); err != nil {
			writeError(w, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) tillSession(w http.ResponseWriter, r *http.Request, term Terminal) {
	rep, stored, err := s.svc.TillSession(r.Context(), term, r.PathValue("id"))
	switch {
	case err != nil:
		writeError(w, err)
	case stored != nil:
		if stored, err = s.svc.withRTZ(r.Context(), rep.SessionID, stored); err != nil {
			writeError(w, err)
			return
		}
		writeRaw(w, http.StatusOK, stored)
	default:
		writeJSON(w, http.StatusOK, rep)
	}
}

// dayParam reads ?date=, the store's current business day when absent.
func (s *Server) dayParam(r *http.Request) string {
	if d := r.URL.Query().Get("date"); d != "" {
		return d
	}
	return s.svc.Today()
}

func (s *Server) tillDay(w http.ResponseWriter, r *http.Request, _ Terminal) {
	rep, err := s.svc.TillDay(r.Context(), s.dayParam(r))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// registerTillPrintRoutes adds the till reports' print and preview routes:
//
//	POST /api/v1/till/sessions/{id}/print  body {"printer"?} → 202 {"job_id"}
//	GET  /api/v1/till/sessions/{id}/report.png
//	POST /api/v1/till/day/print?date=      body {"printer"?} → 202 {"job_id"}
//	GET  /api/v1/till/day/report.png?date=
func registerTillPrintRoutes(srv *Server, q *PrintQueue) {
	svc := srv.svc
	srv.Handle("POST /api/v1/till/sessions/{id}/print", true, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		printer, err := printerOf(w, r, term)
		if err != nil {
			writeError(w, err)
			return
		}
		job, err := svc.PrintTillSession(r.Context(), term, r.PathValue("id"), printer)
		writeJob(w, job, err)
	})
	srv.Handle("POST /api/v1/till/day/print", true, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		printer, err := printerOf(w, r, term)
		if err != nil {
			writeError(w, err)
			return
		}
		job, err := svc.PrintTillDay(r.Context(), srv.dayParam(r), printer)
		writeJob(w, job, err)
	})
	srv.Handle("GET /api/v1/till/sessions/{id}/report.png", true, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		rep, _, err := svc.TillSession(r.Context(), term, r.PathValue("id"))
		if err != nil {
			writeError(w, err)
			return
		}
		kind := "z"
		if rep.Status == "open" {
			kind = "x"
		}
		q.writeReportPNG(w, term, kind, rep)
	})
	srv.Handle("GET /api/v1/till/day/report.png", true, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		rep, err := svc.TillDay(r.Context(), srv.dayParam(r))
		if err != nil {
			writeError(w, err)
			return
		}
		q.writeReportPNG(w, term, "day", rep)
	})
}

// printerOf reads a print body {"printer"?}: the named printer or the terminal's.
func printerOf(w http.ResponseWriter, r *http.Request, term Terminal) (string, error) {
	var req printRequest
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4096))
	if err != nil {
		return "", reqErr(http.StatusRequestEntityTooLarge, "too_large", "the body is larger than 4096 bytes")
	}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := decodeStrict(raw, &req); err != nil {
			return "", badRequest("body: %v", err)
		}
	}
	if req.Printer != "" {
		return req.Printer, checkPrinter(term, req.Printer)
	}
	if term.Printer == "" {
		return "", unprocessable("no_printer", "terminal %q has no printer: name one", term.ID)
	}
	return term.Printer, nil
}

func writeJob(w http.ResponseWriter, job string, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"job_id": job})
}

// preview draws doc as the terminal's printer would print it, or as the preview model does
// when the terminal has none (or its driver draws no previews). ok is false when neither can.
func (q *PrintQueue) preview(term Terminal, doc document.Document) (img image.Image, ok bool, err error) {
	if pv, is := q.drv.(Previewer); is && term.Printer != "" && q.drv.Has(term.Printer) {
		img, err = pv.Preview(term.Printer, doc)
		return img, true, err
	}
	if q.opts.Preview == nil {
		return nil, false, nil
	}
	img, err = q.opts.Preview.Preview("", doc)
	return img, true, err
}

// writeReportPNG answers a report laid out as the terminal's printer would print it.
func (q *PrintQueue) writeReportPNG(w http.ResponseWriter, term Terminal, kind string, rep any) {
	doc, err := q.ReportDocument(kind, rep)
	if err != nil {
		writeError(w, err)
		return
	}
	q.writePNG(w, term, doc, "report")
}

// writePNG answers doc drawn as the terminal's printer would print it; what names it in errors.
func (q *PrintQueue) writePNG(w http.ResponseWriter, term Terminal, doc document.Document, what string) {
	img, ok, err := q.preview(term, doc)
	if !ok {
		writeError(w, reqErr(http.StatusServiceUnavailable, "no_profile", "no printer profile to lay the %s out for", what))
		return
	}
	if err != nil {
		writeError(w, fmt.Errorf("render: %w", err))
		return
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		writeError(w, fmt.Errorf("encode png: %w", err))
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(out.Bytes())
}

// decodeStrict decodes one JSON value, refusing unknown fields.
func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
