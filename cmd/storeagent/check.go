package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/escpos"
	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
	"github.com/storeagent/storeagent/packaging"
)

// errChecksFailed is returned when a check line shows ✗ (exit 1; the lines said why).
var errChecksFailed = errors.New("some checks failed")

// checkTimeout bounds each network or device check, so check never hangs on a dead broker or a
// serial port waiting for carrier.
const checkTimeout = 5 * time.Second

// certWarnDays: a broker certificate expiring sooner than this is still ✓ but says to renew.
const certWarnDays = 30

func (m *Main) checkCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	configPath := fs.String("config", "", "config file")
	offlineOK := fs.Bool("offline-ok", false, "an unreachable broker is a warning (!), not a failure (✗): for installs before the link to central is up")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	ok := true
	line := func(pass bool, what, detail string) {
		mark := "✓"
		if !pass {
			mark, ok = "✗", false
		}
		fmt.Fprintf(m.Stdout, "%s %s: %s\n", mark, what, detail)
	}
	warn := func(what, detail string) { fmt.Fprintf(m.Stdout, "! %s: %s\n", what, detail) }
	cfg, err := m.loadConfig(*configPath)
	if err != nil {
		line(false, "config", err.Error())
		return errChecksFailed
	}
	line(true, "config", fmt.Sprintf("store %s, %s, %s", cfg.StoreID, plural(len(cfg.Terminals), "terminal", "terminals"), plural(len(cfg.Devices), "device", "devices")))
	// check only reads: it creates neither data_dir nor the database.
	if detail, err := checkDataDir(cfg.DataDir); err != nil {
		line(false, "data_dir", err.Error()+" (fix: create it and give the storeagent user write access)")
	} else {
		line(true, "data_dir", detail)
	}
	if detail, err := checkDatabase(ctx, cfg.DataDir); err != nil {
		line(false, "database", err.Error()+" (fix: restore a backup with storeagent restore FILE)")
	} else {
		line(true, "database", detail)
	}
	if w := plainHTTPWarning(cfg.HTTP); w != "" {
		warn("http", w)
	}
	if cfg.FleetOn() {
		if detail, err := checkFleet(cfg); err != nil {
			line(false, "fleet", err.Error())
		} else {
			line(true, "fleet", detail)
		}
	}
	detail, err := checkBroker(ctx, cfg.MQTT)
	var unreachable errBrokerUnreachable
	switch {
	case errors.As(err, &unreachable) && *offlineOK:
		// Offline-first: the agent starts and sells without the broker, so with -offline-ok this
		// is a warning; a broken TLS setup (below) never fixes itself and is always a failure.
		warn("broker", err.Error()+"; the agent runs and queues sales meanwhile")
	case err != nil:
		line(false, "broker", err.Error())
	default:
		line(true, "broker", detail)
	}
	checkRT(ctx, cfg, line, warn)
	if len(cfg.Devices) > 0 {
		profiles, err := loadCheckProfiles(cfg.ProfilesDir)
		if err != nil {
			line(false, "profiles", err.Error()+" (fix: correct or remove the file in profiles_dir)")
		}
		found, _ := devices.Enumerate("/sys", "/dev") // best effort: only used to compare VID:PID
		for _, dev := range cfg.Devices {
			detail, err := checkDevice(ctx, dev, profiles, found)
			if err != nil {
				line(false, "device "+dev.Name, err.Error())
			} else {
				line(true, "device "+dev.Name, detail)
			}
		}
	}
	if !ok {
		return errChecksFailed
	}
	return nil
}

// plainHTTPWarning says why serving the POS over plain HTTP on a non-loopback address is a risk,
// or "" when it is served over TLS or only on loopback (a proxy in front does TLS).
func plainHTTPWarning(c agent.HTTPConfig) string {
	if c.TLSCertFile != "" {
		return ""
	}
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return ""
	}
	return fmt.Sprintf("the POS is served over plain HTTP on %s: terminal tokens and session cookies cross the store's network in clear "+
		"(fix: set http.tls_cert_file and http.tls_key_file, or listen on 127.0.0.1 behind a TLS proxy)", c.Listen)
}

