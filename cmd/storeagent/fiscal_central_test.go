package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/pos/fiscal"
)

// TestFiscal_CentralVerifiesChains runs a French store's binary online to a broker and the
// central simulator, sells, and checks that central recomputes every chain it received from
// genesis (gapless, hashes and signatures right) and holds every ticket.
func TestFiscal_CentralVerifiesChains(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	url, _ := syncBroker(t, false)
	sim := startCentral(t, url)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(t)
	cfg := writeConfig(t, dir, fmt.Sprintf("store_id: fr-par-001\ndata_dir: %s\nlocale: fr-FR\nstore: {name: Épicerie, timezone: Europe/Paris}\n"+
		"http: {listen: %q}\nlog: {level: warn}\nmqtt: {broker: %q}\nterminals:\n  - {id: lane1, token: %s}\n"+
		"fiscal: {country: FR, siret: \"12345678900011\"}\n", data, addr, url, crashToken))
	seed(t, data)
	c := startAgent(t, bin, cfg, addr)
	client := &http.Client{Timeout: 5 * time.Second}
	for i := range 20 {
		if code, err := postSale(client, addr, uuid.NewString(), i); err != nil || code != 201 {
			t.Fatalf("sale %d: %d %v", i, code, err)
		}
	}
	waitDrained(t, data, c)
	c.cmd.Process.Signal(syscall.SIGTERM)
	c.cmd.Wait()
	key, err := fiscal.LoadOrCreateKey(filepath.Join(data, fiscal.KeyFileName), false)
	if err != nil {
		t.Fatal(err)
	}
	chk, err := sim.CheckFiscal(context.Background(), "fr-par-001", key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatalf("central's copy does not verify: %v", err)
	}
	if chk.Heads["ticket"] != 20 || chk.Heads["event"] < 1 {
		t.Fatalf("central holds %+v, want 20 tickets and the start event", chk)
	}
}
