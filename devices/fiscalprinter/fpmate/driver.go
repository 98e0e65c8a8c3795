package fpmate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/storeagent/storeagent/devices/fiscalprinter"
	"github.com/storeagent/storeagent/pos/document"
)

// statusText names the status numbers fiskaltrust's ErrorInfoFactory lists.
var statusText = map[int]string{
	2:  "paper low",
	3:  "printer offline (paper end or cover open)",
	9:  "the printer's date is earlier than the last Z closure",
	11: "wrong sequence (a document is already open)",
	13: "wrong value",
	30: "checksum error (tax code or lottery code)",
	39: "the referenced document is already voided",
	40: "the referenced document is already refunded",
	41: "the reference cannot be a void or refund",
	42: "the reference cannot be a void or refund",
}

// do sends one request and returns the printer's successful answer, or an *fiscalprinter.Error.
func (d *Driver) do(ctx context.Context, op string, body []byte) (Response, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.endpoint, bytes.NewReader(body))
	if err != nil {
		return Response{}, &fiscalprinter.Error{Op: op, Err: err}
	}
	req.Header.Set("Content-Type", "text/xml; charset=UTF-8")
	req.Header.Set("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")
	req.Header["SOAPAction"] = []string{`""`}
	if err := ctx.Err(); err != nil {
		return Response{}, &fiscalprinter.Error{Op: op, Retry: true, Err: err} // nothing sent
	}
	resp, err := d.client.Do(req)
	if err != nil {
		// Sent or not, we cannot tell: the printer may have registered it.
		return Response{}, &fiscalprinter.Error{Op: op, Ambiguous: true, Retry: true, Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	if err != nil {
		return Response{}, &fiscalprinter.Error{Op: op, Ambiguous: true, Retry: true, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	if resp.StatusCode != http.StatusOK {
		e := &fiscalprinter.Error{Op: op, Retry: true, Err: fmt.Errorf("HTTP %d", resp.StatusCode)}
		// A server error may come after the printer did the work; a 4xx means fpmate.cgi
		// refused the request before passing it on.
		e.Ambiguous = resp.StatusCode >= 500
		return Response{}, e
	}
	if len(b) > MaxResponse {
		return Response{}, &fiscalprinter.Error{Op: op, Ambiguous: true, Retry: true, Err: fmt.Errorf("answer over %d bytes", MaxResponse)}
	}
	r, err := ParseResponse(b)
	if err != nil {
		return Response{}, &fiscalprinter.Error{Op: op, Ambiguous: true, Retry: true, Err: err}
	}
	if !r.Success {
		return r, refusal(op, r)
	}
	return r, nil
}

// refusal maps success="false" to an Error. The printer answered, so it registered nothing,
// except when fpmate.cgi itself lost the fiscal firmware's answer (LAN_TIME_OUT, FP_NO_ANSWER…).
func refusal(op string, r Response) *fiscalprinter.Error {
	e := &fiscalprinter.Error{Op: op, Code: r.Code, Status: r.Status}
	what := statusText[r.Status]
	switch {
	case r.Code == "LAN_TIME_OUT" || r.Code == "LAN_ERROR" || strings.HasPrefix(r.Code, "FP_NO_ANSWER") || r.Code == "TM_NO_ANSWER/OFF_LINE":
		e.Ambiguous, e.Retry = true, true
		what = "fpmate lost the fiscal firmware's answer"
	case r.Code == "EPTR_REC_EMPTY" || r.Status == 3:
		e.Retry = true
		what = "paper end, cover open or printer offline"
	case r.Status == 11:
		e.Retry = true
	case r.Status == 9:
		e.Retry = false
	}
	if what == "" {
		what = "refused"
	}
	if e.Status == 0 && r.StatusText != "" && r.StatusText != "0" {
		what += " (status " + r.StatusText + ")"
	}
	e.Err = errors.New(what)
	return e
}

// Register sends f as a printerFiscalReceipt. On status 11 (a document left open) it sends a
// resetPrinter before returning the error, so a retry can succeed.
func (d *Driver) Register(ctx context.Context, f document.Fiscal) (fiscalprinter.Registration, error) {
	var reg fiscalprinter.Registration
	body, err := RenderReceipt(f, d.cfg)
	if err != nil {
		return reg, &fiscalprinter.Error{Op: "register", Err: err}
	}
	serial, err := d.Serial(ctx)
	if err != nil {
		// Nothing fiscal was sent yet.
		var fe *fiscalprinter.Error
		if errors.As(err, &fe) {
			c := *fe
			c.Op, c.Ambiguous, c.Retry = "register: serial", false, true
			return reg, &c
		}
		return reg, &fiscalprinter.Error{Op: "register: serial", Retry: true, Err: err}
	}
	r, err := d.do(ctx, "register", body)
	if err != nil {
		var fe *fiscalprinter.Error
		if errors.As(err, &fe) && fe.Status == 11 && !fe.Ambiguous {
			if rerr := d.Reset(ctx); rerr != nil {
				fe.Err = fmt.Errorf("%w; resetPrinter failed: %v", fe.Err, rerr)
			} else {
				fe.Err = fmt.Errorf("%w; printer reset, send again", fe.Err)
			}
		}
		return reg, err
	}
	ambiguous := func(err error) error {
		return &fiscalprinter.Error{Op: "register", Ambiguous: true, Retry: true, Err: err}
	}
	doc, err := infoInt(r, "fiscalReceiptNumber")
	if err != nil {
		return reg, ambiguous(err)
	}
	z, err := infoInt(r, "zRepNumber")
	if err != nil {
		return reg, ambiguous(err)
	}
	reg = fiscalprinter.Registration{Serial: serial, ZNo: z, DocNo: doc, AmountMinor: f.TotalMinor, At: time.Now()}
	if s, ok := r.Info["fiscalReceiptAmount"]; ok {
		if reg.AmountMinor, err = parseAmount(s); err != nil {
			return reg, ambiguous(fmt.Errorf("fiscalReceiptAmount: %w", err))
		}
	}
	if ds, ok := r.Info["fiscalReceiptDate"]; ok {
		if reg.At, err = parseDateTime(ds, r.Info["fiscalReceiptTime"], d.cfg.Location); err != nil {
			return reg, ambiguous(err)
		}
	}
	if r.Status == 2 || strings.HasPrefix(r.Info["printerStatus"], "2") {
		reg.Warning = "paper_low"
	}
	return reg, nil
}

func infoInt(r Response, name string) (int, error) {
	s, ok := r.Info[name]
	if !ok {
		return 0, fmt.Errorf("registered but the answer has no %s", name)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 9999 || len(s) > 6 {
		return 0, fmt.Errorf("%s %q is not a number 1..9999", name, s)
	}
	return n, nil
}

// parseAmount reads "2,16" or "2.16" (fpmate answers with a decimal comma) as cents.
func parseAmount(s string) (int64, error) {
	if len(s) == 0 || len(s) > 16 {
		return 0, fmt.Errorf("amount %q", s)
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	whole, frac, hasFrac := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" || (hasFrac && (len(frac) == 0 || len(frac) > 2)) {
		return 0, fmt.Errorf("amount %q", s)
	}
	var n int64
	for _, c := range []byte(whole) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("amount %q", s)
		}
		n = n*10 + int64(c-'0')
	}
	cents := int64(0)
	for i := 0; i < 2; i++ {
		cents *= 10
		if i < len(frac) {
			c := frac[i]
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("amount %q", s)
			}
			cents += int64(c - '0')
		}
	}
	n = n*100 + cents
	if neg {
		n = -n
	}
	return n, nil
}

// parseDateTime reads fiscalReceiptDate d/M/yyyy and fiscalReceiptTime H:mm or H:mm:ss.
func parseDateTime(date, clock string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2/1/2006", date, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("fiscalReceiptDate %q: %w", date, err)
	}
	if clock == "" {
		return t, nil
	}
	var c time.Time
	if c, err = time.Parse("15:04:05", clock); err != nil {
		if c, err = time.Parse("15:04", clock); err != nil {
			return time.Time{}, fmt.Errorf("fiscalReceiptTime %q", clock)
		}
	}
	return time.Date(t.Year(), t.Month(), t.Day(), c.Hour(), c.Minute(), c.Second(), 0, loc), nil
}