// checkBroker dials the configured MQTT broker: TCP for tcp:// and ws://, TLS with the configured
// CA and client certificate for ssl://, tls:// and wss://. It does not speak MQTT: reaching the
// port (and completing the TLS handshake) is what it checks. For TLS it reports the server
// certificate's expiry.
func checkBroker(ctx context.Context, c agent.MQTTConfig) (string, error) {
	u, err := url.Parse(c.Broker)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("mqtt.broker %q is not a URL like tcp://host:1883 (fix: correct mqtt.broker)", c.Broker)
	}
	port := map[string]string{"tcp": "1883", "mqtt": "1883", "ssl": "8883", "tls": "8883", "mqtts": "8883", "ws": "80", "wss": "443"}[u.Scheme]
	if port == "" {
		return "", fmt.Errorf("mqtt.broker scheme %q is not tcp, ssl, tls, ws or wss (fix: correct mqtt.broker)", u.Scheme)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), port)
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	useTLS := u.Scheme == "ssl" || u.Scheme == "tls" || u.Scheme == "mqtts" || u.Scheme == "wss"
	if !useTLS {
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err != nil {
			return "", errBrokerUnreachable{addr, err}
		}
		conn.Close()
		return fmt.Sprintf("%s reachable (plain TCP, no TLS)", addr), nil
	}
	tc, err := brokerTLSConfig(c, u.Hostname())
	if err != nil {
		return "", err
	}
	conn, err := (&tls.Dialer{Config: tc}).DialContext(ctx, "tcp", addr)
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return "", errBrokerUnreachable{addr, err}
	}
	if err != nil {
		hint := "is the broker up, the address right, the port open?"
		var uae x509.UnknownAuthorityError
		var hne x509.HostnameError
		var cie x509.CertificateInvalidError
		switch {
		case errors.As(err, &uae):
			hint = "set mqtt.ca_file to the CA that signed the broker's certificate"
		case errors.As(err, &hne):
			hint = "use the host name the broker's certificate names in mqtt.broker"
		case errors.As(err, &cie):
			hint = "the broker's certificate is expired or not yet valid: renew it on the broker"
		}
		return "", fmt.Errorf("TLS to %s failed: %v (fix: %s)", addr, err, hint)
	}
	defer conn.Close()
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return fmt.Sprintf("%s reachable over TLS", addr), nil
	}
	exp := certs[0].NotAfter
	days := int(time.Until(exp).Hours() / 24)
	detail := fmt.Sprintf("%s reachable over TLS; server certificate %q expires %s (%s)", addr, certs[0].Subject.CommonName, exp.UTC().Format("2006-01-02"), plural(int(days), "day", "days"))
	if days < certWarnDays {
		detail += " — renew it soon"
	}
	return detail, nil
}

