package caisseap_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/payterm"
	"github.com/storeagent/storeagent/devices/payterm/caisseap"
	"github.com/storeagent/storeagent/devices/payterm/caisseapemu"
)

func startEmu(t *testing.T) *caisseapemu.Emulator {
	t.Helper()
	e, err := caisseapemu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func newTerm(t *testing.T, addr string, answer time.Duration) *caisseap.Terminal {
	t.Helper()
	term, err := caisseap.New(caisseap.Config{Addr: addr, Register: 3, AnswerTimeout: answer, Drain: 50 * time.Millisecond, ConnectTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return term
}

var pay = payterm.Request{Kind: payterm.KindPayment, AmountMinor: 11245, Currency: "EUR"}

// TestTerminal_Transact_faults runs one payment against each emulator mode over real TCP and
// checks the outcome a cashier sees, and that the terminal got the request exactly once.
func TestTerminal_Transact_faults(t *testing.T) {
	cases := []struct {
		name       string
		b          caisseapemu.Behaviour
		want       payterm.Status
		reason     string
		requests   int
		answerWait time.Duration
	}{
		{"success", caisseapemu.Behaviour{Mode: caisseapemu.Success, CC: "00B", CI: "2", AC: "A1B2C3", AA: "497010######9876"}, payterm.StatusApproved, "", 1, 0},
		{"refused", caisseapemu.Behaviour{Mode: caisseapemu.Refused}, payterm.StatusDeclined, "refused", 1, 0},
		{"abandon", caisseapemu.Behaviour{Mode: caisseapemu.Abandon}, payterm.StatusCancelled, "abandoned", 1, 0},
		{"operator abandon", caisseapemu.Behaviour{Mode: caisseapemu.OperatorAbandon}, payterm.StatusCancelled, "abandoned", 1, 0},
		{"input timeout", caisseapemu.Behaviour{Mode: caisseapemu.InputTimeout}, payterm.StatusDeclined, "input_timeout", 1, 0},
		{"red button", caisseapemu.Behaviour{Mode: caisseapemu.RedButton}, payterm.StatusCancelled, "cancelled_on_terminal", 1, 0},
		{"silent", caisseapemu.Behaviour{Mode: caisseapemu.Silent}, payterm.StatusUnknown, "timeout", 1, 300 * time.Millisecond},
		{"late answer", caisseapemu.Behaviour{Mode: caisseapemu.Late, Delay: 600 * time.Millisecond}, payterm.StatusUnknown, "timeout", 1, 300 * time.Millisecond},
		{"wrong amount echo", caisseapemu.Behaviour{Mode: caisseapemu.WrongEcho}, payterm.StatusUnknown, "wrong_echo", 1, 0},
		{"wrong currency echo", caisseapemu.Behaviour{Mode: caisseapemu.WrongCurrency}, payterm.StatusUnknown, "wrong_echo", 1, 0},
		{"garbage", caisseapemu.Behaviour{Mode: caisseapemu.Garbage}, payterm.StatusUnknown, "garbage", 1, 0},
		{"hang up mid-answer", caisseapemu.Behaviour{Mode: caisseapemu.HangUp}, payterm.StatusUnknown, "link_broken", 1, 0},
		{"connection refused", caisseapemu.Behaviour{Mode: caisseapemu.Refuse}, payterm.StatusDeclined, payterm.ReasonUnreachable, 0, 0},
		{"split mid-field", caisseapemu.Behaviour{Mode: caisseapemu.Success, Split: []int{3, 7, 40, 58, 61, 75, 80}}, payterm.StatusApproved, "", 1, 0},
		{"split on field boundaries", caisseapemu.Behaviour{Mode: caisseapemu.Success, Split: []int{9, 16, 47, 54}, SplitPause: 30 * time.Millisecond}, payterm.StatusApproved, "", 1, 0},
		{"kept open after answer", caisseapemu.Behaviour{Mode: caisseapemu.Success, KeepOpen: true}, payterm.StatusApproved, "", 1, 2 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := startEmu(t)
			if err := e.Set(tc.b); err != nil {
				t.Fatal(err)
			}
			wait := tc.answerWait
			if wait == 0 {
				wait = 5 * time.Second
			}
			got := newTerm(t, e.Addr(), wait).Transact(context.Background(), pay)
			if got.Status != tc.want || got.Reason != tc.reason {
				t.Fatalf("got %s/%s (%s), want %s/%s", got.Status, got.Reason, got.Detail, tc.want, tc.reason)
			}
			if n := len(e.Requests()); n != tc.requests {
				t.Fatalf("terminal got %d requests, want %d", n, tc.requests)
			}
			if got.Status == payterm.StatusApproved {
				if got.AuthCode == "" || got.CardMasked == "" || got.Scheme != "CB" {
					t.Fatalf("approval without its slip data: %+v", got)
				}
			}
		})
	}
}

// TestTerminal_Transact_request checks the bytes the terminal receives for a payment and a refund.
func TestTerminal_Transact_request(t *testing.T) {
	e := startEmu(t)
	term := newTerm(t, e.Addr(), 5*time.Second)
	got := term.Transact(context.Background(), pay)
	if got.Status != payterm.StatusApproved || got.AuthCode != "123456" || got.CardMasked != "497010******1234" || got.EntryMode != "chip" {
		t.Fatalf("payment: %+v", got)
	}
	if got := term.Transact(context.Background(), payterm.Request{Kind: payterm.KindRefund, AmountMinor: 5, Currency: "EUR"}); got.Status != payterm.StatusApproved {
		t.Fatalf("refund: %+v", got)
	}
	reqs := e.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if want := "CZ0040300CJ012012345678901CA00203CE003978BA0010CD0010CB00511245"; reqs[0].Raw != want {
		t.Errorf("payment request\n got %s\nwant %s", reqs[0].Raw, want)
	}
	if f := reqs[1].Fields; f["CD"] != "1" || f["CB"] != "05" {
		t.Errorf("refund request fields %v: want CD 1 and CB 05 (two digits at least)", f)
	}
}

// TestTerminal_Transact_cancelledContext: the POS giving up after the request went out is unknown,
// never declined.
func TestTerminal_Transact_cancelledContext(t *testing.T) {
	e := startEmu(t)
	e.Set(caisseapemu.Behaviour{Mode: caisseapemu.Silent})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	got := newTerm(t, e.Addr(), time.Minute).Transact(ctx, pay)
	if got.Status != payterm.StatusUnknown {
		t.Fatalf("got %+v, want unknown", got)
	}
}

// TestTerminal_Transact_badCurrency: a currency without a numeric code is declined before any
// connection; nothing was sent.
func TestTerminal_Transact_badCurrency(t *testing.T) {
	e := startEmu(t)
	got := newTerm(t, e.Addr(), time.Second).Transact(context.Background(), payterm.Request{Kind: payterm.KindPayment, AmountMinor: 100, Currency: "ZZZ"})
	if got.Status != payterm.StatusDeclined || got.Reason != "bad_request" || len(e.Requests()) != 0 {
		t.Fatalf("got %+v with %d requests, want declined bad_request and none sent", got, len(e.Requests()))
	}
}

func TestMaskPAN(t *testing.T) {
	for in, want := range map[string]string{
		"497010######1234":    "497010******1234",
		"4970101234561234":    "497010******1234",
		"XXXX XXXX XXXX 1234": "**** **** **** 1234",
		"":                    "",
	} {
		if got := caisseap.MaskPAN(in); got != want {
			t.Errorf("MaskPAN(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRegisterFromID(t *testing.T) {
	for _, tc := range []struct {
		id       string
		fallback int
		want     int
	}{{"lane1", 5, 1}, {"lane12", 5, 12}, {"front", 5, 5}, {"lane0", 2, 2}, {"lane100", 200, 1}} {
		if got := caisseap.RegisterFromID(tc.id, tc.fallback); got != tc.want {
			t.Errorf("RegisterFromID(%q, %d) = %d, want %d", tc.id, tc.fallback, got, tc.want)
		}
	}
}

// TestTerminal_Transact_oversized: a peer that streams valid-looking fields forever is cut at
// MaxAnswer and the outcome is unknown.
func TestTerminal_Transact_oversized(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte("CZ0040300"))
		field := []byte("CF999" + strings.Repeat("x", 999))
		for i := 0; i < 20; i++ {
			if _, err := c.Write(field); err != nil {
				return
			}
		}
	}()
	got := newTerm(t, ln.Addr().String(), 5*time.Second).Transact(context.Background(), pay)
	if got.Status != payterm.StatusUnknown || got.Reason != "garbage" {
		t.Fatalf("got %+v, want unknown/garbage", got)
	}
}
