package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/sync/db"
)

// TestDiskFull puts the data dir on a 1 MiB tmpfs and runs diskFullRounds once against the built
// binary. Needs Linux and root to mount; says why it skips otherwise (TestDiskFull_Injected covers
// the path with an injected limit).
func TestDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	sales, skip := diskFullTmpfs(t, 1)
	if skip != "" {
		t.Skip(skip)
	}
	t.Logf("%d sales fitted before the disk filled; the refused one was accepted after space returned", sales)
}

// TestDiskFull_Injected runs diskFullRounds once against the agent in the test process, with the
// database's max_page_count standing in for a full disk (SQLite reports SQLITE_FULL for both).
func TestDiskFull_Injected(t *testing.T) {
	t.Logf("%d sales fitted before the limit", diskFullInjected(t, 1))
}

// fullDisk is how a disk-full run takes the agent's space away and gives it back.
type fullDisk struct {
	fill, free func()
	// healthz: /healthz must answer 503 while the disk is full (a real disk: free space is low).
	healthz bool
}

// diskFullRounds fills the disk rounds times and sells until it is full: the sale that does not
// fit answers 503 storage_full and leaves nothing behind (its id is unknown), /healthz says so on
// a real disk, and once space returns the same sale id is accepted without a restart. It returns
// the ids answered 201; the caller stops the agent and calls checkDiskFullDB.
func diskFullRounds(t *testing.T, addr string, rounds int, disk fullDisk) []string {
	t.Helper()
	client := &http.Client{}
	var accepted []string
	for round := range rounds {
		disk.fill()
		fullID := ""
		for i := 0; i < 20000 && fullID == ""; i++ {
			id := uuid.NewString()
			code, err := postSale(client, addr, id, i)
			switch {
			case err != nil:
				t.Fatalf("round %d, sale %d: %v", round, i, err)
			case code == 201:
				accepted = append(accepted, id)
			case code == 503:
				fullID = id
			default:
				t.Fatalf("round %d, sale %d: status %d", round, i, code)
			}
		}
		if fullID == "" {
			t.Fatalf("round %d: %d sales fitted on a full disk?", round, len(accepted))
		}
		if code, body := call(t, client, "GET", addr, "/api/v1/sales/"+fullID, ""); code != 404 {
			t.Errorf("round %d: the refused sale was stored: %d %s", round, code, body)
		}
		sale := fmt.Sprintf(`{"sale_id":%q,"terminal":"lane1","cashier":"crash","lines":[{"code":"SKU-0","qty":1}],"payments":[{"method":"card","amount_minor":100}]}`, uuid.NewString())
		if code, body := call(t, client, "POST", addr, "/api/v1/sales", sale); code != 503 || !strings.Contains(body, `"storage_full"`) {
			t.Errorf("round %d: full disk: %d %s, want 503 storage_full", round, code, body)
		}
		if code, _ := call(t, client, "GET", addr, "/healthz", ""); disk.healthz && code != 503 {
			t.Errorf("round %d: healthz on a full disk: %d, want 503", round, code)
		}
		disk.free()
		if code, err := postSale(client, addr, fullID, 0); err != nil || code != 201 {
			t.Fatalf("round %d: after space returned: %d %v", round, code, err)
		}
		accepted = append(accepted, fullID)
	}
	return accepted
}

// call sends a request with the lane's token and returns the status and body.
func call(t *testing.T, client *http.Client, method, addr, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+crashToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// checkDiskFullDB checks the stopped agent's database: integrity_check ok, the accepted sales
// stored and nothing else.
func checkDiskFullDB(t *testing.T, data string, accepted []string) {
	t.Helper()
	d := openRO(t, data)
	defer d.Close()
	integrityOK(t, d, "after a full disk")
	var n int
	d.QueryRow(`SELECT count(*) FROM sales`).Scan(&n)
	if n != len(accepted) {
		t.Errorf("after a full disk: %d sales stored, %d accepted", n, len(accepted))
	}
}

// diskFullTmpfs mounts a 1 MiB tmpfs on the data dir and runs the built agent on it through
// diskFullRounds; each round after the first shrinks the tmpfs to what is used plus 1 MiB, and
// grows it to 64 MiB when space returns. It returns the sales that fitted, or why it cannot run.
func diskFullTmpfs(t *testing.T, rounds int) (sales int, skip string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return 0, "a tmpfs needs Linux; the injected limit covers the path"
	}
	if os.Geteuid() != 0 {
		return 0, "mounting a small tmpfs needs root; the injected limit covers the path"
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o750)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", data).CombinedOutput(); err != nil {
		return 0, fmt.Sprintf("cannot mount a tmpfs here (%v: %s); the injected limit covers the path", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", data).Run() })
	remount := func(kib int64) {
		t.Helper()
		if out, err := exec.Command("mount", "-o", fmt.Sprintf("remount,size=%dk", kib), data).CombinedOutput(); err != nil {
			t.Fatalf("resize tmpfs to %d KiB: %v %s", kib, err, out)
		}
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	cfg := storeConfig(t, dir, data, addr, "tcp://127.0.0.1:9")
	seed(t, data)
	c := startAgent(t, bin, cfg, addr)
	defer func() {
		c.cmd.Process.Signal(syscall.SIGTERM)
		c.cmd.Wait()
	}()
	first := true
	accepted := diskFullRounds(t, addr, rounds, fullDisk{healthz: true,
		fill: func() {
			if !first {
				remount(usedKiB(t, data) + 1024)
			}
			first = false
		},
		free: func() { remount(64 << 10) },
	})
	c.cmd.Process.Signal(syscall.SIGTERM)
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("stop: %v\n%s", err, c.logs)
	}
	checkDiskFullDB(t, data, accepted)
	return len(accepted) - rounds, ""
}

// usedKiB is the size of the files in dir, rounded up to KiB each.
func usedKiB(t *testing.T, dir string) int64 {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var kib int64
	for _, e := range entries {
		if fi, err := e.Info(); err == nil {
			kib += (fi.Size() + 1023) / 1024
		}
	}
	return kib
}

// diskFullInjected runs the agent in the test process and diskFullRounds against it, each round
// capping the database at its current page count (SQLITE_FULL) and lifting the cap when space
// returns. It returns the sales that fitted.
func diskFullInjected(t *testing.T, rounds int) int {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(t)
	cfg, err := (&Main{Stderr: io.Discard}).loadConfig(storeConfig(t, dir, data, addr, "tcp://127.0.0.1:9"))
	if err != nil {
		t.Fatal(err)
	}
	seed(t, data)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *db.DB, 1)
	done := make(chan error, 1)
	go func() {
		done <- (&Main{Stdout: io.Discard, Stderr: io.Discard}).runAgent(ctx, cfg, false, func(a *agent.Agent) error {
			ready <- a.DB
			return nil
		})
	}()
	var d *db.DB
	select {
	case d = <-ready:
	case err := <-done:
		t.Fatalf("agent: %v", err)
	}
	pragma := func(q string) {
		t.Helper()
		if _, err := d.W.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	accepted := diskFullRounds(t, addr, rounds, fullDisk{
		fill: func() {
			var pages int64
			if err := d.W.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
				t.Fatal(err)
			}
			pragma(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages))
		},
		free: func() { pragma(`PRAGMA max_page_count = 4294967294`) },
	})
	cancel()
	if err := <-done; err != nil {
		t.Errorf("agent: %v", err)
	}
	checkDiskFullDB(t, data, accepted)
	return len(accepted) - rounds
}
