// Package caisseap is the Caisse-AP over IP driver of the payment-terminal class (devices/payterm):
// the French "protocole Concert" terminals (Ingenico, Verifone …) speak it over raw TCP, default
// port 8888, one request and one answer per connection.
//
// Framing: fields of TAG(2) + LEN(3 decimal digits) + VALUE(1..999), CZ first, no length header
// and no end marker, so the driver reads until the bytes parse into whole fields that hold the
// answer's AE, then drains briefly for the fields a terminal sends in a later TCP segment.
// Sources: akretion/caisse-ap-ip, OCA/l10n-france l10n_fr_pos_caisse_ap_ip (docs/payments.md).
package caisseap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/storeagent/storeagent/devices/payterm"
	"github.com/storeagent/storeagent/scanner"
)

// Defaults of Config.
const (
	DefaultConnectTimeout = 5 * time.Second
	DefaultAnswerTimeout  = 3 * time.Minute
	DefaultDrain          = 300 * time.Millisecond
	// ProtocolVersion is the CZ the driver sends.
	ProtocolVersion = "0300"
	// ConcertID is the CJ the driver sends ("identifiant protocole Concert"); terminals accept
	// the value the reference client sends.
	ConcertID = "012345678901"
)

// Config is one terminal.
type Config struct {
	// Addr is host:port.
	Addr string
	// Register is the POS number sent as CA: 1..99 (two digits on the wire).
	Register int
	// ConnectTimeout bounds the TCP connect (default 5 s).
	ConnectTimeout time.Duration
	// AnswerTimeout bounds the wait for the answer after the request went out (default 3 min: the
	// cardholder types a PIN, the terminal calls the bank). Its end makes the outcome unknown.
	AnswerTimeout time.Duration
	// Drain is how long the driver keeps reading after a whole answer with AE, for the fields a
	// terminal sends in a later segment (default 300 ms); the terminal closing ends it sooner.
	Drain time.Duration
}

// Terminal is a Caisse-AP terminal.
type Terminal struct{ cfg Config }

var _ payterm.Terminal = (*Terminal)(nil)

// New checks cfg and returns its terminal.
func New(cfg Config) (*Terminal, error) {
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, fmt.Errorf("caisse-ap: address %q: %w", cfg.Addr, err)
	}
	if cfg.Register < 1 || cfg.Register > 99 {
		return nil, fmt.Errorf("caisse-ap: register number %d is outside 1..99", cfg.Register)
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.AnswerTimeout <= 0 {
		cfg.AnswerTimeout = DefaultAnswerTimeout
	}
	if cfg.Drain <= 0 {
		cfg.Drain = DefaultDrain
	}
	return &Terminal{cfg: cfg}, nil
}

// BuildRequest is the request message for req from register number register.
func BuildRequest(register int, req payterm.Request) (Message, error) {
	cur, ok := CurrencyNumeric(req.Currency)
	if !ok {
		return nil, fmt.Errorf("caisse-ap: currency %q has no ISO 4217 numeric code here", req.Currency)
	}
	if req.AmountMinor <= 0 || req.AmountMinor > 999_999_999_999 {
		return nil, fmt.Errorf("caisse-ap: amount %d is outside 1..999999999999 minor units", req.AmountMinor)
	}
	cd := "0"
	switch req.Kind {
	case payterm.KindPayment:
	case payterm.KindRefund:
		cd = "1"
	default:
		return nil, fmt.Errorf("caisse-ap: unknown kind %q", req.Kind)
	}
	return Message{
		{"CZ", ProtocolVersion},
		{"CJ", ConcertID},
		{"CA", fmt.Sprintf("%02d", register)},
		{"CE", cur},
		{"BA", "0"}, // answer at the end of the transaction
		{"CD", cd},
		{"CB", fmt.Sprintf("%02d", req.AmountMinor)},
	}, nil
}

