package sync_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/centralsim"
)

// pki is a throw-away CA that signs server and client certificates into files in dir.
type pki struct {
	t    testing.TB
	dir  string
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	CA   string // PEM file
}

func newPKI(t testing.TB, dir, name string) *pki {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	p := &pki{t: t, dir: dir, cert: cert, key: key, CA: filepath.Join(dir, name+".pem")}
	writePEM(t, p.CA, "CERTIFICATE", der)
	return p
}

func writePEM(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// issue signs a certificate for cn (a server for 127.0.0.1 when server) and returns its cert and
// key files.
func (p *pki) issue(cn string, server bool) (certFile, keyFile string) {
	p.t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		p.t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.cert, &key.PublicKey, p.key)
	if err != nil {
		p.t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		p.t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(p.dir, cn+".crt"), filepath.Join(p.dir, cn+".key")
	writePEM(p.t, certFile, "CERTIFICATE", der)
	writePEM(p.t, keyFile, "EC PRIVATE KEY", kder)
	return certFile, keyFile
}

// TestSyncer_TLS runs against a Mosquitto that requires client certificates, takes the
// certificate's CN as the user name, and lets a store use only <prefix>/stores/<its id>/#.
func TestSyncer_TLS(t *testing.T) {
	mosquittoBinary(t)
	dir := t.TempDir()
	ca := newPKI(t, dir, "ca")
	srvCert, srvKey := ca.issue("broker", true)
	acl := filepath.Join(dir, "acl")
	if err := os.WriteFile(acl, []byte("user central\ntopic readwrite retail/#\n\npattern readwrite retail/stores/%u/#\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := newMosquitto(t, fmt.Sprintf("cafile %s\ncertfile %s\nkeyfile %s\nrequire_certificate true\nuse_identity_as_username true\n",
		ca.CA, srvCert, srvKey), fmt.Sprintf("allow_anonymous false\nacl_file %s\n", acl))
	url := m.URL("ssl")

	centralCert, centralKey := ca.issue("central", false)
	tlsCfg, err := agentsync.TLSConfig(ca.CA, centralCert, centralKey)
	if err != nil {
		t.Fatal(err)
	}
	sim := startSim(t, url, centralsim.Options{TLS: tlsCfg, NoShare: true})

	const store = "it-tls-001"
	storeCert, storeKey := ca.issue(store, false)
	tlsOpts := func(store string) agentsync.Options {
		o := testOptions(t, url, store)
		o.CAFile, o.CertFile, o.KeyFile = ca.CA, storeCert, storeKey
		return o
	}

	t.Run("mutual TLS", func(t *testing.T) {
		d := openDB(t)
		queueSales(t, d, store, 5)
		a := startAgent(t, d, tlsOpts(store))
		waitOnline(t, a)
		eventually(t, 10*time.Second, func() (bool, string) {
			n := count(t, d, `SELECT count(*) FROM outbox WHERE acked_at = ''`)
			return n == 0, fmt.Sprintf("%d outbox events unacked", n)
		})
		checkExactlyOnce(t, sim, d, store)
	})
	t.Run("unknown CA is refused", func(t *testing.T) {
		other := newPKI(t, t.TempDir(), "other")
		o := tlsOpts(store)
		o.CAFile = other.CA
		a := startAgent(t, openDB(t), o)
		time.Sleep(500 * time.Millisecond)
		if a.Online() {
			t.Error("online with a broker certificate signed by an untrusted CA")
		}
	})
	t.Run("ACL: another store's topics are refused", func(t *testing.T) {
		// The certificate says it-tls-001; the agent is (mis)configured as it-tls-002. Mosquitto
		// drops its publishes (MQTT 3.1.1 has no negative PUBACK), so central never sees them and
		// they stay in the outbox.
		d := openDB(t)
		queueSales(t, d, "it-tls-002", 3)
		o := tlsOpts("it-tls-002")
		o.AckTimeout = 300 * time.Millisecond
		startAgent(t, d, o)
		eventually(t, 10*time.Second, func() (bool, string) {
			return count(t, d, `SELECT min(attempts) FROM outbox`) >= 1, "outbox not published"
		})
		time.Sleep(500 * time.Millisecond)
		got, err := sim.Received(context.Background(), "it-tls-002", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Errorf("central received %d events published outside the store's ACL, want 0", len(got))
		}
		if n := count(t, d, `SELECT count(*) FROM outbox WHERE acked_at = ''`); n != 6 {
			t.Errorf("%d unacked, want all 6", n)
		}
	})
}