// brokerTLSConfig builds the TLS client config from mqtt.ca_file, cert_file and key_file.
func brokerTLSConfig(c agent.MQTTConfig, serverName string) (*tls.Config, error) {
	tc := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("mqtt.ca_file: %w (fix: the path, and read access for the storeagent user)", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mqtt.ca_file %s holds no PEM certificate (fix: point it at the CA's .pem/.crt)", c.CAFile)
		}
		tc.RootCAs = pool
	}
	if c.CertFile != "" || c.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("mqtt.cert_file/key_file: %w (fix: both PEM files, matching each other)", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// errBrokerUnreachable: no TCP connection to the broker (as opposed to a TLS or config error).
type errBrokerUnreachable struct {
	addr string
	err  error
}

func (e errBrokerUnreachable) Error() string {
	return fmt.Sprintf("%s unreachable: %v (fix: is the broker up, the address right, port %s open in the firewall?)", e.addr, e.err, portOf(e.addr))
}

func (e errBrokerUnreachable) Unwrap() error { return e.err }

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// checkProfiles are the firmware profiles check compares devices with.
type checkProfiles struct {
	scanners map[string]devices.ScannerProfile
	printers map[string]escpos.Profile
}

// loadCheckProfiles loads the built-in profiles and the profiles_dir overrides.
func loadCheckProfiles(overrideDir string) (checkProfiles, error) {
	var p checkProfiles
	var errs []error
	var err error
	if p.scanners, err = devices.LoadScannerProfiles(firmwareprofiles.FS, overrideDir); err != nil {
		errs = append(errs, err)
	}
	if p.printers, err = escpos.LoadProfiles(firmwareprofiles.FS, "printers"); err != nil {
		errs = append(errs, err)
	}
	if overrideDir != "" && p.printers != nil {
		if _, serr := os.Stat(filepath.Join(overrideDir, "printers")); serr == nil {
			over, err := escpos.LoadProfiles(os.DirFS(overrideDir), "printers")
			if err != nil {
				errs = append(errs, err)
			}
			for id, pp := range over {
				p.printers[id] = pp
			}
		}
	}
	return p, errors.Join(errs...)
}

// checkDevice checks that a configured device's profile exists, that the device opens and, when it
// is on USB, that its VID:PID is one the profile names.
func checkDevice(ctx context.Context, dev agent.Device, profiles checkProfiles, found []devices.Found) (string, error) {
	var usb [][2]string // the profile's VID:PID pairs ("" PID: any product)
	if dev.Type == "payment" {
		return checkPaymentTerminal(ctx, dev)
	}
	switch dev.Type {
	case "scanner":
		p, ok := profiles.scanners[dev.Profile]
		if !ok {
			return "", fmt.Errorf("scanner profile %q not found (fix: storeagent devices lists the matching profile; or add it to profiles_dir)", dev.Profile)
		}
		for _, u := range p.Match.USB {
			usb = append(usb, [2]string{u.VID, u.PID})
		}
	case "printer":
		p, ok := profiles.printers[dev.Profile]
		if !ok {
			return "", fmt.Errorf("printer profile %q not found (fix: pick one of firmware-profiles/printers, or add it to profiles_dir)", dev.Profile)
		}
		for _, u := range p.Match.USB {
			pid := ""
			if u.PID != 0 {
				pid = fmt.Sprintf("%04x", u.PID)
			}
			usb = append(usb, [2]string{fmt.Sprintf("%04x", u.VID), pid})
		}
	}
	if dev.Transport == "tcp" {
		ctx, cancel := context.WithTimeout(ctx, checkTimeout)
		defer cancel()
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", dev.Path)
		if err != nil {
			return "", fmt.Errorf("%s unreachable: %v (fix: is the printer on and its IP address right? port 9100 is usual)", dev.Path, err)
		}
		conn.Close()
		return fmt.Sprintf("%s reachable, profile %s", dev.Path, dev.Profile), nil
	}
	if err := openDevice(dev); err != nil {
		return "", err
	}
	detail := fmt.Sprintf("%s opens, profile %s", dev.Path, dev.Profile)
	real, err := filepath.EvalSymlinks(dev.Path)
	if err != nil {
		real = dev.Path
	}
	for _, f := range found {
		if (f.Path != real && f.Path != dev.Path) || f.VID == "" {
			continue
		}
		if len(usb) == 0 {
			return detail + fmt.Sprintf(" (generic; device is USB %s:%s %s)", f.VID, f.PID, f.Product), nil
		}
		for _, u := range usb {
			if u[0] == f.VID && (u[1] == "" || u[1] == f.PID) {
				return detail + fmt.Sprintf(", matches USB %s:%s", f.VID, f.PID), nil
			}
		}
		return "", fmt.Errorf("%s is USB %s:%s (%s), which profile %s does not list (fix: storeagent devices shows the profile that matches)", dev.Path, f.VID, f.PID, f.Product, dev.Profile)
	}
	return detail, nil
}

// openDevice opens and closes the device node, read-only for HID input devices. The open runs in
// the background with a timeout: a serial open can block (waiting for carrier) on some drivers.
func openDevice(dev agent.Device) error {
	flag := os.O_RDWR
	if dev.Transport == "hid" {
		flag = os.O_RDONLY
	}
	errc := make(chan error, 1)
	go func() {
		f, err := os.OpenFile(dev.Path, flag, 0)
		if err == nil {
			f.Close()
		}
		errc <- err
	}()
	var err error
	select {
	case err = <-errc:
	case <-time.After(checkTimeout):
		return fmt.Errorf("%s: open did not finish within %s (fix: check the cable and the port's settings)", dev.Path, checkTimeout)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist (fix: plug the device in; storeagent devices lists what is present; prefer /dev/storeagent/ names)", dev.Path)
	case errors.Is(err, fs.ErrPermission) && dev.Transport == "hid":
		return fmt.Errorf("%s: permission denied (fix: add the user to %s; under the packaged service also install %s as /etc/systemd/system/storeagent.service.d/hid-scanner.conf)",
			dev.Path, groupFor(dev.Transport), packaging.HIDDropInPath)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s: permission denied (fix: install the packaged udev rules, or add the user to %s)", dev.Path, groupFor(dev.Transport))
	default:
		return fmt.Errorf("%s: %v (fix: is another program using it? stop it, or stop the agent while checking)", dev.Path, err)
	}
}

func groupFor(transport string) string {
	switch transport {
	case "hid":
		return "input"
	case "usblp":
		return "lp"
	}
	return "dialout"
}

// checkPaymentTerminal checks that a Caisse-AP terminal accepts a connection. It sends nothing: a
// connection closed without a request is no transaction. A standalone terminal has no link.
func checkPaymentTerminal(ctx context.Context, dev agent.Device) (string, error) {
	if dev.Profile == "standalone" {
		return "standalone payment terminal: no link, the cashier keys the amount and resolves each payment", nil
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", dev.Path)
	if err != nil {
		return "", fmt.Errorf("%s unreachable: %v (fix: is the payment terminal on, in Caisse-AP IP mode, and its address and port right? 8888 is usual)", dev.Path, err)
	}
	conn.Close()
	return fmt.Sprintf("%s reachable, profile %s (nothing sent)", dev.Path, dev.Profile), nil
}
