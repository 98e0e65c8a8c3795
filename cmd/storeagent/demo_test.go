package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestDemo runs `storeagent demo` as a newcomer would and uses what it prints: the product API
// answers, a sale with the printed token completes, the virtual scanner's form takes a scan, and
// Ctrl+C (SIGINT) stops it cleanly.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	// No -data: the demo makes its own temporary dir, which must be gone after Ctrl+C.
	tmp := t.TempDir()
	cmd := exec.Command(bin, "demo")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	out, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	printed := map[string]string{}
	sc := bufio.NewScanner(out)
	deadline := time.After(20 * time.Second)
	lines := make(chan string)
	go func() {
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for printed["Data dir"] == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("demo exited early: %s", stderr.String())
			}
			if k, v, ok := strings.Cut(strings.TrimSpace(l), ":"); ok {
				printed[k] = strings.TrimSpace(v)
			}
		case <-deadline:
			t.Fatalf("demo printed no URLs: %v %s", printed, stderr.String())
		}
	}
	restOut := make(chan string, 1)
	go func() {
		var rest strings.Builder
		for l := range lines {
			rest.WriteString(l + "\n")
		}
		restOut <- rest.String()
	}()
	token := strings.Fields(printed["POS token"])[0]
	base := strings.TrimSuffix(printed["POS URL"], "/pos")
	resp, err := http.Get(printed["Product API"])
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("product API %s: %v %v", printed["Product API"], resp, err)
	}
	resp.Body.Close()
	saleID := uuid.NewString()
	body := fmt.Sprintf(`{"sale_id":%q,"terminal":"lane1","cashier":"demo","lines":[{"code":"IT-PARMIGIANO","weight_g":350}],"payments":[{"method":"cash","amount_minor":5000}],"print":"lane1-printer"}`, saleID)
	req, _ := http.NewRequest("POST", base+"/api/v1/sales", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("demo sale: %v %v", resp, err)
	}
	resp.Body.Close()
	demoCardSale(t, base, token)
	// The sale reaches the demo's central, which acks it: the outbox empties.
	waitUntil := time.Now().Add(15 * time.Second)
	for {
		req, _ := http.NewRequest("GET", base+"/api/v1/status", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var st struct {
			Online bool `json:"online"`
			Outbox struct {
				Pending int `json:"pending"`
			} `json:"outbox"`
		}
		json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if st.Online && st.Outbox.Pending == 0 {
			break
		}
		if time.Now().After(waitUntil) {
			t.Fatalf("the demo sale never reached central: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The receipt comes out of the virtual printer as a PNG listed on /demo/receipts.
	for deadline := time.Now().Add(15 * time.Second); ; {
		resp, err := http.Get(base + "/demo/receipts")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(page), ".png") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no printed receipt on /demo/receipts: %s", page)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The Italian demo store registers the sale on its RT (the fpmate emulator).
	if printed["RT"] == "" {
		t.Errorf("the Italian demo names no RT: %v", printed)
	}
	for deadline := time.Now().Add(15 * time.Second); ; {
		req, _ := http.NewRequest("GET", base+"/api/v1/sales/"+saleID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Fiscal struct {
				Status string `json:"status"`
				DocNo  int    `json:"doc_no"`
			} `json:"fiscal"`
		}
		json.NewDecoder(resp.Body).Decode(&s)
		resp.Body.Close()
		if s.Fiscal.Status == "registered" && s.Fiscal.DocNo == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo sale was not registered on the RT: %+v", s.Fiscal)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if printed["Virtual scanner"] != "" {
		resp, err = http.PostForm(base+"/demo/scan", map[string][]string{"code": {"8005510000030"}})
		if err != nil || resp.StatusCode != 200 { // 303 to /demo, followed
			t.Fatalf("demo scan form: %v %v", resp, err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(page), "Caffè espresso macinato") {
			t.Errorf("/demo scan list shows no product names: %s", page)
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo exit after Ctrl+C: %v\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("demo did not stop within 15 s of SIGINT")
	}
	if rest := <-restOut; !strings.Contains(rest, "removed the temporary data dir") {
		t.Errorf("stop printed %q; want a line saying the temporary dir was removed", rest)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "storeagent-demo-*")); len(left) > 0 {
		t.Errorf("the demo left %v in the temp dir", left)
	}
}
