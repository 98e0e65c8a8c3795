//go:build linux

package main

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/uuid"
)

// TestDiskFull puts the data dir on a 1 MiB tmpfs and sells until the disk is full: the sale that
// does not fit answers 503 storage_full and leaves nothing behind, /healthz says so, and once space
// returns (the tmpfs grows) the same sale id is accepted; every sale answered 201 is stored once and
// the database passes integrity_check. Needs root to mount; says why it skips otherwise.
func TestDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root; pos.TestServer_StorageFull covers the path with an injected limit")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o750)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", data).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); pos.TestServer_StorageFull covers the path", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", data).Run() })
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	cfg := writeConfig(t, dir, fmt.Sprintf("store_id: it-mi-001\ndata_dir: %s\nhttp: {listen: %q}\nlog: {level: error}\nmqtt: {broker: \"tcp://127.0.0.1:9\"}\nterminals:\n  - {id: lane1, token: %s}\n", data, addr, crashToken))
	seed(t, data)
	c := startAgent(t, bin, cfg, addr)
	defer func() {
		c.cmd.Process.Signal(syscall.SIGTERM)
		c.cmd.Wait()
	}()
	client := &http.Client{}
	var accepted []string
	var fullID string
	for i := 0; i < 20000 && fullID == ""; i++ {
		id := uuid.NewString()
		code, err := postSale(client, addr, id, i)
		switch {
		case err != nil:
			t.Fatalf("sale %d: %v", i, err)
		case code == 201:
			accepted = append(accepted, id)
		case code == 503:
			fullID = id
			req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/sales/"+id, nil)
			req.Header.Set("Authorization", "Bearer "+crashToken)
			resp, err := client.Do(req)
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 404 {
					t.Errorf("the refused sale was stored: %d %s", resp.StatusCode, b)
				}
			}
		default:
			t.Fatalf("sale %d: status %d", i, code)
		}
	}
	if fullID == "" {
		t.Fatalf("%d sales fitted in 1 MiB?", len(accepted))
	}
	// The 503 carries storage_full; re-post to read the body.
	body := fmt.Sprintf(`{"sale_id":%q,"terminal":"lane1","cashier":"crash","lines":[{"code":"SKU-0","qty":1}],"payments":[{"method":"card","amount_minor":100}]}`, uuid.NewString())
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/sales", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+crashToken)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := client.Do(req); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || !strings.Contains(string(b), `"storage_full"`) {
			t.Errorf("full disk: %d %s, want 503 storage_full", resp.StatusCode, b)
		}
	}
	if resp, err := client.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != 503 {
			t.Errorf("healthz on a full disk: %d, want 503", resp.StatusCode)
		}
	}
	if out, err := exec.Command("mount", "-o", "remount,size=64m", data).CombinedOutput(); err != nil {
		t.Fatalf("grow tmpfs: %v %s", err, out)
	}
	// The sale that did not fit is accepted now, without restarting the agent.
	code, err := postSale(client, addr, fullID, 0)
	if err != nil || code != 201 {
		t.Fatalf("after space returned: %d %v", code, err)
	}
	accepted = append(accepted, fullID)
	c.cmd.Process.Signal(syscall.SIGTERM)
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("stop: %v", err)
	}
	d, err := sql.Open("sqlite", filepath.Join(data, "storeagent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var check string
	d.QueryRow(`PRAGMA integrity_check`).Scan(&check)
	var n int
	d.QueryRow(`SELECT count(*) FROM sales`).Scan(&n)
	if check != "ok" || n != len(accepted) {
		t.Errorf("after a full disk: integrity %q, %d sales stored, %d accepted", check, n, len(accepted))
	}
	t.Logf("%d sales fitted before the disk filled; the refused one was accepted after space returned", len(accepted)-1)
}