func (d *Driver) command(body string) []byte { return renderCommand("printerCommand", body) }

func (d *Driver) directIO(ctx context.Context, op, command string) (string, error) {
	r, err := d.do(ctx, op, d.command(` <directIO command="`+command+`" data="01" />`+"\n"))
	if err != nil {
		return "", err
	}
	data, ok := r.Info["responseData"]
	if !ok {
		return "", &fiscalprinter.Error{Op: op, Retry: true, Err: errors.New("the answer has no responseData")}
	}
	return data, nil
}

// LastDocument reads the last emitted document with directIO 1387.
func (d *Driver) LastDocument(ctx context.Context) (fiscalprinter.LastDocument, error) {
	data, err := d.directIO(ctx, "last document", "1387")
	if err != nil {
		return fiscalprinter.LastDocument{}, err
	}
	ld, err := Parse1387(data, d.cfg.Location)
	if err != nil {
		return ld, &fiscalprinter.Error{Op: "last document", Retry: true, Err: err}
	}
	if ld.Serial == "" {
		d.mu.Lock()
		ld.Serial = d.serial
		d.mu.Unlock()
	}
	return ld, nil
}

// Serial reads the RT's serial number: the RT type letter (queryPrinterStatus statusType=1,
// rtType) and directIO 3217. It is cached after the first success.
func (d *Driver) Serial(ctx context.Context) (string, error) {
	d.mu.Lock()
	s := d.serial
	d.mu.Unlock()
	if s != "" {
		return s, nil
	}
	r, err := d.do(ctx, "serial", d.command(` <queryPrinterStatus operator="`+d.cfg.Operator+`" statusType="1" />`+"\n"))
	if err != nil {
		return "", err
	}
	data, err := d.directIO(ctx, "serial", "3217")
	if err != nil {
		return "", err
	}
	s, err = parseSerial(data, r.Info["rtType"])
	if err != nil {
		return "", &fiscalprinter.Error{Op: "serial", Retry: true, Err: err}
	}
	d.mu.Lock()
	d.serial = s
	d.mu.Unlock()
	return s, nil
}

