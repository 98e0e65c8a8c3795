package agent

import (
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	_ "time/tzdata" // store.timezone must load on hosts without a zoneinfo database (Windows, slim containers).
)

// Config is the agent's configuration: the contract's YAML file (CONTRACT.md, "Config — YAML"),
// overridden by STOREAGENT_* environment variables, with secrets read from their *_file keys.
// Build one with LoadConfig or ParseConfig; DefaultConfig holds the defaults every load starts from.
type Config struct {
	StoreID           string         `yaml:"store_id"`
	DataDir           string         `yaml:"data_dir"`
	Locale            string         `yaml:"locale"`
	Currency          string         `yaml:"currency"`
	Store             StoreInfo      `yaml:"store"`
	CashRoundingMinor int64          `yaml:"cash_rounding_minor"`
	RCNRegion         string         `yaml:"rcn_region"`
	RCNLayouts        []RCNLayout    `yaml:"rcn_layouts"`
	ProfilesDir       string         `yaml:"profiles_dir"`
	Links             Links          `yaml:"links"`
	Log               LogConfig      `yaml:"log"`
	HTTP              HTTPConfig     `yaml:"http"`
	Terminals         []Terminal     `yaml:"terminals"`
	Customers         Customers      `yaml:"customers"`
	MQTT              MQTTConfig     `yaml:"mqtt"`
	Devices           []Device       `yaml:"devices"`
	Till              TillConfig     `yaml:"till"`
	Payments          PaymentsConfig `yaml:"payments"`
	Fiscal            FiscalConfig   `yaml:"fiscal"`
	Fleet             FleetConfig    `yaml:"fleet"`
	POS               POSConfig      `yaml:"pos"`

	// src is what the config was parsed from, for WithOverlay.
	src *configSource
	// fleetTrial marks a config whose overlay is on trial (PrepareFleet).
	fleetTrial bool
}

// StoreInfo is what receipts and pages print about the store, and the store's time zone.
type StoreInfo struct {
	Name    string `yaml:"name"`
	Address string `yaml:"address"`
	VATID   string `yaml:"vat_id"`
	// Timezone is an IANA zone name such as Europe/Rome; the binary embeds tzdata.
	Timezone string `yaml:"timezone"`
}

// RCNLayout describes one restricted-circulation EAN-13 (prefix 20–29) that embeds a price or a
// weight, for regions the built-in layouts do not cover. Positions are 0-based indexes into the
// 13 digits; index 12 is the EAN-13 check digit, so every range lies inside indexes 0..11.
type RCNLayout struct {
	// Prefix is the two leading digits, "20" to "29" (GS1 General Specifications §2.1.11,
	// restricted circulation numbers within a company).
	Prefix string `yaml:"prefix"`
	// ItemStart and ItemLen locate the item reference.
	ItemStart int `yaml:"item_start"`
	ItemLen   int `yaml:"item_len"`
	// Kind is "price" (value in minor units) or "weight" (value in grams).
	Kind string `yaml:"kind"`
	// ValueStart and ValueLen locate the embedded price or weight.
	ValueStart int `yaml:"value_start"`
	ValueLen   int `yaml:"value_len"`
	// ValueCheckPos is the index of the price/weight check digit, or -1 for none (the default
	// in YAML; a layout built in code must set -1 itself).
	ValueCheckPos int `yaml:"value_check_pos"`
	// Multiplier scales the embedded value (a price written in tenths of the currency's minor
	// unit: 10); 0 or 1 means the value is read as it is.
	Multiplier int64 `yaml:"multiplier"`
}

// Links are the URL templates the agent prints or encodes in QR codes. An empty link turns its
// feature off.
type Links struct {
	// AisleBase is the base URL shelf-label QR codes point to (the agent's /p/{code} pages).
	AisleBase string `yaml:"aisle_base"`
	// WebshopProduct is a product page; it must contain {gtin}.
	WebshopProduct string `yaml:"webshop_product"`
	// Receipt is the QR code at the foot of a receipt; it must contain {sale_id}.
	Receipt string `yaml:"receipt"`
}

// LogConfig selects the log/slog handler and level.
type LogConfig struct {
	Format string `yaml:"format"` // json | text
	Level  string `yaml:"level"`  // debug | info | warn | error
}

// HTTPConfig is the POS/shopper HTTP listener.
type HTTPConfig struct {
	// Listen is host:port; port 0 picks a free port (tests).
	Listen string `yaml:"listen"`
	// TLSCertFile and TLSKeyFile turn on HTTPS; both or neither.
	TLSCertFile string `yaml:"tls_cert_file"`
	TLSKeyFile  string `yaml:"tls_key_file"`
	// ShopperListen, when set, is a second, plain-HTTP listener serving only what shoppers' phones
	// need (aisle pages, product lookups, image scans, static files), so Listen can be TLS-only
	// for the POS.
	ShopperListen string `yaml:"shopper_listen"`
	// MetricsTokenFile, when set, holds the bearer token /metrics requires (Prometheus's
	// authorization credentials_file); empty leaves /metrics public.
	MetricsTokenFile string `yaml:"metrics_token_file"`
	// AisleRatePerIP and AisleBurstPerIP bound the public aisle pages (/p/…, /01/…) per client
	// IP, as a token bucket: bursts of AisleBurstPerIP, then AisleRatePerIP a second. A guest
	// Wi-Fi behind NAT is one IP for every shopper, so the defaults (50/s, bursts of 200) let
	// a few hundred phones open a page at once; 0 turns the limit off.
	AisleRatePerIP  int `yaml:"aisle_rate_per_ip"`
	AisleBurstPerIP int `yaml:"aisle_burst_per_ip"`

	metricsToken string // read from MetricsTokenFile
}

