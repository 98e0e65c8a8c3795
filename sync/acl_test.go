package sync_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/centralsim"
)

// shippedMosquitto reads packaging/mosquitto/storeagent.conf and returns its listener lines with
// the certificate and ACL paths pointed at the test's files (the harness adds the listener and
// per_listener_settings lines itself).
func shippedMosquitto(t *testing.T, paths map[string]string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "packaging", "mosquitto", "storeagent.conf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		key, _, _ := strings.Cut(line, " ")
		switch {
		case line == "" || strings.HasPrefix(line, "#"), key == "listener", key == "per_listener_settings":
			continue
		case paths[key] != "":
			line = key + " " + paths[key]
		case strings.Contains(line, "/etc/"):
			t.Fatalf("storeagent.conf: %q names a path the test does not replace", line)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n") + "\n"
}

// TestMosquittoACL_StoresIsolated (issue 16 item 8) runs a real Mosquitto with the shipped
// packaging/mosquitto config and ACL: store A can neither read store B's topics, nor publish on
// them, nor take over B's client id (and its session); central, on $share subscriptions, still
// gets every store's events exactly once.
func TestMosquittoACL_StoresIsolated(t *testing.T) {
	mosquittoBinary(t)
	dir := t.TempDir()
	ca := newPKI(t, dir, "ca")
	srvCert, srvKey := ca.issue("broker", true)
	acl, err := os.ReadFile(filepath.Join("..", "packaging", "mosquitto", "storeagent.acl"))
	if err != nil {
		t.Fatal(err)
	}
	aclFile := filepath.Join(dir, "storeagent.acl")
	if err := os.WriteFile(aclFile, acl, 0o600); err != nil {
		t.Fatal(err)
	}
	conf := shippedMosquitto(t, map[string]string{"cafile": ca.CA, "certfile": srvCert, "keyfile": srvKey, "acl_file": aclFile})
	m := newMosquitto(t, conf, "")
	url := m.URL("ssl")

	const storeA, storeB = "it-acl-001", "it-acl-002"
	connect := func(cn, clientID string, lost func()) mqtt.Client {
		t.Helper()
		cert, key := ca.issue(cn, false)
		tlsCfg, err := agentsync.TLSConfig(ca.CA, cert, key)
		if err != nil {
			t.Fatal(err)
		}
		o := mqtt.NewClientOptions().AddBroker(url).SetClientID(clientID).SetTLSConfig(tlsCfg).
			SetAutoReconnect(false).SetCleanSession(false).SetConnectTimeout(5 * time.Second)
		if lost != nil {
			o.SetConnectionLostHandler(func(mqtt.Client, error) { lost() })
		}
		c := mqtt.NewClient(o)
		if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("%s connects: %v", cn, tok.Error())
		}
		t.Cleanup(func() { c.Disconnect(100) })
		return c
	}
	type inbox struct {
		mu  gosync.Mutex
		got []string
	}
	collect := func(c mqtt.Client, filter string, in *inbox) {
		t.Helper()
		tok := c.Subscribe(filter, 1, func(_ mqtt.Client, msg mqtt.Message) {
			in.mu.Lock()
			in.got = append(in.got, msg.Topic()+" "+string(msg.Payload()))
			in.mu.Unlock()
		})
		if !tok.WaitTimeout(5 * time.Second) {
			t.Fatalf("subscribe %s: no SUBACK", filter)
		}
	}
	var bLost gosync.WaitGroup
	bLost.Add(1)
	var lostOnce gosync.Once
	b := connect(storeB, "storeagent-"+storeB, func() { lostOnce.Do(bLost.Done) })
	a := connect(storeA, "storeagent-"+storeA, nil)
	central := connect("central", "central-acl-test", nil)

	var aIn, bIn, centralIn inbox
	collect(a, "retail/stores/"+storeB+"/#", &aIn)
	collect(a, "retail/stores/+/customers/reply", &aIn)
	collect(a, "retail/#", &aIn)
	collect(b, "retail/stores/"+storeB+"/#", &bIn)
	collect(central, "retail/stores/+/sales", &centralIn)

	// Central writes to B; A tries to read it and to write on B's topic; A also writes its own.
	publish := func(c mqtt.Client, topic, payload string) {
		t.Helper()
		if tok := c.Publish(topic, 1, false, payload); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("publish %s: %v", topic, tok.Error())
		}
	}
	publish(central, "retail/stores/"+storeB+"/customers/reply", "for-b")
	publish(a, "retail/stores/"+storeB+"/sales", "forged-by-a")
	publish(a, "retail/stores/"+storeA+"/sales", "a-own-sale")

	// A takes B's client id: the broker names A's session after A's certificate instead.
	intruder := connect(storeA, "storeagent-"+storeB, nil)
	_ = intruder
	time.Sleep(700 * time.Millisecond)
	if b.IsConnectionOpen() == false {
		t.Error("store B was disconnected when store A connected with B's client id (session takeover)")
	}
	publish(central, "retail/stores/"+storeB+"/customers/reply", "for-b-again")

	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		bIn.mu.Lock()
		n := len(bIn.got)
		bIn.mu.Unlock()
		if n >= 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	aIn.mu.Lock()
	for _, g := range aIn.got {
		if !strings.HasPrefix(g, "retail/stores/"+storeA+"/") {
			t.Errorf("store A read another store's message: %s", g)
		}
	}
	aIn.mu.Unlock()
	bIn.mu.Lock()
	if want := []string{"retail/stores/" + storeB + "/customers/reply for-b", "retail/stores/" + storeB + "/customers/reply for-b-again"}; fmt.Sprint(bIn.got) != fmt.Sprint(want) {
		t.Errorf("store B got %q, want %q (its own messages, nothing forged)", bIn.got, want)
	}
	bIn.mu.Unlock()
	centralIn.mu.Lock()
	if want := []string{"retail/stores/" + storeA + "/sales a-own-sale"}; fmt.Sprint(centralIn.got) != fmt.Sprint(want) {
		t.Errorf("central got %q, want %q (A's own sale, not the one forged on B's topic)", centralIn.got, want)
	}
	centralIn.mu.Unlock()

	// Central's simulator on $share subscriptions gets a store's outbox through this ACL.
	cert, key := ca.issue("central", false)
	tlsCfg, err := agentsync.TLSConfig(ca.CA, cert, key)
	if err != nil {
		t.Fatal(err)
	}
	sim := startSim(t, url, centralsim.Options{TLS: tlsCfg, ClientID: "central-sim-acl"})
	d := openDB(t)
	const storeC = "it-acl-003"
	queueSales(t, d, storeC, 4)
	cCert, cKey := ca.issue(storeC, false)
	o := testOptions(t, url, storeC)
	o.CAFile, o.CertFile, o.KeyFile = ca.CA, cCert, cKey
	startAgent(t, d, o)
	eventually(t, 15*time.Second, func() (bool, string) {
		n := count(t, d, `SELECT count(*) FROM outbox WHERE acked_at = ''`)
		return n == 0, fmt.Sprintf("%d outbox events unacked", n)
	})
	checkExactlyOnce(t, sim, d, storeC)
}
