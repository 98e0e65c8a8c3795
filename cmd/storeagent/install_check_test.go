package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/devices"
)

// listenTCP accepts and closes connections on a loopback port until the test ends.
func listenTCP(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln.Addr().String()
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// tlsBroker starts a TLS listener with a self-signed certificate for 127.0.0.1 expiring at notAfter
// and returns its address and the certificate as a PEM file (the CA for ca_file).
func tlsBroker(t *testing.T, notAfter time.Time) (addr, caFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "broker.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              notAfter,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				c.(*tls.Conn).Handshake()
				c.Close()
			}()
		}
	}()
	return ln.Addr().String(), caFile
}

func TestCheckBroker(t *testing.T) {
	ctx := context.Background()
	expiry := time.Now().Add(90 * 24 * time.Hour)
	tlsAddr, ca := tlsBroker(t, expiry)
	otherCA := func() string { _, f := tlsBroker(t, expiry); return f }()
	for _, tc := range []struct {
		name    string
		cfg     agent.MQTTConfig
		wantErr string
		want    string
	}{
		{"tcp up", agent.MQTTConfig{Broker: "tcp://" + listenTCP(t)}, "", "reachable (plain TCP"},
		{"tcp down", agent.MQTTConfig{Broker: "tcp://" + closedPort(t)}, "unreachable", ""},
		{"tls down", agent.MQTTConfig{Broker: "ssl://" + closedPort(t)}, "unreachable", ""},
		{"bad scheme", agent.MQTTConfig{Broker: "http://x:1"}, "scheme \"http\"", ""},
		{"tls with ca", agent.MQTTConfig{Broker: "ssl://" + tlsAddr, CAFile: ca}, "", "expires " + expiry.UTC().Format("2006-01-02")},
		{"tls wrong ca", agent.MQTTConfig{Broker: "tls://" + tlsAddr, CAFile: otherCA}, "set mqtt.ca_file", ""},
		{"tls missing ca file", agent.MQTTConfig{Broker: "tls://" + tlsAddr, CAFile: "/nonexistent/ca.pem"}, "mqtt.ca_file", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := checkBroker(ctx, tc.cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !strings.Contains(got, tc.want) {
				t.Errorf("got %q, %v; want containing %q", got, err, tc.want)
			}
		})
	}
	t.Run("expiring soon", func(t *testing.T) {
		addr, ca := tlsBroker(t, time.Now().Add(5*24*time.Hour))
		got, err := checkBroker(ctx, agent.MQTTConfig{Broker: "ssl://" + addr, CAFile: ca})
		if err != nil || !strings.Contains(got, "renew it soon") {
			t.Errorf("got %q, %v; want renew it soon", got, err)
		}
	})
}

