// Package caisseapemu is a Caisse-AP over IP payment terminal emulator for tests and the demo. It
// is written from the protocol description (docs/payments.md; akretion/caisse-ap-ip's simulator,
// OCA/l10n-france's tests), not from the agent's driver, so the two can disagree when one of them
// is wrong. It listens on real TCP, answers each request the way its Behaviour says (including the
// faults a real terminal or network shows) and records every request it received.
package caisseapemu

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// Mode is how the emulator answers.
type Mode string

// The modes.
const (
	Success         Mode = "success"          // AE10 with the card tags
	Refused         Mode = "refused"          // AE01 AF04
	Abandon         Mode = "abandon"          // AE01 AF06 (cardholder abandon)
	OperatorAbandon Mode = "operator_abandon" // AE01 AF11
	InputTimeout    Mode = "input_timeout"    // AE01 AF08
	Silent          Mode = "silent"           // reads the request, never answers, keeps the connection
	Late            Mode = "late"             // approves after Behaviour.Delay (set it past the POS's timeout)
	WrongEcho       Mode = "wrong_echo"       // AE10 but CB is one cent more than asked
	WrongCurrency   Mode = "wrong_currency"   // AE10 but CE is 840
	Garbage         Mode = "garbage"          // bytes that are not TLV fields
	HangUp          Mode = "hang_up"          // closes the connection after half an answer
	RedButton       Mode = "red_button"       // AE01 with an empty CB (cancelled on the terminal)
	Refuse          Mode = "refuse"           // connection refused: the listener is closed
)

// Behaviour is what the emulator does with the next requests.
type Behaviour struct {
	Mode Mode
	// CC, CI, AC and AA are the success answer's application, read mode, authorisation number
	// and masked card (defaults: 001 CB contact, 1 chip, 123456, 497010######1234).
	CC, CI, AC, AA string
	// Delay is how long the terminal "works" before it answers (the cardholder typing the PIN).
	Delay time.Duration
	// Split, when set, writes the answer in pieces cut at these byte offsets, with SplitPause
	// between them (default 30 ms): offsets inside a field emulate a terminal's TCP segments.
	Split      []int
	SplitPause time.Duration
	// KeepOpen keeps the connection open after the answer (the client must not wait for a close).
	KeepOpen bool
	// Currency is the ISO 4217 numeric code it accepts (default 978); others get AF13.
	Currency string
}

// Request is one request the emulator received.
type Request struct {
	Raw    string
	Fields map[string]string
	At     time.Time
	// Answered says whether an answer was written (false for silent, refused writes, hang-ups).
	Answered bool
}

// Emulator is a running terminal.
type Emulator struct {
	addr  string
	mu    sync.Mutex
	ln    net.Listener
	b     Behaviour
	reqs  []Request
	wg    sync.WaitGroup
	stop  chan struct{}
	conns map[net.Conn]bool
}

// Start listens on addr ("127.0.0.1:0" for any port) and answers with Success.
func Start(addr string) (*Emulator, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	e := &Emulator{addr: ln.Addr().String(), ln: ln, b: Behaviour{Mode: Success}, stop: make(chan struct{}), conns: map[net.Conn]bool{}}
	e.wg.Add(1)
	go e.accept(ln)
	return e, nil
}

// Addr is host:port of the terminal.
func (e *Emulator) Addr() string { return e.addr }

// Set changes the behaviour for the next connections. Refuse closes the listener (connections are
// refused); any other mode after Refuse listens again on the same address.
func (e *Emulator) Set(b Behaviour) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.b = b
	switch {
	case b.Mode == Refuse && e.ln != nil:
		err := e.ln.Close()
		e.ln = nil
		return err
	case b.Mode != Refuse && e.ln == nil:
		ln, err := net.Listen("tcp", e.addr)
		if err != nil {
			return fmt.Errorf("listen again on %s: %w", e.addr, err)
		}
		e.ln = ln
		e.wg.Add(1)
		go e.accept(ln)
	}
	return nil
}

// Requests returns the requests received so far.
func (e *Emulator) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Request(nil), e.reqs...)
}

// Close stops listening, drops open connections and waits for the handlers.
func (e *Emulator) Close() error {
	e.mu.Lock()
	select {
	case <-e.stop:
	default:
		close(e.stop)
	}
	if e.ln != nil {
		e.ln.Close()
		e.ln = nil
	}
	for c := range e.conns {
		c.Close()
	}
	e.mu.Unlock()
	e.wg.Wait()
	return nil
}

func (e *Emulator) accept(ln net.Listener) {
	defer e.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		e.mu.Lock()
		e.conns[c] = true
		b := e.b
		e.mu.Unlock()
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			e.serve(c, b)
			e.mu.Lock()
			delete(e.conns, c)
			e.mu.Unlock()
			c.Close()
		}()
	}
}

// mandatory are the request tags without which the terminal answers AF09.
var mandatory = []string{"CZ", "CJ", "CA", "CB", "CD", "CE"}

func (e *Emulator) serve(c net.Conn, b Behaviour) {
	raw, fields, ok := readRequest(c)
	if raw == "" {
		return
	}
	e.mu.Lock()
	idx := len(e.reqs)
	e.reqs = append(e.reqs, Request{Raw: raw, Fields: fields, At: time.Now()})
	e.mu.Unlock()
	answer := e.answer(b, fields, ok)
	if b.Mode == Silent {
		e.hold(c)
		return
	}
	if b.Delay > 0 {
		select {
		case <-time.After(b.Delay):
		case <-e.stop:
			return
		}
	}
	if err := e.write(c, b, answer); err != nil {
		return
	}
	e.mu.Lock()
	e.reqs[idx].Answered = true
	e.mu.Unlock()
	if b.KeepOpen {
		e.hold(c)
	}
}