// Transact implements payterm.Terminal: one connection, one request, one answer.
func (t *Terminal) Transact(ctx context.Context, req payterm.Request) payterm.Result {
	m, err := BuildRequest(t.cfg.Register, req)
	if err != nil {
		return payterm.Result{Status: payterm.StatusDeclined, Reason: "bad_request", Detail: err.Error()}
	}
	wire, err := Encode(m)
	if err != nil {
		return payterm.Result{Status: payterm.StatusDeclined, Reason: "bad_request", Detail: err.Error()}
	}
	d := net.Dialer{Timeout: t.cfg.ConnectTimeout}
	c, err := d.DialContext(ctx, "tcp", t.cfg.Addr)
	if err != nil {
		// Nothing went out: the terminal never saw this request.
		return payterm.Result{Status: payterm.StatusDeclined, Reason: payterm.ReasonUnreachable, Detail: err.Error()}
	}
	defer c.Close()
	deadline := time.Now().Add(t.cfg.AnswerTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	if err := c.SetDeadline(deadline); err != nil {
		return unknown("io", err)
	}
	if _, err := c.Write(wire); err != nil {
		// Some bytes may have reached the terminal: from here on only its answer can tell.
		return unknown("write_failed", err)
	}
	answer, err := t.readAnswer(c, deadline)
	if err != nil {
		return unknown(readReason(err), err)
	}
	return Interpret(m, answer)
}

func unknown(reason string, err error) payterm.Result {
	return payterm.Result{Status: payterm.StatusUnknown, Reason: reason, Detail: err.Error()}
}

// errNoAnswer is a read that ended (timeout or close) before a whole answer came.
var errNoAnswer = errors.New("caisse-ap: no whole answer")

func readReason(err error) string {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, errTooLong), errors.Is(err, errGarbage):
		return "garbage"
	}
	return "link_broken"
}

var (
	errTooLong = fmt.Errorf("caisse-ap: answer longer than %d bytes", MaxAnswer)
	errGarbage = errors.New("caisse-ap: answer is not Caisse-AP")
)

// readAnswer reads until the bytes parse into whole fields holding AE, then drains for trailing
// fields until the terminal closes, Drain passes without a byte, or the buffer would stop parsing.
func (t *Terminal) readAnswer(c net.Conn, deadline time.Time) (Message, error) {
	buf := make([]byte, 0, 512)
	chunk := make([]byte, 1024)
	var whole Message // the last whole parse that holds AE
	for {
		if whole != nil {
			dl := time.Now().Add(t.cfg.Drain)
			if deadline.Before(dl) {
				dl = deadline
			}
			c.SetReadDeadline(dl)
		}
		n, err := c.Read(chunk)
		if len(buf)+n > MaxAnswer {
			return nil, errTooLong
		}
		buf = append(buf, chunk[:n]...)
		if n > 0 {
			m, perr := Decode(buf)
			switch {
			case perr == nil:
				if _, ok := m.Get("AE"); ok {
					whole = m
				}
			case errors.Is(perr, ErrIncomplete):
				// a field is still coming (a split segment)
			default:
				if whole != nil {
					return whole, nil // trailing bytes after a whole answer are ignored
				}
				return nil, fmt.Errorf("%w: %v", errGarbage, perr)
			}
		}
		if err != nil {
			if whole != nil {
				return whole, nil // the terminal closed, or the drain passed, after a whole answer
			}
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: connection closed after %d bytes", errNoAnswer, len(buf))
			}
			return nil, fmt.Errorf("%w: %w", errNoAnswer, err)
		}
	}
}

// Interpret maps an answer to the request sent to its outcome.
func Interpret(sent, answer Message) payterm.Result {
	ae, _ := answer.Get("AE")
	af, _ := answer.Get("AF")
	switch ae {
	case "10":
		if r, ok := checkEcho(sent, answer); !ok {
			return r
		}
		return approved(answer)
	case "01":
		if cb, ok := answer.Get("CB"); !ok || cb == "" {
			return payterm.Result{Status: payterm.StatusCancelled, Reason: "cancelled_on_terminal", Detail: "AE01 with an empty CB (red button)"}
		}
		return notDone(af)
	}
	return payterm.Result{Status: payterm.StatusUnknown, Reason: "bad_answer", Detail: fmt.Sprintf("AE=%q", bounded(ae))}
}