var _ fiscalprinter.DayReader = (*Driver)(nil)

// DayOpen reports whether the RT's fiscal day is open (documents since its last daily closure):
// rtDailyOpen of queryPrinterStatus statusType=1 ("1" open, "0" closed). An answer without it is
// an error: the caller cannot tell.
func (d *Driver) DayOpen(ctx context.Context) (bool, error) {
	r, err := d.do(ctx, "day state", d.command(` <queryPrinterStatus operator="`+d.cfg.Operator+`" statusType="1" />`+"\n"))
	if err != nil {
		return false, err
	}
	switch v := strings.TrimSpace(r.Info["rtDailyOpen"]); v {
	case "1":
		return true, nil
	case "0":
		return false, nil
	default:
		return false, &fiscalprinter.Error{Op: "day state", Retry: true, Err: fmt.Errorf("the answer's rtDailyOpen is %q, not 0 or 1", truncateStr(v, 20))}
	}
}

func truncateStr(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Status reads queryPrinterStatus statusType=0 and decodes the 5-character fpStatus.
func (d *Driver) Status(ctx context.Context) (fiscalprinter.Status, error) {
	r, err := d.do(ctx, "status", d.command(` <queryPrinterStatus operator="`+d.cfg.Operator+`" statusType="0" />`+"\n"))
	if err != nil {
		return fiscalprinter.Status{}, err
	}
	raw, ok := r.Info["fpStatus"]
	if !ok {
		raw, ok = r.Info["printerStatus"]
	}
	if !ok {
		return fiscalprinter.Status{}, &fiscalprinter.Error{Op: "status", Retry: true, Err: errors.New("the answer has no fpStatus")}
	}
	st, err := DecodeFpStatus(raw)
	if err != nil {
		return st, &fiscalprinter.Error{Op: "status", Retry: true, Err: err}
	}
	return st, nil
}

// DecodeFpStatus decodes the 5-character fpStatus / printerStatus: 1 printer (0 ok, 2 paper
// low, 3 offline = paper end or cover open), 2 electronic journal (0 ok, 1 low, 2 to format,
// 3 previous, 4 from another device, 5 full), 3 drawer, 4 document (1 closed, others open),
// 5 mode (0 registration, 1 X, 2 Z, 3 set).
func DecodeFpStatus(raw string) (fiscalprinter.Status, error) {
	st := fiscalprinter.Status{Raw: raw}
	if len(raw) != 5 {
		return st, fmt.Errorf("fpStatus %q is not 5 characters", raw)
	}
	switch raw[0] {
	case '0':
		st.Printer = "ok"
	case '2':
		st.Printer = "paper_low"
	case '3':
		st.Printer = "offline"
	default:
		return st, fmt.Errorf("fpStatus %q: printer state %q unknown", raw, raw[0])
	}
	switch raw[1] {
	case '0':
		st.Journal = "ok"
	case '1':
		st.Journal = "journal_low"
	case '2':
		st.Journal = "journal_unformatted"
	case '3', '4':
		st.Journal = "journal_foreign"
	case '5':
		st.Journal = "journal_full"
	default:
		return st, fmt.Errorf("fpStatus %q: journal state %q unknown", raw, raw[1])
	}
	st.DocumentOpen = raw[3] != '1'
	return st, nil
}

// XReport prints a reading (printXReport).
func (d *Driver) XReport(ctx context.Context) error {
	_, err := d.do(ctx, "X report", renderCommand("printerFiscalReport", ` <printXReport operator="`+d.cfg.Operator+`" />`+"\n"))
	return err
}

// ZReport makes the daily closure (printZReport) and returns the Z number the printer reports
// in zRepNumber: the number of the closure just made, which the day's documents carry. An
// answer without it is an ambiguous error: the closure may have been made.
func (d *Driver) ZReport(ctx context.Context) (int, error) {
	r, err := d.do(ctx, "Z report", renderCommand("printerFiscalReport", ` <printZReport operator="`+d.cfg.Operator+`" />`+"\n"))
	if err != nil {
		return 0, err
	}
	z, err := infoInt(r, "zRepNumber")
	if err != nil {
		return 0, &fiscalprinter.Error{Op: "Z report", Ambiguous: true, Err: err}
	}
	return z, nil
}

var _ fiscalprinter.DrawerOpener = (*Driver)(nil)

// OpenDrawer kicks the cash drawer on the RT's drawer port: a printerCommand with openDrawer (as
// OCA's fiscal_epos_print printOpenCashDrawer sends it). It registers nothing.
func (d *Driver) OpenDrawer(ctx context.Context) error {
	_, err := d.do(ctx, "open drawer", d.command(` <openDrawer operator="`+d.cfg.Operator+`" />`+"\n"))
	return err
}

// Reset clears a document left open (resetPrinter).
func (d *Driver) Reset(ctx context.Context) error {
	_, err := d.do(ctx, "reset", d.command(` <resetPrinter operator="`+d.cfg.Operator+`" />`+"\n"))
	return err
}
