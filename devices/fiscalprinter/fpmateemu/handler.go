package fpmateemu

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DropMidResponse sends the status line and part of the body, then closes the connection
// (after registering when Commit).
const DropMidResponse FaultKind = 100

// elem is one element of a request.
type elem struct {
	name  string
	attrs map[string]string
	kids  []*elem
}

func (e *elem) attr(n string) string { return e.attrs[n] }

const (
	maxElems = 5000
	maxNest  = 6
)

// parseRequest reads the SOAP envelope and returns the command's root element (the child of
// Body, or the document root when there is no envelope).
func parseRequest(b []byte) (*elem, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var stack []*elem
	var root *elem
	count := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > maxElems || len(stack) >= maxNest {
				return nil, errors.New("request too large or too deep")
			}
			el := &elem{name: t.Name.Local, attrs: map[string]string{}}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				el.attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("two roots")
				}
				root = el
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, el)
			}
			stack = append(stack, el)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, errors.New("text in a request")
			}
		}
	}
	if root == nil {
		return nil, errors.New("empty request")
	}
	if root.name == "Envelope" {
		var body *elem
		for _, k := range root.kids {
			if k.name == "Body" {
				body = k
			}
		}
		if body == nil || len(body.kids) != 1 {
			return nil, errors.New("the envelope's Body must hold one command")
		}
		return body.kids[0], nil
	}
	return root, nil
}

// ServeHTTP answers one fpmate request.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequest))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	cmd, perr := parseRequest(body)
	root := "invalid"
	if perr == nil {
		root = cmd.name
	}

	e.mu.Lock()
	e.lastReq = Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
	e.requests[root]++
	f, faulted := e.takeFault(root)
	var answer string
	switch {
	case perr != nil:
		answer = refuse("PARSER_ERROR", "")
	case faulted && !f.Commit && isTransport(f.Kind):
		// fail before doing anything
	case faulted && f.Kind == RecEmpty:
		answer = refuse("EPTR_REC_EMPTY", "3")
	case faulted && f.Kind == DocOpen:
		e.docOpen = true
		answer = refuse("PRINTER ERROR", "11")
	case faulted && f.Kind == ClockBehind:
		answer = refuse("PRINTER ERROR", "9")
	case faulted && f.Kind == NoAnswer:
		if f.Commit {
			e.process(cmd, false)
		}
		answer = refuse("LAN_TIME_OUT", "")
	default:
		answer = e.process(cmd, faulted && f.Kind == PaperLow)
	}
	e.mu.Unlock()

	if faulted && isTransport(f.Kind) {
		e.fail(w, r, f, answer)
		return
	}
	writeAnswer(w, answer)
}

func isTransport(k FaultKind) bool {
	return k == Drop || k == Stall || k == HTTP500 || k == Malformed || k == DropMidResponse
}

func (e *Emulator) fail(w http.ResponseWriter, r *http.Request, f Fault, answer string) {
	switch f.Kind {
	case HTTP500:
		http.Error(w, "internal error", http.StatusInternalServerError)
	case Malformed:
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		io.WriteString(w, `<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><response success="true" code="" status="0"><addInfo><fiscalReceiptNumber>`)
	case Stall:
		d := f.Stall
		if d <= 0 {
			d = time.Minute
		}
		select {
		case <-r.Context().Done():
		case <-time.After(d):
		}
		hijackClose(w, "")
	case Drop:
		hijackClose(w, "")
	case DropMidResponse:
		if answer == "" {
			answer = envelope(`<response success="true" code="" status="0"></response>`)
		}
		part := answer[:len(answer)/2]
		hijackClose(w, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", len(answer), part))
	}
}

func hijackClose(w http.ResponseWriter, partial string) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // the server closes the connection without answering
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if partial != "" {
		buf.WriteString(partial)
		buf.Flush()
	}
	conn.Close()
}

func writeAnswer(w http.ResponseWriter, answer string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	io.WriteString(w, answer)
}