// checkEcho checks that an approval is for the request sent: CB (the amount, compared without
// leading zeros), CE and CD when echoed. A mismatch is unknown, never approved nor declined.
func checkEcho(sent, answer Message) (payterm.Result, bool) {
	for _, tag := range []string{"CB", "CE", "CD"} {
		want, _ := sent.Get(tag)
		got, ok := answer.Get(tag)
		if !ok {
			if tag == "CB" {
				return payterm.Result{Status: payterm.StatusUnknown, Reason: "wrong_echo", Detail: "approval without CB"}, false
			}
			continue
		}
		if strings.TrimLeft(got, "0") != strings.TrimLeft(want, "0") {
			return payterm.Result{Status: payterm.StatusUnknown, Reason: "wrong_echo",
				Detail: fmt.Sprintf("%s sent %q, answered %q", tag, want, bounded(got))}, false
		}
	}
	return payterm.Result{}, true
}

// afReasons names the AF failure details (akretion caisse_ap_ip_server.py; OCA CAP).
var afReasons = map[string]string{
	"00": "unknown_failure", "02": "call_issuer", "03": "forced", "04": "refused", "05": "forbidden",
	"07": "not_completed", "08": "input_timeout", "09": "format_error", "10": "selection_error",
	"12": "unknown_action", "13": "currency_not_supported",
}

func notDone(af string) payterm.Result {
	switch af {
	case "06", "11": // abandon, operator abandon
		return payterm.Result{Status: payterm.StatusCancelled, Reason: "abandoned", Detail: "AF" + af}
	}
	reason, ok := afReasons[af]
	if !ok {
		reason = "declined"
	}
	return payterm.Result{Status: payterm.StatusDeclined, Reason: reason, Detail: "AF" + bounded(af)}
}

func approved(a Message) payterm.Result {
	r := payterm.Result{Status: payterm.StatusApproved}
	r.AuthCode, _ = a.Get("AC")
	r.AuthCode = bounded(r.AuthCode)
	aa, _ := a.Get("AA")
	r.CardMasked = MaskPAN(aa)
	cc, _ := a.Get("CC")
	r.Scheme = schemes[cc]
	ci, _ := a.Get("CI")
	r.EntryMode = entryModes[ci]
	return r
}

// schemes names the CC application codes.
var schemes = map[string]string{"001": "CB", "00B": "CB", "002": "AMEX", "00D": "AMEX", "00C": "CHEQUE"}

// entryModes names the CI read modes.
var entryModes = map[string]string{"1": "chip", "2": "contactless", "3": "swipe", "4": "manual"}

// MaskPAN bounds a masked card number to 24 characters and hides every digit but the first six
// and the last four, whatever the terminal sent, so a full PAN is never stored.
func MaskPAN(s string) string {
	s = bounded(s)
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	out := []byte(s)
	k := 0
	for i := range out {
		if out[i] >= '0' && out[i] <= '9' {
			if k >= 6 && k < n-4 {
				out[i] = '*'
			}
			k++
		} else if out[i] == '#' || out[i] == 'X' || out[i] == 'x' {
			out[i] = '*'
		}
	}
	return string(out)
}

// bounded keeps at most 24 printable ASCII characters of a terminal's text.
func bounded(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 24; i++ {
		if c := s[i]; c >= 0x20 && c <= 0x7e {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// CurrencyNumeric returns the three-digit ISO 4217 numeric code of an alphabetic one.
// The table is ISO 4217 List One (scanner.LookupCurrency), not a list of the usual few.
func CurrencyNumeric(alpha string) (string, bool) {
	c, ok := scanner.LookupCurrency(alpha)
	if !ok || c.Exponent < 0 {
		return "", false
	}
	return c.Numeric, true
}

// RegisterFromID derives a CA register number from a terminal id: its trailing digits (lane1 →
// 1, lane12 → 12), else fallback. The result is 1..99.
func RegisterFromID(id string, fallback int) int {
	i := len(id)
	for i > 0 && id[i-1] >= '0' && id[i-1] <= '9' {
		i--
	}
	if n, err := strconv.Atoi(id[i:]); err == nil && n >= 1 && n <= 99 {
		return n
	}
	if fallback < 1 || fallback > 99 {
		return 1
	}
	return fallback
}
