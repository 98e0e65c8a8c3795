package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/devices/payterm/caisseapemu"
	"github.com/storeagent/storeagent/pos"
)

// paymentKillReport is what paymentKillRun did and checked.
type paymentKillReport struct {
	Rounds, InFlight, BeforeSend, Unknown, NotSent, Resolved, Sales, Requests int
}

// paymentKillRun runs the built agent with a Caisse-AP terminal (the emulator, over real TCP, that
// takes 2 s to approve) and kills it with SIGKILL while a card payment is in flight, rounds times:
// every other round once the terminal holds the request, the others right after the 202. After
// each restart the payment must be unknown when the terminal saw it (declined not_sent only when
// it did not), the terminal must never see it again, and resolving it from the "slip" must let
// exactly one sale use it.
func paymentKillRun(t *testing.T, rounds int, budget time.Duration) paymentKillReport {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	emu, err := caisseapemu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	emu.Set(caisseapemu.Behaviour{Mode: caisseapemu.Success, Delay: 2 * time.Second})
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(t)
	cfg := writeConfig(t, dir, fmt.Sprintf("store_id: fr-par-001\ndata_dir: %s\nhttp: {listen: %q}\nlog: {level: warn}\n"+
		"mqtt: {broker: \"tcp://127.0.0.1:9\"}\nterminals:\n  - {id: lane1, token: %s, payment_terminal: lane1-ept}\n"+
		"devices:\n  - {name: lane1-ept, type: payment, transport: tcp, path: %q, profile: caisse-ap}\n"+
		"payments: {answer_timeout: 5s}\n", data, addr, crashToken, emu.Addr()))
	seed(t, data)
	client := &http.Client{Timeout: 5 * time.Second}
	var rep paymentKillReport
	start := time.Now()
	c := startAgent(t, bin, cfg, addr)
	defer func() { c.cmd.Process.Kill(); c.cmd.Wait() }()
	seen := func(amount int64) int {
		n := 0
		for _, r := range emu.Requests() {
			if r.Fields["CB"] == strconv.FormatInt(amount, 10) {
				n++
			}
		}
		return n
	}
	for round := 0; round < rounds && (budget == 0 || time.Since(start) < budget); round++ {
		rep.Rounds++
		amount := int64(100 * (round + 1)) // one SKU-0 per round's qty: a distinct amount per payment
		id := uuid.Must(uuid.NewV7()).String()
		code, b, err := postJSON(client, addr, "/api/v1/payments", pos.PaymentRequest{PaymentID: id, AmountMinor: amount, Method: "card", Kind: "payment"})
		if err != nil || code != http.StatusAccepted {
			t.Fatalf("round %d: POST payment: %d %s %v", round, code, b, err)
		}
		if round%2 == 0 {
			for deadline := time.Now().Add(5 * time.Second); seen(amount) == 0; time.Sleep(2 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("round %d: the terminal never got the request\n%s", round, c.logs)
				}
			}
			time.Sleep(time.Duration(round*137%1500) * time.Millisecond) // somewhere in the terminal's 2 s
			rep.InFlight++
		} else {
			rep.BeforeSend++
		}
		c.cmd.Process.Signal(syscall.SIGKILL)
		c.cmd.Wait()
		c = startAgent(t, bin, cfg, addr)
		v := getPayment(t, client, addr, id)
		switch {
		case v.Status == pos.PaymentUnknown:
			rep.Unknown++
		case v.Status == pos.PaymentDeclined && v.Reason == "not_sent" && seen(amount) == 0:
			rep.NotSent++
		default:
			t.Fatalf("round %d: after the restart the payment is %s/%s with %d requests on the terminal; want unknown (or declined not_sent when none)", round, v.Status, v.Reason, seen(amount))
		}
		if v.Status != pos.PaymentUnknown {
			continue
		}
		time.Sleep(100 * time.Millisecond) // a resend would show by now
		if n := seen(amount); n > 1 {
			t.Fatalf("round %d: the terminal got the payment %d times", round, n)
		}
		code, b, err = postJSON(client, addr, "/api/v1/payments/"+id+"/resolve", pos.ResolveRequest{Status: "approved", AuthCode: "SLIP" + strconv.Itoa(round), Cashier: "crash"})
		if err != nil || code != http.StatusOK {
			t.Fatalf("round %d: resolve: %d %s %v", round, code, b, err)
		}
		rep.Resolved++
		sale := func(saleID string) int {
			body := fmt.Sprintf(`{"sale_id":%q,"terminal":"lane1","cashier":"crash","lines":[{"code":"SKU-0","qty":%d}],"payments":[{"method":"card","amount_minor":%d,"payment_id":%q}]}`,
				saleID, round+1, amount, id)
			code, b, err := postJSON(client, addr, "/api/v1/sales", json.RawMessage(body))
			if err != nil {
				t.Fatalf("round %d: sale: %v", round, err)
			}
			_ = b
			return code
		}
		first := uuid.Must(uuid.NewV7()).String()
		if code := sale(first); code != http.StatusCreated {
			t.Fatalf("round %d: sale with the resolved payment: %d", round, code)
		}
		if code := sale(first); code != http.StatusOK {
			t.Fatalf("round %d: the same sale retried: %d, want 200", round, code)
		}
		if code := sale(uuid.Must(uuid.NewV7()).String()); code != http.StatusUnprocessableEntity {
			t.Fatalf("round %d: another sale with the same payment: %d, want 422", round, code)
		}
		rep.Sales++
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	c.cmd.Wait()
	for round := range rep.Rounds {
		if n := seen(int64(100 * (round + 1))); n > 1 {
			t.Errorf("round %d's payment reached the terminal %d times", round, n)
		}
	}
	rep.Requests = len(emu.Requests())
	d, err := sql.Open("sqlite", filepath.Join(data, "storeagent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var sales, used, twice int
	d.QueryRow(`SELECT count(*) FROM sale_payments WHERE method = 'card'`).Scan(&sales)
	d.QueryRow(`SELECT count(*) FROM payments WHERE used_by IS NOT NULL`).Scan(&used)
	d.QueryRow(`SELECT count(*) FROM (SELECT json_extract(p.value, '$.payment_id') AS pid FROM sales s, json_each(s.body, '$.payments') p
		GROUP BY pid HAVING count(*) > 1)`).Scan(&twice)
	if sales != rep.Sales || used != rep.Sales || twice != 0 {
		t.Errorf("stored: %d card sales, %d used payments, %d payments in two sales; want %d, %d, 0", sales, used, twice, rep.Sales, rep.Sales)
	}
	return rep
}

func getPayment(t *testing.T, client *http.Client, addr, id string) pos.PaymentView {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/payments/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+crashToken)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v pos.PaymentView
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET payment %s: %d %v", id, resp.StatusCode, err)
	}
	return v
}

// TestCrash_PaymentKill is the short form of the payment kill scenario (2 rounds: one killed while
// the terminal holds the request, one right after the 202).
func TestCrash_PaymentKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the agent")
	}
	rep := paymentKillRun(t, 2, 0)
	if rep.InFlight != 1 || rep.Unknown == 0 || rep.Sales != rep.Unknown {
		t.Fatalf("not exercised: %+v", rep)
	}
	t.Logf("%+v", rep)
}
