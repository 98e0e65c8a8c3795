package agent

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// validateLinks checks the URL templates; each may be empty to turn its feature off.
func (c *Config) validateLinks(ps *configProblems) {
	configHTTPURL(ps, "links.aisle_base", c.Links.AisleBase, "")
	configHTTPURL(ps, "links.webshop_product", c.Links.WebshopProduct, "{gtin}")
	configHTTPURL(ps, "links.receipt", c.Links.Receipt, "{sale_id}")
}

// configHTTPURL checks an optional absolute http(s) URL that must hold placeholder, if given.
func configHTTPURL(ps *configProblems, path, raw, placeholder string) {
	if raw == "" {
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		ps.add(path, fmt.Sprintf("%q is not an absolute http:// or https:// URL", raw))
		return
	}
	if placeholder != "" && !strings.Contains(raw, placeholder) {
		ps.add(path, fmt.Sprintf("%q must contain %s", raw, placeholder))
	}
}

// validateHTTP checks the listener and its optional TLS pair.
func (c *Config) validateHTTP(ps *configProblems) {
	if err := configHostPort(c.HTTP.Listen, true, false); err != nil {
		ps.add("http.listen", err.Error())
	}
	configPair(ps, "http.tls_cert_file", c.HTTP.TLSCertFile, "http.tls_key_file", c.HTTP.TLSKeyFile)
	if c.HTTP.ShopperListen != "" {
		if err := configHostPort(c.HTTP.ShopperListen, true, false); err != nil {
			ps.add("http.shopper_listen", err.Error())
		} else if _, port, _ := net.SplitHostPort(c.HTTP.ShopperListen); port != "0" && c.HTTP.ShopperListen == c.HTTP.Listen {
			ps.add("http.shopper_listen", fmt.Sprintf("%q is http.listen too: give the shopper pages their own port (or leave it empty)", c.HTTP.ShopperListen))
		}
	}
	c.validateAisleRate(ps)
}

// Bounds of the aisle-page limit: beyond them a value is a typo (a 2-core store box serves a
// few thousand pages a second at most; a burst is held per IP in memory).
const (
	configMaxAisleRate  = 10000
	configMaxAisleBurst = 100000
)

// validateAisleRate checks http.aisle_rate_per_ip (0 = off, else up to configMaxAisleRate) and
// http.aisle_burst_per_ip (1..configMaxAisleBurst while the limit is on).
func (c *Config) validateAisleRate(ps *configProblems) {
	rate, burst := c.HTTP.AisleRatePerIP, c.HTTP.AisleBurstPerIP
	switch {
	case rate < 0 || rate > configMaxAisleRate:
		ps.add("http.aisle_rate_per_ip", fmt.Sprintf("%d is not 0 (off) to %d requests a second", rate, configMaxAisleRate))
	case rate > 0 && (burst < 1 || burst > configMaxAisleBurst):
		ps.add("http.aisle_burst_per_ip", fmt.Sprintf("%d is not 1 to %d requests (with http.aisle_rate_per_ip %d)", burst, configMaxAisleBurst, rate))
	case rate > 0 && burst < rate:
		ps.add("http.aisle_burst_per_ip", fmt.Sprintf("%d is less than http.aisle_rate_per_ip %d: a burst must hold at least one second's requests", burst, rate))
	}
}

// configHostPort checks host:port with a numeric port (0 only if allowZero: a free port). The
// host may be empty (every interface) unless requireHost, an IP address or a host name.
func configHostPort(s string, allowZero, requireHost bool) error {
	if s == "" {
		return fmt.Errorf("required: host:port, such as 0.0.0.0:8080")
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q is not host:port (such as 0.0.0.0:8080 or [::]:8080)", s)
	}
	n, err := strconv.Atoi(port)
	lowest := 1
	if allowZero {
		lowest = 0
	}
	if err != nil || n < lowest || n > 65535 || port != strconv.Itoa(n) {
		return fmt.Errorf("%q has port %q; want a number %d..65535", s, port, lowest)
	}
	if host == "" && requireHost {
		return fmt.Errorf("%q has no host", s)
	}
	if host != "" && net.ParseIP(host) == nil && !configHostnameOK(host) {
		return fmt.Errorf("%q has host %q, which is neither an IP address nor a host name", s, host)
	}
	return nil
}