func TestCheckDevice(t *testing.T) {
	ctx := context.Background()
	profiles, err := loadCheckProfiles("")
	if err != nil {
		t.Fatal(err)
	}
	node := filepath.Join(t.TempDir(), "ttyACM9") // a plain file stands in for the device node
	os.WriteFile(node, nil, 0o600)
	link := filepath.Join(t.TempDir(), "tty-05e0-1701")
	os.Symlink(node, link)
	for _, tc := range []struct {
		name    string
		dev     agent.Device
		found   []devices.Found
		wantErr string
		want    string
	}{
		{"opens", agent.Device{Name: "s", Type: "scanner", Transport: "serial", Path: node, Profile: "generic-serial-scanner"}, nil, "", "opens, profile generic-serial-scanner"},
		{"missing node", agent.Device{Name: "s", Type: "scanner", Transport: "serial", Path: node + "x", Profile: "zebra-ds2208"}, nil, "does not exist", ""},
		{"unknown scanner profile", agent.Device{Name: "s", Type: "scanner", Transport: "serial", Path: node, Profile: "nope"}, nil, `scanner profile "nope" not found`, ""},
		{"unknown printer profile", agent.Device{Name: "p", Type: "printer", Transport: "serial", Path: node, Profile: "nope"}, nil, `printer profile "nope" not found`, ""},
		{"vid pid matches through symlink", agent.Device{Name: "s", Type: "scanner", Transport: "serial", Path: link, Profile: "zebra-ds2208"},
			[]devices.Found{{Path: node, Kind: devices.KindSerial, VID: "05e0", PID: "1701"}}, "", "matches USB 05e0:1701"},
		{"vid pid mismatch", agent.Device{Name: "p", Type: "printer", Transport: "serial", Path: node, Profile: "epson-tm-t20"},
			[]devices.Found{{Path: node, Kind: devices.KindSerial, VID: "05e0", PID: "1701", Product: "Symbol Bar Code Scanner"}}, "does not list", ""},
		{"tcp printer up", agent.Device{Name: "p", Type: "printer", Transport: "tcp", Path: listenTCP(t), Profile: "epson-tm-t88vi"}, nil, "", "reachable, profile epson-tm-t88vi"},
		{"tcp printer down", agent.Device{Name: "p", Type: "printer", Transport: "tcp", Path: closedPort(t), Profile: "epson-tm-t88vi"}, nil, "unreachable", ""},
		{"payment terminal up", agent.Device{Name: "e", Type: "payment", Transport: "tcp", Path: listenTCP(t), Profile: "caisse-ap"}, nil, "", "reachable, profile caisse-ap (nothing sent)"},
		{"payment terminal down", agent.Device{Name: "e", Type: "payment", Transport: "tcp", Path: closedPort(t), Profile: "caisse-ap"}, nil, "is the payment terminal on", ""},
		{"standalone payment terminal", agent.Device{Name: "e", Type: "payment", Profile: "standalone"}, nil, "", "standalone payment terminal: no link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := checkDevice(ctx, tc.dev, profiles, tc.found)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !strings.Contains(got, tc.want) {
				t.Errorf("got %q, %v; want containing %q", got, err, tc.want)
			}
		})
	}
}

func TestMain_CheckDevicesAndBroker(t *testing.T) {
	dir := t.TempDir()
	node := filepath.Join(dir, "ttyUSB9")
	os.WriteFile(node, nil, 0o600)
	cfg := writeConfig(t, dir, minimalConfig(filepath.Join(dir, "data"))+
		"mqtt: {broker: tcp://"+closedPort(t)+"}\n"+
		"devices:\n  - {name: p1, type: printer, transport: serial, path: "+node+", profile: epson-tm-t20}\n"+
		"  - {name: p2, type: printer, transport: serial, path: "+node+"-gone, profile: epson-tm-t20}\n")
	code, out, stderr := runCLI(t, nil, "check", "-config", cfg)
	if code != 1 {
		t.Errorf("code = %d, want 1\n%s%s", code, out, stderr)
	}
	for _, want := range []string{"✓ config", "✓ data_dir", "✓ database", "✗ broker", "✓ device p1", "✗ device p2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestMain_CheckBrokerDown(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, minimalConfig(filepath.Join(dir, "data"))+"mqtt: {broker: tcp://"+closedPort(t)+"}\n")
	t.Run("failure by default", func(t *testing.T) {
		code, out, stderr := runCLI(t, nil, "check", "-config", cfg)
		if code != 1 || !strings.Contains(out, "✗ broker: ") {
			t.Errorf("got %d\n%s%s\nwant 1 and ✗ broker", code, out, stderr)
		}
	})
	t.Run("warning with -offline-ok", func(t *testing.T) {
		code, out, stderr := runCLI(t, nil, "check", "-offline-ok", "-config", cfg)
		if code != 0 || !strings.Contains(out, "! broker: ") || strings.Contains(out, "✗") {
			t.Errorf("got %d\n%s%s\nwant 0 and a ! broker line", code, out, stderr)
		}
	})
	t.Run("bad TLS files fail even with -offline-ok", func(t *testing.T) {
		bad := writeConfig(t, t.TempDir(), minimalConfig(filepath.Join(dir, "data2"))+"mqtt: {broker: ssl://"+closedPort(t)+", ca_file: "+filepath.Join(dir, "cfg.yaml")+"}\n")
		code, out, _ := runCLI(t, nil, "check", "-offline-ok", "-config", bad)
		if code != 1 || !strings.Contains(out, "✗ broker: ") {
			t.Errorf("got %d\n%s\nwant 1 and ✗ broker", code, out)
		}
	})
}
