package main

import (
	"fmt"
	stdsync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"net/http"
	"path/filepath"
)

// TestGracefulStop_DuringSales sends SIGTERM while four clients post sales: the agent exits 0
// within the bound, every sale answered 201 is stored, and a sale whose answer was lost is
// accepted (201) or found (200) after the restart — never lost, never doubled.
func TestGracefulStop_DuringSales(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(t)
	cfg := writeConfig(t, dir, fmt.Sprintf("store_id: it-mi-001\ndata_dir: %s\nhttp: {listen: %q}\nlog: {level: warn}\nmqtt: {broker: \"tcp://127.0.0.1:9\"}\nterminals:\n  - {id: lane1, token: %s}\n", data, addr, crashToken))
	seed(t, data)
	c := startAgent(t, bin, cfg, addr)
	client := &http.Client{Timeout: 5 * time.Second}
	var mu stdsync.Mutex
	accepted := map[string]int{}
	lost := map[string]int{}
	var wg stdsync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				id := uuid.NewString()
				code, err := postSale(client, addr, id, w*100000+i)
				mu.Lock()
				if err != nil || code == 503 {
					lost[id] = w*100000 + i
					mu.Unlock()
					return
				}
				if code == 201 {
					accepted[id]++
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	c.cmd.Process.Signal(syscall.SIGTERM)
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, c.logs)
	}
	took := time.Since(start)
	wg.Wait()
	if took > 25*time.Second {
		t.Errorf("graceful stop took %v, bound 25 s", took)
	}
	c = startAgent(t, bin, cfg, addr)
	for id, i := range lost {
		code, err := postSale(client, addr, id, i)
		if err != nil || (code != 200 && code != 201) {
			t.Errorf("retry %s after restart: %d %v", id, code, err)
		}
		if code == 201 {
			accepted[id]++
		}
	}
	for id, n := range accepted {
		if n != 1 {
			t.Errorf("sale %s answered 201 %d times", id, n)
		}
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/sales/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+crashToken)
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("accepted sale %s missing after the stop: %v %v", id, resp, err)
		}
		resp.Body.Close()
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	c.cmd.Wait()
	t.Logf("stopped in %v with %d sales accepted; %d in flight retried after restart", took, len(accepted), len(lost))
}