// MetricsToken is the token /metrics requires ("" = public).
func (h HTTPConfig) MetricsToken() string { return h.metricsToken }

// Terminal is one POS lane: its secret token, its scanners and its default printer.
type Terminal struct {
	ID string `yaml:"id"`
	// Token is the terminal's bearer token. After loading it holds the token read from
	// TokenFile when that is set. Compare it in constant time.
	Token     string   `yaml:"token"`
	TokenFile string   `yaml:"token_file"`
	Scanners  []string `yaml:"scanners"`
	Printer   string   `yaml:"printer"`
	// Printers are other printers this terminal may print on by name (and kick the drawer of),
	// such as a shared back-office printer; by default a terminal prints on its own printer only.
	Printers []string `yaml:"printers"`
	// PaymentTerminal names the lane's card payment terminal (a device of type payment); empty
	// keeps card payments as typed amounts.
	PaymentTerminal string `yaml:"payment_terminal"`
	// Display names the terminal's customer pole display (a device of type display).
	Display string `yaml:"display"`

	// tokenFromFile records that Token was read from TokenFile, so that Validate does not
	// take the pair for a token given twice.
	tokenFromFile bool
}

// Customers tunes customer lookups through central.
type Customers struct {
	// CacheTTL is how long a looked-up customer stays cached.
	CacheTTL Duration `yaml:"cache_ttl"`
	// LookupTimeout is how long an HTTP lookup waits for central before answering 504.
	LookupTimeout Duration `yaml:"lookup_timeout"`
}

// MQTTConfig is the link to the central platform's broker.
type MQTTConfig struct {
	// Broker is a URL: tcp://, ssl://, tls://, ws:// or wss:// and a host.
	Broker      string `yaml:"broker"`
	TopicPrefix string `yaml:"topic_prefix"`
	// ClientID defaults to storeagent-<store_id> (filled in by Validate).
	ClientID string `yaml:"client_id"`
	Username string `yaml:"username"`
	// Password holds the password read from PasswordFile after loading, when that is set.
	Password     string `yaml:"password"`
	PasswordFile string `yaml:"password_file"`
	CAFile       string `yaml:"ca_file"`
	CertFile     string `yaml:"cert_file"`
	KeyFile      string `yaml:"key_file"`
	// ReconnectWindow spreads the reconnects after a lost connection: the agent comes back at a
	// random moment of it, so a chain that lost the same broker does not reconnect in lockstep
	// (docs/scaling.md); at most 2m; 0 turns the spread off.
	ReconnectWindow Duration `yaml:"reconnect_window"`

	// passwordFromFile records that Password was read from PasswordFile.
	passwordFromFile bool
}

// Device is a scanner or printer the agent opens.
type Device struct {
	Name      string `yaml:"name"`
	Type      string `yaml:"type"`      // scanner | printer | payment | display
	Transport string `yaml:"transport"` // serial | hid | usblp | tcp (payment: tcp; standalone: none)
	// Path is a device path (/dev/ttyACM0, COM3, /dev/input/event3, /dev/usb/lp0) or host:port for tcp.
	Path string `yaml:"path"`
	// Profile names a firmware profile; Validate fills in the default for the type and transport.
	Profile string `yaml:"profile"`
	// Baud, DataBits, Parity and StopBits override the profile's serial settings; zero values
	// keep the profile's.
	Baud     int    `yaml:"baud"`
	DataBits int    `yaml:"data_bits"`
	Parity   string `yaml:"parity"`
	StopBits int    `yaml:"stop_bits"`
	// DrawerOpenWhen (printers) is the level of the kick-out connector's pin 3 while the cash
	// drawer is open: low (the default) or high; it depends on the drawer's switch.
	DrawerOpenWhen string `yaml:"drawer_open_when"`
	// DrawerPoll (printers) is how often the idle printer is asked for the drawer's state
	// (DLE EOT 1); zero polls only when till.require_drawer_closed is on (then every 1s).
	DrawerPoll Duration `yaml:"drawer_poll"`
}

// Duration is a time.Duration written as Go duration text ("24h", "2s", "500ms") in YAML and in
// the environment.
type Duration time.Duration

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats d like time.Duration without zero trailing units: "24h", "1h30m", "2s".
func (d Duration) String() string {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
		if strings.HasSuffix(s, "h0m") {
			s = strings.TrimSuffix(s, "0m")
		}
	}
	return s
}

