package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/devices/fiscalprinter/fpmateemu"
	"github.com/storeagent/storeagent/pos"
)

func rtConfig(data, addr, rtURL, departments string) string {
	return fmt.Sprintf(`store_id: it-mi-001
data_dir: %s
http: {listen: %q}
log: {level: warn}
mqtt: {broker: "tcp://127.0.0.1:9"}
terminals:
  - {id: lane1, token: %s}
fiscal:
  country: IT
  printer: {driver: epson-fpmate, url: %q, timeout: 1s, departments: {%s}, payments: {cash: [0, 0], card: [2, 1]}}
`, data, addr, crashToken, rtURL, departments)
}

func apiCall(t *testing.T, addr, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+addr+path, rd)
	req.Header.Set("Authorization", "Bearer "+crashToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func waitRTFiscal(t *testing.T, addr, id, want string) pos.FiscalRef {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		f, err := getRTFiscal(client, addr, id)
		if err == nil && f.Status == want {
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("sale %s fiscal %+v (%v), want %s", id, f, err, want)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func getRTFiscal(client *http.Client, addr, id string) (pos.FiscalRef, error) {
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/sales/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+crashToken)
	resp, err := client.Do(req)
	if err != nil {
		return pos.FiscalRef{}, err
	}
	defer resp.Body.Close()
	var s pos.Sale
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || s.Fiscal == nil {
		return pos.FiscalRef{}, fmt.Errorf("GET sale %s: %d %v", id, resp.StatusCode, err)
	}
	return *s.Fiscal, nil
}

// TestFiscalRetryCLI runs the built agent as an Italian store whose RT is the fpmate emulator.
// Its config maps no department for 22 %, so a sale fails (visibly, with the reason); the staff
// fixes the mapping, restarts the agent and runs `storeagent fiscal retry SALE_ID` next to it: the
// sale registers, once. Then the day's close sends the Z, which the RT makes while the agent is
// killed with SIGKILL mid-request: after the restart the Z is adopted (rt_z_no), not sent again.
func TestFiscalRetryCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	emu := fpmateemu.New("")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rtURL, _, err := emu.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(t)
	cfg := writeConfig(t, dir, rtConfig(data, addr, rtURL, "1000: 2"))
	seed(t, data)
	c := startAgent(t, bin, cfg, addr)
	defer func() {
		c.cmd.Process.Kill()
		c.cmd.Wait()
	}()
	sid := uuid.Must(uuid.NewV7()).String()
	if code, body := apiCall(t, addr, "POST", "/api/v1/till/open", map[string]any{"session_id": sid, "cashier": "anna", "float_minor": 0}); code != 201 {
		t.Fatalf("open: %d %s", code, body)
	}
	id := uuid.Must(uuid.NewV7()).String()
	if code, body := apiCall(t, addr, "POST", "/api/v1/sales", map[string]any{"sale_id": id, "terminal": "lane1", "cashier": "anna",
		"lines": []map[string]any{{"code": "SKU-0", "qty": 3}}, "payments": []map[string]any{{"method": "card", "amount_minor": 300}}}); code != 201 {
		t.Fatalf("sale: %d %s", code, body)
	}
	f := waitRTFiscal(t, addr, id, "failed")
	if !strings.Contains(f.Error, "2200") && !strings.Contains(strings.ToLower(f.Error), "department") {
		t.Errorf("failed fiscal %+v: want the missing department named", f)
	}

	// Nothing to retry while it is not failed; a malformed id is refused.
	if code, _, stderr := runBin(t, bin, "fiscal", "retry", "-config", cfg, "nope"); code == 0 || stderr == "" {
		t.Errorf("retry of a malformed id: exit %d %q, want an error", code, stderr)
	}

	c.cmd.Process.Signal(syscall.SIGTERM)
	c.cmd.Wait()
	writeConfig(t, dir, rtConfig(data, addr, rtURL, "2200: 1, 1000: 2"))
	c = startAgent(t, bin, cfg, addr)
	code, out, stderr := runBin(t, bin, "fiscal", "retry", "-config", cfg, id)
	if code != 0 || !strings.Contains(out, "re-queued: sale "+id) {
		t.Fatalf("fiscal retry: exit %d\n%s%s", code, out, stderr)
	}
	f = waitRTFiscal(t, addr, id, "registered")
	docs := emu.Documents()
	if len(docs) != 1 || docs[0].AmountMinor != 300 || docs[0].DocNo != f.DocNo {
		t.Errorf("RT documents %+v, fiscal %+v: want the one sale", docs, f)
	}
	if code, out, stderr := runBin(t, bin, "fiscal", "retry", "-config", cfg, id); code == 0 || !strings.Contains(stderr, "nothing to retry") {
		t.Errorf("retry of a registered sale: exit %d %s%s, want an error saying nothing to retry", code, out, stderr)
	}
	if code, out, stderr := runBin(t, bin, "fiscal", "retry", "-config", cfg, "-all-failed"); code != 0 || !strings.Contains(out, "no failed RT registration") {
		t.Errorf("retry -all-failed with none failed: exit %d %s%s", code, out, stderr)
	}

	// The Z: the RT makes it, the answer stalls past the 1 s timeout, and the agent dies mid-request.
	emu.Inject(fpmateemu.Fault{Kind: fpmateemu.Stall, On: "printerFiscalReport", Commit: true, Stall: 5 * time.Second})
	if code, body := apiCall(t, addr, "POST", "/api/v1/till/close", map[string]any{"session_id": sid, "cashier": "anna",
		"counted": []map[string]any{{"method": "cash", "amount_minor": 0}}}); code != 201 {
		t.Fatalf("close: %d %s", code, body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for emu.Requests("printerFiscalReport") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the agent never sent the Z")
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.cmd.Process.Signal(syscall.SIGKILL)
	c.cmd.Wait()
	c = startAgent(t, bin, cfg, addr)
	deadline = time.Now().Add(20 * time.Second)
	var z pos.TillReport
	for {
		_, body := apiCall(t, addr, "GET", "/api/v1/till/sessions/"+sid, nil)
		z = pos.TillReport{}
		json.Unmarshal(body, &z)
		if z.RTZNo != nil || z.RTZError != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Z never resolved: %s", body)
		}
		time.Sleep(25 * time.Millisecond)
	}
	if z.RTZNo == nil || *z.RTZNo != 1 || z.RTZError != "" {
		t.Errorf("rt_z_no %v rt_z_error %q, want Z 1 adopted", z.RTZNo, z.RTZError)
	}
	if open, _ := emu.Z(); open != 2 || emu.Requests("printerFiscalReport") != 1 {
		t.Errorf("RT period %d after %d printZReport requests: want exactly one closure", open, emu.Requests("printerFiscalReport"))
	}
}
