package fpmateemu

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const saleXML = `<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
<printerFiscalReceipt>
 <beginFiscalReceipt operator="1" />
 <printRecItem operator="1" description="Pane" quantity="0.352" unitPrice="2,49" department="1" justification="1" />
 <printRecItemAdjustment operator="1" adjustmentType="0" description="x" amount="0.10" department="1" />
 <printRecSubtotalAdjustment operator="1" adjustmentType="6" description="r" amount="0.02" justification="2" />
 <printRecTotal operator="1" description="cash" payment="1.00" paymentType="0" index="0" />
 <endFiscalReceipt operator="1" />
</printerFiscalReceipt></s:Body></s:Envelope>`

func post(t *testing.T, url, body string) string {
	t.Helper()
	resp, err := http.Post(url, "text/xml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestTotalOf_recomputes(t *testing.T) {
	rc, err := TotalOf([]byte(saleXML))
	if err != nil {
		t.Fatal(err)
	}
	// 0.352 × 2.49 = 0.87648 → 0.88, − 0.10, + 0.02
	if rc.TotalMinor != 80 || rc.PaidMinor != 100 || rc.Items != 1 {
		t.Errorf("TotalOf = %+v, want total 80 paid 100", rc)
	}
	for name, bad := range map[string]string{
		"no end":        strings.Replace(saleXML, `<endFiscalReceipt operator="1" />`, "", 1),
		"item after":    strings.Replace(saleXML, `<endFiscalReceipt`, `<printRecItem quantity="1" unitPrice="1" department="1" /><endFiscalReceipt`, 1),
		"bad qty":       strings.Replace(saleXML, `0.352`, `0.3521`, 1),
		"subtotal type": strings.Replace(saleXML, `adjustmentType="6"`, `adjustmentType="0"`, 1),
	} {
		if _, err := TotalOf([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestEmulator_concurrent: parallel receipts each get their own number, none lost (run with -race).
func TestEmulator_concurrent(t *testing.T) {
	e := New("")
	ctx, cancel := context.WithCancel(context.Background())
	url, done, err := e.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				if a := post(t, url, saleXML); !strings.Contains(a, `success="true"`) {
					t.Errorf("answer %s", a)
				}
			}
		}()
	}
	wg.Wait()
	docs := e.Documents()
	if len(docs) != 40 {
		t.Fatalf("%d documents, want 40", len(docs))
	}
	for i, d := range docs {
		if d.DocNo != i+1 || d.AmountMinor != 80 {
			t.Fatalf("document %d = %+v", i, d)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Start did not stop")
	}
}

func TestEmulator_boundsAndFaultCount(t *testing.T) {
	e := New("")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, _, err := e.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url, "text/xml", strings.NewReader(strings.Repeat("x", MaxRequest+1)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized request: HTTP %d", resp.StatusCode)
	}
	e.Inject(Fault{Kind: RecEmpty, On: "printerFiscalReceipt", Count: 2})
	for i := 0; i < 3; i++ {
		a := post(t, url, saleXML)
		want := i == 2
		if got := strings.Contains(a, `success="true"`); got != want {
			t.Errorf("request %d: success %v, want %v (%s)", i, got, want, a)
		}
	}
	if a := post(t, url, "<printerCommand><directIO command=\"1387\" data=\"01\"/></printerCommand>"); !strings.Contains(a, "000000080") {
		t.Errorf("1387 answer %s lacks the last amount", a)
	}
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(saleXML))
	f.Add([]byte(`<printerCommand><directIO command="1387" data="01"/></printerCommand>`))
	f.Add([]byte(`<printerFiscalReceipt><printRecMessage messageType="4" message="REFUND 0001 0001 02122026 99MEY012345"/><beginFiscalReceipt/><printRecRefund quantity="1" unitPrice="1.20" department="1"/><printRecTotal payment="1.20" paymentType="0"/><endFiscalReceipt/></printerFiscalReceipt>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e := New("")
		cmd, err := parseRequest(b)
		if err != nil {
			return
		}
		e.mu.Lock()
		a := e.process(cmd, false)
		e.mu.Unlock()
		if !strings.Contains(a, "<response success=") {
			t.Fatalf("answer %q", a)
		}
		_ = fmt.Sprint(e.Documents())
	})
}