// MarshalText writes d as Go duration text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses Go duration text such as "24h", "2s" or "500ms".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (like 24h, 2s, 500ms)", b)
	}
	*d = Duration(v)
	return nil
}

// Default values the brief and the contract give (CONTRACT.md, "Config — YAML").
const (
	configDefaultLocale          = "en-GB"
	configDefaultCurrency        = "EUR"
	configDefaultTimezone        = "UTC"
	configDefaultListen          = "0.0.0.0:8080"
	configDefaultBroker          = "tcp://127.0.0.1:1883"
	configDefaultTopicPrefix     = "retail"
	configDefaultCacheTTL        = Duration(24 * time.Hour)
	configDefaultLookupTimeout   = Duration(2 * time.Second)
	configDefaultReconnectWindow = Duration(45 * time.Second)
	configDefaultClientIDPrefix  = "storeagent-"
	configDefaultAisleRate       = 50
	configDefaultAisleBurst      = 200
)

// DefaultConfig returns the defaults every load starts from. It has no store_id, so it does not
// validate as it is.
func DefaultConfig() Config {
	return configDefaults(runtime.GOOS, os.Getenv)
}

// configDefaults is DefaultConfig for a given OS and environment lookup.
func configDefaults(goos string, getenv func(string) string) Config {
	dataDir := "/var/lib/storeagent"
	if goos == "windows" {
		dataDir = configProgramData(getenv) + `\storeagent\data`
	}
	return Config{
		DataDir:  dataDir,
		Locale:   configDefaultLocale,
		Currency: configDefaultCurrency,
		Store:    StoreInfo{Timezone: configDefaultTimezone},
		Log:      LogConfig{Format: "text", Level: "info"},
		HTTP:     HTTPConfig{Listen: configDefaultListen, AisleRatePerIP: configDefaultAisleRate, AisleBurstPerIP: configDefaultAisleBurst},
		Customers: Customers{
			CacheTTL:      configDefaultCacheTTL,
			LookupTimeout: configDefaultLookupTimeout,
		},
		MQTT: MQTTConfig{
			Broker:          configDefaultBroker,
			TopicPrefix:     configDefaultTopicPrefix,
			ReconnectWindow: configDefaultReconnectWindow,
		},
		Till:     TillConfig{MaxDifferenceMinor: configDefaultMaxDifference, DayStartsAt: configDefaultDayStartsAt},
		Payments: PaymentsConfig{AnswerTimeout: configDefaultAnswerTimeout, UnclaimedAfter: configDefaultUnclaimedAfter},
	}
}

// ConfigPathEnv names the environment variable that holds the config file's path.
const ConfigPathEnv = "STOREAGENT_CONFIG"

// DefaultConfigPath returns $STOREAGENT_CONFIG when set, else /etc/storeagent/storeagent.yaml,
// or %ProgramData%\storeagent\storeagent.yaml on Windows.
func DefaultConfigPath() string {
	return configDefaultPath(runtime.GOOS, os.Getenv)
}

// configDefaultPath is DefaultConfigPath for a given OS and environment lookup.
func configDefaultPath(goos string, getenv func(string) string) string {
	if p := getenv(ConfigPathEnv); p != "" {
		return p
	}
	if goos == "windows" {
		return configProgramData(getenv) + `\storeagent\storeagent.yaml`
	}
	return "/etc/storeagent/storeagent.yaml"
}

// configProgramData returns %ProgramData%, or its usual value when unset.
func configProgramData(getenv func(string) string) string {
	if p := getenv("ProgramData"); p != "" {
		return p
	}
	return `C:\ProgramData`
}

// Device returns the device called name.
func (c *Config) Device(name string) (*Device, bool) {
	for i := range c.Devices {
		if c.Devices[i].Name == name {
			return &c.Devices[i], true
		}
	}
	return nil, false
}

// Location returns the store's time zone (store.timezone), or UTC when it does not load; a
// validated Config always loads. Each call loads the zone afresh: call it once and keep it.
func (c *Config) Location() *time.Location {
	if c.Store.Timezone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(c.Store.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Redacted returns a copy of c with its secrets blanked (terminal tokens, the MQTT password and
// any password in the broker URL), fit for logs. The *_file paths stay.
func (c Config) Redacted() Config {
	r := c
	r.RCNLayouts = append([]RCNLayout(nil), c.RCNLayouts...)
	r.Devices = append([]Device(nil), c.Devices...)
	r.Till.Denominations = append([]int64(nil), c.Till.Denominations...)
	r.Terminals = make([]Terminal, len(c.Terminals))
	for i, t := range c.Terminals {
		t.Scanners = append([]string(nil), t.Scanners...)
		t.Token = ""
		r.Terminals[i] = t
	}
	if c.Terminals == nil {
		r.Terminals = nil
	}
	r.MQTT.Password = ""
	if u, err := url.Parse(c.MQTT.Broker); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			r.MQTT.Broker = u.Redacted()
		}
	}
	return r
}