func envelope(resp string) string {
	return `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
		resp + `</soapenv:Body></soapenv:Envelope>` + "\n"
}

// refuse is a success="false" answer.
func refuse(code, status string) string {
	return envelope(fmt.Sprintf(`<response success="false" code="%s" status="%s"><addInfo><elementList>lastCommand</elementList><lastCommand>74</lastCommand></addInfo></response>`, xmlEsc(code), xmlEsc(status)))
}

// ok is a success="true" answer with addInfo fields in order.
func ok(status string, fields ...string) string {
	var names []string
	var b strings.Builder
	for i := 0; i+1 < len(fields); i += 2 {
		names = append(names, fields[i])
		fmt.Fprintf(&b, "<%s>%s</%s>", fields[i], xmlEsc(fields[i+1]), fields[i])
	}
	return envelope(fmt.Sprintf(`<response success="true" code="" status="%s"><addInfo><elementList>%s</elementList>%s</addInfo></response>`,
		status, strings.Join(names, ","), b.String()))
}

func xmlEsc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// fpStatus is the 5-character state: printer, journal, drawer, document, mode.
func (e *Emulator) fpStatus(forceLow bool) string {
	p := byte('0')
	switch {
	case e.paperEnd || e.cover:
		p = '3'
	case e.paperLow || forceLow:
		p = '2'
	}
	d := byte('1')
	if e.docOpen {
		d = '0'
	}
	return string([]byte{p, e.journal, '0', d, '0'})
}

// process runs one parsed command. Called with e.mu held.
func (e *Emulator) process(cmd *elem, forceLow bool) string {
	switch cmd.name {
	case "printerFiscalReceipt":
		return e.receipt(cmd, forceLow)
	case "printerFiscalReport":
		return e.report(cmd)
	case "printerCommand":
		return e.command(cmd)
	case "printerNonFiscal":
		return ok("0", "printerStatus", e.fpStatus(false))
	}
	return refuse("Non valid XML command", "")
}

func (e *Emulator) report(cmd *elem) string {
	var res string
	for _, k := range cmd.kids {
		switch k.name {
		case "displayText":
		case "printXReport":
			res = ok("0", "printerStatus", e.fpStatus(false))
		case "printZReport", "printXZReport":
			if e.docOpen {
				return refuse("PRINTER ERROR", "11")
			}
			now := e.now()
			if now.Before(e.lastZAt) {
				return refuse("PRINTER ERROR", "9")
			}
			var day int64
			for _, d := range e.docs {
				if d.ZNo == e.z {
					if d.Kind == "sale" {
						day += d.AmountMinor
					} else {
						day -= d.AmountMinor
					}
				}
			}
			closed := e.z
			e.z++
			e.doc = 0
			e.lastZAt = now
			res = ok("0", "printerStatus", e.fpStatus(false), "zRepNumber", strconv.Itoa(closed), "dailyAmount", cents(day))
		default:
			return refuse("Non valid XML command", "")
		}
	}
	if res == "" {
		return refuse("Non valid XML command", "")
	}
	return res
}

func (e *Emulator) command(cmd *elem) string {
	if len(cmd.kids) == 0 {
		return refuse("Non valid XML command", "")
	}
	res := ok("0", "printerStatus", e.fpStatus(false))
	for _, k := range cmd.kids {
		switch k.name {
		case "displayText":
		case "openDrawer":
			e.drawer++
		case "resetPrinter":
			e.docOpen = false
			res = ok("0", "printerStatus", e.fpStatus(false))
		case "queryPrinterStatus":
			if k.attr("statusType") == "1" {
				daily := "0"
				if e.doc > 0 {
					daily = "1"
				}
				res = ok("0", "lastCommand", "74", "fpStatus", e.fpStatus(false), "rtType", e.serial[2:3], "rtMainStatus", "02",
					"rtSubStatus", "08", "rtDailyOpen", daily, "rtNoWorkingPeriod", "0", "rtFileToSend", "0",
					"rtOldFileToSend", "0", "rtFileRejected", "0", "rtExpiryCD", "20301231", "rtExpiryCA", "20301231",
					"rtTrainingMode", "0", "rtUpgradeResult", "0")
			} else {
				// Shape of fiskaltrust's ResponsePrinterStatusBasic.xml sample.
				res = ok("0", "lastCommand", "74", "cpuRel", "07.00", "mfRel", "04.3", "mfStatus", "0", "fpStatus", e.fpStatus(false))
			}
		case "directIO":
			r, good := e.directIO(k)
			if !good {
				return r
			}
			res = r
		default:
			return refuse("Non valid XML command", "")
		}
	}
	return res
}

func (e *Emulator) directIO(k *elem) (string, bool) {
	switch k.attr("command") {
	case "3217":
		s := e.serial
		return ok("0", "printerStatus", e.fpStatus(false), "responseData", "01"+s[5:11]+s[3:5]+s[0:2]), true
	case "1138":
		return ok("0", "printerStatus", e.fpStatus(false), "responseData", "01"+e.serial[2:3]+"000000"+"0000"+"0000"+"0000"), true
	case "1387":
		return ok("0", "printerStatus", e.fpStatus(false), "responseData", e.last1387()), true
	case "4038":
		return ok("0", "printerStatus", e.fpStatus(false)), true
	}
	return refuse("Non valid XML command", ""), false
}

// last1387 lays out the last document as directIO 1387's responseData.
func (e *Emulator) last1387() string {
	var d Document
	fiscal := "0"
	if n := len(e.docs); n > 0 {
		d = e.docs[n-1]
		fiscal = "1"
	} else {
		d.At = e.now()
	}
	lott := " "
	code := strings.Repeat(" ", 8)
	if d.Lottery != "" {
		lott, code = "1", d.Lottery
	}
	return fmt.Sprintf("01%09d%09d%s%04d%04d%s%s%s%s%s%s%s", d.AmountMinor, 0, d.At.Format("020106150405"), d.ZNo%10000, d.DocNo%10000,
		e.serial, lott, code, fiscal, strings.Repeat(" ", 40), strings.Repeat(" ", 60), strings.Repeat(" ", 32))
}

func cents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d,%02d", sign, c/100, c%100)
}