// hold keeps a connection open until the client closes it or the emulator stops.
func (e *Emulator) hold(c net.Conn) {
	done := make(chan struct{})
	go func() {
		buf := make([]byte, 64)
		for {
			c.SetReadDeadline(time.Now().Add(time.Hour))
			if _, err := c.Read(buf); err != nil {
				close(done)
				return
			}
		}
	}()
	select {
	case <-done:
	case <-e.stop:
	}
}

func (e *Emulator) write(c net.Conn, b Behaviour, answer []byte) error {
	c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if b.Mode == HangUp {
		_, err := c.Write(answer[:len(answer)/2])
		if err == nil {
			err = errors.New("hung up")
		}
		return err
	}
	if len(b.Split) == 0 {
		_, err := c.Write(answer)
		return err
	}
	pause := b.SplitPause
	if pause <= 0 {
		pause = 30 * time.Millisecond
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	prev := 0
	for _, at := range append(append([]int(nil), b.Split...), len(answer)) {
		if at <= prev || at > len(answer) {
			continue
		}
		if _, err := c.Write(answer[prev:at]); err != nil {
			return err
		}
		prev = at
		if prev < len(answer) {
			time.Sleep(pause)
		}
	}
	return nil
}

// readRequest reads one request: until its bytes are whole fields holding every mandatory tag, a
// bad header, or a second without a byte. ok says whether it is a well-formed request.
func readRequest(c net.Conn) (string, map[string]string, bool) {
	var buf []byte
	chunk := make([]byte, 512)
	for len(buf) < 16<<10 {
		c.SetReadDeadline(time.Now().Add(time.Second))
		n, err := c.Read(chunk)
		buf = append(buf, chunk[:n]...)
		fields, st := parse(buf)
		if st == parsedBad {
			return string(buf), fields, false
		}
		if st == parsedWhole && hasAll(fields) {
			return string(buf), fields, true
		}
		if err != nil {
			return string(buf), fields, false
		}
	}
	return string(buf), nil, false
}

func hasAll(f map[string]string) bool {
	for _, t := range mandatory {
		if _, ok := f[t]; !ok {
			return false
		}
	}
	return true
}

type parseState int

const (
	parsedWhole parseState = iota
	parsedPartial
	parsedBad
)

// parse reads TAG(2) LEN(3) VALUE fields; CZ must come first.
func parse(b []byte) (map[string]string, parseState) {
	f := map[string]string{}
	first := true
	for len(b) > 0 {
		if len(b) < 5 {
			return f, parsedPartial
		}
		tag := string(b[:2])
		n, err := strconv.Atoi(string(b[2:5]))
		if err != nil || n < 0 || (first && tag != "CZ") {
			return f, parsedBad
		}
		if len(b) < 5+n {
			return f, parsedPartial
		}
		f[tag] = string(b[5 : 5+n])
		b = b[5+n:]
		first = false
	}
	return f, parsedWhole
}

type tv struct{ tag, val string }

func encode(fs []tv) []byte {
	var out []byte
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s%03d%s", f.tag, len(f.val), f.val)...)
	}
	return out
}

// answer builds the answer for a request.
func (e *Emulator) answer(b Behaviour, f map[string]string, ok bool) []byte {
	if b.Mode == Garbage {
		return []byte("\x00\xffHELLO?? not a terminal\r\n")
	}
	cb := f["CB"]
	if n, err := strconv.ParseInt(cb, 10, 64); err == nil {
		cb = fmt.Sprintf("%012d", n) // echoed zero-padded, as the later OCA tests expect
	}
	echo := []tv{{"CZ", or(f["CZ"], "0300")}, {"CA", f["CA"]}, {"CB", cb}, {"CD", f["CD"]}, {"CE", f["CE"]}}
	echo = nonEmpty(echo)
	fail := func(af string) []byte { return encode(append(echo, tv{"AE", "01"}, tv{"AF", af})) }
	switch {
	case !ok:
		return fail("09")
	case f["CE"] != or(b.Currency, "978"):
		return fail("13")
	case f["CD"] != "0" && f["CD"] != "1":
		return fail("12")
	}
	switch b.Mode {
	case Refused:
		return fail("04")
	case Abandon:
		return fail("06")
	case OperatorAbandon:
		return fail("11")
	case InputTimeout:
		return fail("08")
	case RedButton:
		out := []tv{{"CZ", or(f["CZ"], "0300")}, {"CA", f["CA"]}, {"CD", f["CD"]}, {"CE", f["CE"]}}
		return append(encode(nonEmpty(out)), []byte("CB000AE00201AF00206")...)
	case WrongEcho:
		n, _ := strconv.ParseInt(f["CB"], 10, 64)
		echo[2].val = fmt.Sprintf("%012d", n+1)
	case WrongCurrency:
		for i := range echo {
			if echo[i].tag == "CE" {
				echo[i].val = "840"
			}
		}
	}
	return encode(append(echo, tv{"AE", "10"}, tv{"CC", or(b.CC, "001")}, tv{"CI", or(b.CI, "1")},
		tv{"AC", or(b.AC, "123456")}, tv{"AA", or(b.AA, "497010######1234")}, tv{"AI", "A0000000421010"},
		tv{"AB", "2712"}))
}

func or(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func nonEmpty(fs []tv) []tv {
	out := fs[:0:0]
	for _, f := range fs {
		if f.val != "" {
			out = append(out, f)
		}
	}
	return out
}