// configHostnameOK reports whether h is a plausible DNS host name (RFC 1123 labels, with the
// underscore some local names use).
func configHostnameOK(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// configPair reports two keys of which only one is set.
func configPair(ps *configProblems, pathA, a, pathB, b string) {
	switch {
	case a != "" && b == "":
		ps.add(pathB, fmt.Sprintf("required with %s (both or neither)", pathA))
	case a == "" && b != "":
		ps.add(pathA, fmt.Sprintf("required with %s (both or neither)", pathB))
	}
}

// configBrokerSchemes are the broker URL schemes the agent's MQTT client (paho) dials.
var configBrokerSchemes = []string{"tcp", "ssl", "tls", "ws", "wss"}

// validateMQTT checks the broker URL, the topic prefix, the client id and the credentials.
func (c *Config) validateMQTT(ps *configProblems) {
	m := &c.MQTT
	tlsScheme := c.validateBroker(ps)

	switch p := m.TopicPrefix; {
	case p == "":
		ps.add("mqtt.topic_prefix", "required, such as retail")
	case strings.ContainsAny(p, "+#$\x00"):
		// MQTT 3.1.1 §4.7.1: + and # are wildcards; §4.7.2: topics starting with $ are the
		// broker's own. Neither may appear in a topic the agent publishes to.
		ps.add("mqtt.topic_prefix", fmt.Sprintf("%q must not contain +, # or $", p))
	case strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/"):
		ps.add("mqtt.topic_prefix", fmt.Sprintf("%q must not start or end with /", p))
	}

	if n := utf8.RuneCountInString(m.ClientID); n > 64 {
		ps.add("mqtt.client_id", fmt.Sprintf("%q is %d characters; at most 64 (the default is storeagent-<store_id>)", m.ClientID, n))
	} else if m.ClientID != "" && !utf8.ValidString(m.ClientID) {
		ps.add("mqtt.client_id", "must be valid UTF-8")
	}

	if m.Password != "" && m.PasswordFile != "" && !m.passwordFromFile {
		ps.add("mqtt.password", "set both with mqtt.password_file; use one")
	}
	if m.Password != "" && m.Username == "" {
		// MQTT 3.1.1 §3.1.2.9: a password may only be sent with a user name.
		ps.add("mqtt.username", "required when a password is set")
	}
	// The sync package caps every reconnect slot at its 2m backoff maximum.
	if w := m.ReconnectWindow; w < 0 || w.Std() > 2*time.Minute {
		ps.add("mqtt.reconnect_window", fmt.Sprintf("%s is not between 0 and 2m", w))
	}
	configPair(ps, "mqtt.cert_file", m.CertFile, "mqtt.key_file", m.KeyFile)
	if !tlsScheme {
		for _, f := range []struct{ path, value string }{
			{"mqtt.ca_file", m.CAFile}, {"mqtt.cert_file", m.CertFile}, {"mqtt.key_file", m.KeyFile},
		} {
			if f.value != "" {
				ps.add(f.path, "only with a TLS broker (ssl://, tls:// or wss://)")
			}
		}
	}
}

// validateBroker checks mqtt.broker and reports whether its scheme uses TLS (true also when the
// URL is bad, so that the TLS keys are not reported twice).
func (c *Config) validateBroker(ps *configProblems) (tlsScheme bool) {
	raw := c.MQTT.Broker
	if raw == "" {
		ps.add("mqtt.broker", "required, such as tcp://127.0.0.1:1883")
		return true
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		ps.add("mqtt.broker", fmt.Sprintf("%q is not a URL (such as tcp://broker.example:1883)", raw))
		return true
	}
	if !slices.Contains(configBrokerSchemes, u.Scheme) {
		ps.add("mqtt.broker", fmt.Sprintf("%q has scheme %q, not one of %s", raw, u.Scheme, strings.Join(configBrokerSchemes, ", ")))
		return true
	}
	if u.Hostname() == "" {
		ps.add("mqtt.broker", fmt.Sprintf("%q has no host", raw))
	} else if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			ps.add("mqtt.broker", fmt.Sprintf("%q has port %q; want 1..65535", raw, p))
		}
	}
	return u.Scheme == "ssl" || u.Scheme == "tls" || u.Scheme == "wss"
}
