package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// demoCardSale pays a demo sale by card through the demo's card terminal: the payment is approved
// by the emulator and the sale names it.
func demoCardSale(t *testing.T, base, token string) {
	t.Helper()
	do := func(method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v
	}
	pid := uuid.NewString()
	if code, v := do("POST", "/api/v1/payments", fmt.Sprintf(`{"payment_id":%q,"amount_minor":299,"method":"card","kind":"payment"}`, pid)); code != http.StatusAccepted {
		t.Fatalf("demo card payment: %d %v", code, v)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, v := do("GET", "/api/v1/payments/"+pid, "")
		if v["status"] == "approved" {
			break
		}
		if v["status"] != "pending" || time.Now().After(deadline) {
			t.Fatalf("demo card payment: %v, want approved by the demo terminal", v)
		}
	}
	body := fmt.Sprintf(`{"sale_id":%q,"terminal":"lane1","cashier":"demo","lines":[{"code":"IT-PARMIGIANO","weight_g":100}],"payments":[{"method":"card","amount_minor":%d,"payment_id":%q}]}`,
		uuid.NewString(), 299, pid)
	if code, v := do("POST", "/api/v1/sales", body); code != http.StatusCreated {
		t.Fatalf("demo card sale: %d %v", code, v)
	}
}
