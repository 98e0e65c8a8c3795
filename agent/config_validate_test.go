package agent

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// configValidBase is a valid config with every part in use, for the Validate table to break.
func configValidBase() Config {
	c := DefaultConfig()
	c.StoreID = "it-mi-001"
	c.Locale = "it-IT"
	c.Store = StoreInfo{Name: "Bottega Centrale", Timezone: "Europe/Rome"}
	c.Links = Links{
		AisleBase:      "http://store.local:8080",
		WebshopProduct: "https://shop.example/p/{gtin}",
		Receipt:        "https://shop.example/r/{sale_id}",
	}
	c.RCNLayouts = []RCNLayout{{Prefix: "21", ItemStart: 2, ItemLen: 5, Kind: "price", ValueStart: 8, ValueLen: 4, ValueCheckPos: 7}}
	c.Devices = []Device{
		{Name: "lane1-scanner", Type: "scanner", Transport: "serial", Path: "/dev/ttyACM0", Baud: 9600},
		{Name: "lane2-scanner", Type: "scanner", Transport: "hid", Path: "/dev/input/event3"},
		{Name: "lane1-printer", Type: "printer", Transport: "usblp", Path: "/dev/usb/lp0"},
		{Name: "net-printer", Type: "printer", Transport: "tcp", Path: "192.168.1.50:9100"},
	}
	c.Terminals = []Terminal{
		{ID: "lane1", Token: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", Scanners: []string{"lane1-scanner"}, Printer: "lane1-printer"},
		{ID: "lane2", TokenFile: "/etc/storeagent/lane2.token", Scanners: []string{"lane2-scanner"}, Printer: "net-printer"},
	}
	return c
}

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Config)
		// want is the start of each problem expected (ConfigProblem.String(), joined by " | "),
		// or "" for a valid config.
		want string
	}{
		{"base/valid", func(c *Config) {}, ""},
		{"fiscal/fr_ok", func(c *Config) { c.Fiscal = FiscalConfig{Country: "FR", SIRET: "12345678900011", NAF: "47.11D"} }, ""},
		{"fiscal/fr_needs_siret", func(c *Config) { c.Fiscal = FiscalConfig{Country: "FR"} }, `fiscal.siret: "" is not a SIRET`},
		{"fiscal/unknown_country", func(c *Config) { c.Fiscal.Country = "fr" }, `fiscal.country: "fr" is not one of`},
		{"fiscal/siret_without_country", func(c *Config) { c.Fiscal.SIRET = "12345678900011" }, "fiscal.siret: set, but fiscal.country is empty"},
		{"fiscal/training_without_country", func(c *Config) { c.Fiscal.Training = true }, "fiscal.training: true, but fiscal.country is empty"},
		{"fiscal/it_ok", func(c *Config) { c.Fiscal = FiscalConfig{Country: "IT", Printer: testRTConfig()} }, ""},
		{"fiscal/it_needs_printer", func(c *Config) { c.Fiscal = FiscalConfig{Country: "IT"} }, `fiscal.printer.driver: "" is not a fiscal printer driver | fiscal.printer.url: "" is not an http(s) URL | fiscal.printer.departments: empty | fiscal.printer.payments: cash is not mapped`},
		{"fiscal/printer_with_fr", func(c *Config) {
			c.Fiscal = FiscalConfig{Country: "FR", SIRET: "12345678900011", Printer: testRTConfig()}
		}, "fiscal.printer: set, but fiscal.country is FR"},
		{"fiscal/printer_without_country", func(c *Config) { c.Fiscal.Printer = testRTConfig() }, "fiscal.printer: set, but fiscal.country is empty"},
		{"fiscal/it_training", func(c *Config) { c.Fiscal = FiscalConfig{Country: "IT", Training: true, Printer: testRTConfig()} }, "fiscal.training: true, but fiscal.country is IT"},

		{"store_id/required", func(c *Config) { c.StoreID = "" }, "store_id: required"},
		{"store_id/pattern", func(c *Config) { c.StoreID = "IT-MI-001" }, `store_id: "IT-MI-001" must be`},
		{"store_id/too_long", func(c *Config) { c.StoreID = strings.Repeat("a", 65); c.MQTT.ClientID = "x" }, "store_id: "},
		{"store_id/max_length_ok", func(c *Config) { c.StoreID = strings.Repeat("a", 64); c.MQTT.ClientID = "x" }, ""},

		{"data_dir/required", func(c *Config) { c.DataDir = "" }, "data_dir: required"},

		{"locale/not_bcp47", func(c *Config) { c.Locale = "it_IT_xx_yy!" }, `locale: "it_IT_xx_yy!" is not a BCP 47`},
		{"locale/unsupported_language", func(c *Config) { c.Locale = "de-DE" }, `locale: language "de" of "de-DE" is not one of en, it, fr, fi`},
		{"locale/finnish_ok", func(c *Config) { c.Locale = "fi-FI" }, ""},
		{"locale/french_without_region_ok", func(c *Config) { c.Locale = "fr" }, ""},
		{"locale/required", func(c *Config) { c.Locale = "" }, "locale: required"},

		{"currency/unknown", func(c *Config) { c.Currency = "EUX" }, `currency: "EUX" is not an ISO 4217`},
		{"currency/lower_case", func(c *Config) { c.Currency = "eur" }, `currency: "eur" must be written EUR`},
		{"currency/no_currency", func(c *Config) { c.Currency = "XXX" }, `currency: "XXX" means no currency`},
		{"currency/withdrawn", func(c *Config) { c.Currency = "DEM" }, `currency: "DEM" is not an ISO 4217 currency code in use`},
		{"currency/gold", func(c *Config) { c.Currency = "XAU" }, `currency: "XAU" has no minor unit in ISO 4217`},
		{"currency/required", func(c *Config) { c.Currency = "" }, "currency: required"},
		{"currency/other_ok", func(c *Config) { c.Currency = "SEK" }, ""},

		{"store.timezone/unknown", func(c *Config) { c.Store.Timezone = "Europe/Milano" }, `store.timezone: "Europe/Milano" is not an IANA`},
		{"store.timezone/local", func(c *Config) { c.Store.Timezone = "Local" }, `store.timezone: "Local" depends on the host`},
		{"store.timezone/required", func(c *Config) { c.Store.Timezone = "" }, "store.timezone: required"},
		{"store.timezone/helsinki_ok", func(c *Config) { c.Store.Timezone = "Europe/Helsinki" }, ""},

		{"cash_rounding_minor/negative", func(c *Config) { c.CashRoundingMinor = -1 }, "cash_rounding_minor: -1 is outside 0..100"},
		{"cash_rounding_minor/over_100", func(c *Config) { c.CashRoundingMinor = 101 }, "cash_rounding_minor: 101 is outside 0..100"},
		{"cash_rounding_minor/100_ok", func(c *Config) { c.CashRoundingMinor = 100 }, ""},
		{"cash_rounding_minor/5_ok", func(c *Config) { c.CashRoundingMinor = 5 }, ""},

		{"till.day_starts_at/bad", func(c *Config) { c.Till.DayStartsAt = "4am" }, `till.day_starts_at: "4am" is not a local time HH:MM`},
		{"till.day_starts_at/25h", func(c *Config) { c.Till.DayStartsAt = "25:00" }, `till.day_starts_at: "25:00"`},
		{"till.day_starts_at/short", func(c *Config) { c.Till.DayStartsAt = "4:00" }, `till.day_starts_at: "4:00"`},
		{"till.day_starts_at/midnight_ok", func(c *Config) { c.Till.DayStartsAt = "00:00" }, ""},
		{"till.max_difference_minor/negative", func(c *Config) { c.Till.MaxDifferenceMinor = -1 }, "till.max_difference_minor: -1 is outside"},
		{"till.denominations/zero", func(c *Config) { c.Till.Denominations = []int64{500, 0} }, "till.denominations[1]: 0 is not a value"},
		{"till.denominations/twice", func(c *Config) { c.Till.Denominations = []int64{500, 200, 500} }, "till.denominations[2]: 500 is listed twice"},
		{"pos.quick_keys/twice", func(c *Config) { c.POS.QuickKeys = []string{"CAFFE-250", "PASTA-500", "CAFFE-250"} }, `pos.quick_keys[2]: "CAFFE-250" is listed twice`},
		{"pos.quick_keys/empty", func(c *Config) { c.POS.QuickKeys = []string{""} }, `pos.quick_keys[0]: "" is not a SKU`},
		{"pos.quick_keys/too_many", func(c *Config) {
			for i := range 25 {
				c.POS.QuickKeys = append(c.POS.QuickKeys, fmt.Sprintf("SKU-%d", i))
			}
		}, "pos.quick_keys: 25 SKUs; at most 24"},
		{"pos.quick_keys/ok", func(c *Config) { c.POS.QuickKeys = []string{"CAFFE-250", "PASTA-500"} }, ""},
		{"till.denominations/own_ok", func(c *Config) { c.Till.Denominations = []int64{1000, 500, 100} }, ""},

		{"rcn_region/lower_case", func(c *Config) { c.RCNRegion = "it" }, `rcn_region: "it" is not two upper-case letters`},
		{"rcn_region/three_letters", func(c *Config) { c.RCNRegion = "ITA" }, `rcn_region: "ITA"`},
		{"rcn_region/fi_ok", func(c *Config) { c.RCNRegion = "FI" }, ""},

		{"rcn_layouts/prefix_outside_20_29", func(c *Config) { c.RCNLayouts[0].Prefix = "30" }, `rcn_layouts[0].prefix: "30" is not one of 20..29`},
		{"rcn_layouts/prefix_one_digit", func(c *Config) { c.RCNLayouts[0].Prefix = "2" }, `rcn_layouts[0].prefix: "2"`},
		{"rcn_layouts/prefix_duplicate", func(c *Config) { c.RCNLayouts = append(c.RCNLayouts, c.RCNLayouts[0]) }, `rcn_layouts[1].prefix: "21" is also rcn_layouts[0]`},
		{"rcn_layouts/kind", func(c *Config) { c.RCNLayouts[0].Kind = "count" }, `rcn_layouts[0].kind: "count" is not one of price, weight`},
		{"rcn_layouts/item_over_prefix", func(c *Config) { c.RCNLayouts[0].ItemStart = 1 }, "rcn_layouts[0].item_start: digits 1..5 overlap the prefix"},
		{"rcn_layouts/value_into_check_digit", func(c *Config) { c.RCNLayouts[0].ValueLen = 5 }, "rcn_layouts[0].value_start: digits 8..12 are not inside 0..11"},
		{"rcn_layouts/value_overlaps_item", func(c *Config) { c.RCNLayouts[0].ValueStart = 6; c.RCNLayouts[0].ValueCheckPos = -1 }, "rcn_layouts[0].value_start: digits 6..9 overlap the item_start (2..6)"},
		{"rcn_layouts/zero_length", func(c *Config) { c.RCNLayouts[0].ItemLen = 0 }, "rcn_layouts[0].item_start: digits 2..1 are not inside"},
		{"rcn_layouts/check_pos_overlaps_value", func(c *Config) { c.RCNLayouts[0].ValueCheckPos = 9 }, "rcn_layouts[0].value_check_pos: digits 9..9 overlap the value_start"},
		{"rcn_layouts/no_check_ok", func(c *Config) { c.RCNLayouts[0].ValueCheckPos = -1 }, ""},
		{"rcn_layouts/weight_ok", func(c *Config) { c.RCNLayouts[0].Kind = "weight" }, ""},

		{"links/relative", func(c *Config) { c.Links.AisleBase = "/p" }, `links.aisle_base: "/p" is not an absolute http:// or https:// URL`},
		{"links/scheme", func(c *Config) { c.Links.AisleBase = "ftp://store.local" }, `links.aisle_base: "ftp://store.local" is not an absolute`},
		{"links/webshop_without_gtin", func(c *Config) { c.Links.WebshopProduct = "https://shop.example/p/" }, `links.webshop_product: "https://shop.example/p/" must contain {gtin}`},
		{"links/receipt_without_sale_id", func(c *Config) { c.Links.Receipt = "https://shop.example/r/{gtin}" }, "links.receipt: \"https://shop.example/r/{gtin}\" must contain {sale_id}"},
		{"links/empty_turns_off_ok", func(c *Config) { c.Links = Links{} }, ""},
		{"links/gtin_in_query_ok", func(c *Config) { c.Links.WebshopProduct = "https://shop.example/p?gtin={gtin}" }, ""},

		{"log.format/unknown", func(c *Config) { c.Log.Format = "logfmt" }, `log.format: "logfmt" is not one of json, text`},
		{"log.format/json_ok", func(c *Config) { c.Log.Format = "json" }, ""},
		{"log.level/unknown", func(c *Config) { c.Log.Level = "trace" }, `log.level: "trace" is not one of debug, info, warn, error`},
		{"log.level/warn_ok", func(c *Config) { c.Log.Level = "warn" }, ""},

		{"http.listen/no_port", func(c *Config) { c.HTTP.Listen = "0.0.0.0" }, `http.listen: "0.0.0.0" is not host:port`},
		{"http.listen/port_range", func(c *Config) { c.HTTP.Listen = ":65536" }, `http.listen: ":65536" has port "65536"`},
		{"http.listen/named_port", func(c *Config) { c.HTTP.Listen = ":http" }, `http.listen: ":http" has port "http"`},
		{"http.listen/bad_host", func(c *Config) { c.HTTP.Listen = "store local:8080" }, `http.listen: "store local:8080" has host`},
		{"http.listen/required", func(c *Config) { c.HTTP.Listen = "" }, "http.listen: required"},
		{"http.listen/ipv6_ok", func(c *Config) { c.HTTP.Listen = "[::]:8443" }, ""},
		{"http.listen/port_0_ok", func(c *Config) { c.HTTP.Listen = "127.0.0.1:0" }, ""},
		{"http.listen/hostname_ok", func(c *Config) { c.HTTP.Listen = "store.local:8080" }, ""},
		{"http.aisle_rate/negative", func(c *Config) { c.HTTP.AisleRatePerIP = -5 }, `http.aisle_rate_per_ip: -5 is not 0 (off) to 10000 requests a second`},
		{"http.aisle_rate/huge", func(c *Config) { c.HTTP.AisleRatePerIP = 1_000_000 }, `http.aisle_rate_per_ip: 1000000 is not 0 (off) to 10000`},
		{"http.aisle_burst/zero", func(c *Config) { c.HTTP.AisleBurstPerIP = 0 }, `http.aisle_burst_per_ip: 0 is not 1 to 100000 requests`},
		{"http.aisle_burst/below_rate", func(c *Config) { c.HTTP.AisleRatePerIP, c.HTTP.AisleBurstPerIP = 100, 10 }, `http.aisle_burst_per_ip: 10 is less than http.aisle_rate_per_ip 100`},
		{"http.shopper_listen/same_port", func(c *Config) { c.HTTP.Listen, c.HTTP.ShopperListen = ":8080", ":8080" }, `http.shopper_listen: ":8080" is http.listen too`},
		{"http.shopper_listen/no_port", func(c *Config) { c.HTTP.ShopperListen = "0.0.0.0" }, `http.shopper_listen: "0.0.0.0" is not host:port`},
		{"http.shopper_listen/ok", func(c *Config) { c.HTTP.Listen, c.HTTP.ShopperListen = ":8443", ":8080" }, ""},
		{"http.tls/cert_without_key", func(c *Config) { c.HTTP.TLSCertFile = "cert.pem" }, "http.tls_key_file: required with http.tls_cert_file"},
		{"http.tls/key_without_cert", func(c *Config) { c.HTTP.TLSKeyFile = "key.pem" }, "http.tls_cert_file: required with http.tls_key_file"},
		{"http.tls/both_ok", func(c *Config) { c.HTTP.TLSCertFile, c.HTTP.TLSKeyFile = "cert.pem", "key.pem" }, ""},

		{"terminals/id_required", func(c *Config) { c.Terminals[0].ID = "" }, "terminals[0].id: required"},
		{"terminals/id_pattern", func(c *Config) { c.Terminals[0].ID = "Lane 1" }, `terminals[0].id: "Lane 1" must be`},
		{"terminals/id_too_long", func(c *Config) { c.Terminals[0].ID = strings.Repeat("l", 33) }, "terminals[0].id: "},
		{"terminals/id_unique", func(c *Config) { c.Terminals[1].ID = "lane1" }, `terminals[1].id: "lane1" is also terminals[0]`},
		{"terminals/token_missing", func(c *Config) { c.Terminals[0].Token = "" }, "terminals[0]: needs exactly one of token and token_file"},
		{"terminals/token_and_file", func(c *Config) { c.Terminals[0].TokenFile = "/etc/storeagent/lane1.token" }, "terminals[0]: sets both token and token_file"},
		{"terminals/token_short_demo", func(c *Config) { c.Terminals[0].Token = "demo-lane1" }, "terminals[0].token: the token is 10 characters; run needs at least 16, so short demo tokens are refused"},
		{"terminals/token_15", func(c *Config) { c.Terminals[0].Token = "0123456789abcde" }, "terminals[0].token: the token is 15 characters"},
		{"terminals/token_16_ok", func(c *Config) { c.Terminals[0].Token = "0123456789abcdef" }, ""},
		{"terminals/token_space", func(c *Config) { c.Terminals[0].Token = "0123456789 abcdef" }, "terminals[0].token: the token must be printable ASCII without spaces"},
		{"terminals/token_placeholder", func(c *Config) { c.Terminals[0].Token = "REPLACE-ME-0123456789abcdef" }, "terminals[0].token: the token contains \"replace\": it is a placeholder"},
		{"terminals/token_changeme", func(c *Config) { c.Terminals[0].Token = "ChangeMe-7f3a9b2c4d" }, "terminals[0].token: the token contains \"changeme\""},
		{"terminals/token_weak", func(c *Config) { c.Terminals[0].Token = "aaaaaaaaaabbbbbbbbbb" }, "terminals[0].token: the token uses only 2 different characters"},
		{"terminals/token_from_file_short", func(c *Config) {
			c.Terminals[1].Token, c.Terminals[1].tokenFromFile = "short", true
		}, "terminals[1].token_file: the token is 5 characters"},
		{"terminals/token_from_file_ok", func(c *Config) {
			c.Terminals[1].Token, c.Terminals[1].tokenFromFile = "3f9a1c7e5b2d4086a1e9c3b5d7f20486", true
		}, ""},
		{"terminals/scanner_unknown", func(c *Config) { c.Terminals[0].Scanners = []string{"lane9-scanner"} }, `terminals[0].scanners[0]: "lane9-scanner" is not a device name`},
		{"terminals/scanner_is_printer", func(c *Config) { c.Terminals[0].Scanners = []string{"lane1-printer"} }, `terminals[0].scanners[0]: "lane1-printer" is a printer, not a scanner`},
		{"terminals/scanner_shared", func(c *Config) { c.Terminals[1].Scanners = []string{"lane2-scanner", "lane1-scanner"} }, `terminals[1].scanners[1]: "lane1-scanner" already belongs to terminals[0]`},
		{"terminals/scanner_listed_twice", func(c *Config) { c.Terminals[0].Scanners = []string{"lane1-scanner", "lane1-scanner"} }, `terminals[0].scanners[1]: "lane1-scanner" already belongs to terminals[0]`},
		{"terminals/printer_unknown", func(c *Config) { c.Terminals[0].Printer = "lane9-printer" }, `terminals[0].printer: "lane9-printer" is not a device name`},
		{"terminals/printer_is_scanner", func(c *Config) { c.Terminals[0].Printer = "lane2-scanner" }, `terminals[0].printer: "lane2-scanner" is a scanner, not a printer`},
		{"terminals/printer_shared_ok", func(c *Config) { c.Terminals[1].Printer = "lane1-printer" }, ""},
		{"terminals/printers_unknown", func(c *Config) { c.Terminals[1].Printers = []string{"backoffice"} }, `terminals[1].printers[0]: "backoffice" is not a device name`},
		{"terminals/printers_scanner", func(c *Config) { c.Terminals[1].Printers = []string{"lane1-scanner"} }, `terminals[1].printers[0]: "lane1-scanner" is a scanner, not a printer`},
		{"terminals/printers_ok", func(c *Config) { c.Terminals[1].Printers = []string{"lane1-printer"} }, ""},
		{"terminals/no_devices_ok", func(c *Config) { c.Terminals[0].Scanners, c.Terminals[0].Printer = nil, "" }, ""},

		{"customers/cache_ttl_zero", func(c *Config) { c.Customers.CacheTTL = 0 }, "customers.cache_ttl: 0s must be more than 0"},
		{"customers/lookup_timeout_negative", func(c *Config) { c.Customers.LookupTimeout = Duration(-time.Second) }, "customers.lookup_timeout: -1s must be more than 0"},
		{"customers/lookup_timeout_over_30s", func(c *Config) { c.Customers.LookupTimeout = Duration(31 * time.Second) }, "customers.lookup_timeout: 31s is more than 30s"},
		{"customers/lookup_timeout_30s_ok", func(c *Config) { c.Customers.LookupTimeout = Duration(30 * time.Second) }, ""},
		{"mqtt/reconnect_window_negative", func(c *Config) { c.MQTT.ReconnectWindow = Duration(-time.Second) }, "mqtt.reconnect_window: -1s is not between 0 and 2m"},
		{"mqtt/reconnect_window_over_2m", func(c *Config) { c.MQTT.ReconnectWindow = Duration(121 * time.Second) }, "mqtt.reconnect_window: 2m1s is not between 0 and 2m"},
		{"mqtt/reconnect_window_2m_ok", func(c *Config) { c.MQTT.ReconnectWindow = Duration(2 * time.Minute) }, ""},
		{"mqtt/reconnect_window_off_ok", func(c *Config) { c.MQTT.ReconnectWindow = 0 }, ""},

		{"mqtt.broker/scheme", func(c *Config) { c.MQTT.Broker = "http://central.example" }, `mqtt.broker: "http://central.example" has scheme "http", not one of tcp, ssl, tls, ws, wss`},
		{"mqtt.broker/no_scheme", func(c *Config) { c.MQTT.Broker = "central.example:1883" }, `mqtt.broker: "central.example:1883" has scheme "central.example"`},
		{"mqtt.broker/not_url", func(c *Config) { c.MQTT.Broker = "::" }, `mqtt.broker: "::" is not a URL`},
		{"mqtt.broker/no_host", func(c *Config) { c.MQTT.Broker = "tcp://:1883" }, `mqtt.broker: "tcp://:1883" has no host`},
		{"mqtt.broker/bad_port", func(c *Config) { c.MQTT.Broker = "tcp://central.example:0" }, `mqtt.broker: "tcp://central.example:0" has port "0"`},
		{"mqtt.broker/required", func(c *Config) { c.MQTT.Broker = "" }, "mqtt.broker: required"},
		{"mqtt.broker/wss_ok", func(c *Config) { c.MQTT.Broker = "wss://central.example/mqtt" }, ""},
		{"mqtt.topic_prefix/required", func(c *Config) { c.MQTT.TopicPrefix = "" }, "mqtt.topic_prefix: required"},
		{"mqtt.topic_prefix/wildcard_plus", func(c *Config) { c.MQTT.TopicPrefix = "retail/+" }, `mqtt.topic_prefix: "retail/+" must not contain +, # or $`},
		{"mqtt.topic_prefix/wildcard_hash", func(c *Config) { c.MQTT.TopicPrefix = "#" }, `mqtt.topic_prefix: "#" must not contain`},
		{"mqtt.topic_prefix/dollar", func(c *Config) { c.MQTT.TopicPrefix = "$SYS" }, `mqtt.topic_prefix: "$SYS" must not contain`},
		{"mqtt.topic_prefix/leading_slash", func(c *Config) { c.MQTT.TopicPrefix = "/retail" }, `mqtt.topic_prefix: "/retail" must not start or end with /`},
		{"mqtt.topic_prefix/trailing_slash", func(c *Config) { c.MQTT.TopicPrefix = "retail/" }, `mqtt.topic_prefix: "retail/" must not start or end with /`},
		{"mqtt.topic_prefix/levels_ok", func(c *Config) { c.MQTT.TopicPrefix = "acme/retail" }, ""},
		{"mqtt.client_id/too_long", func(c *Config) { c.MQTT.ClientID = strings.Repeat("c", 65) }, "mqtt.client_id: \"" + strings.Repeat("c", 65) + "\" is 65 characters; at most 64"},
		{"mqtt.client_id/default_too_long", func(c *Config) { c.StoreID = strings.Repeat("s", 60) }, "mqtt.client_id: \"storeagent-" + strings.Repeat("s", 60) + "\" is 71 characters"},
		{"mqtt.client_id/own_ok", func(c *Config) { c.MQTT.ClientID = "it-mi-001-agent" }, ""},
		{"mqtt.password/and_file", func(c *Config) {
			c.MQTT.Username, c.MQTT.Password, c.MQTT.PasswordFile = "u", "p", "/etc/storeagent/mqtt.password"
		}, "mqtt.password: set both with mqtt.password_file"},
		{"mqtt.password/from_file_ok", func(c *Config) {
			c.MQTT.Username, c.MQTT.Password, c.MQTT.PasswordFile, c.MQTT.passwordFromFile = "u", "p", "/etc/storeagent/mqtt.password", true
		}, ""},
		{"mqtt.password/without_username", func(c *Config) { c.MQTT.Password = "p" }, "mqtt.username: required when a password is set"},
		{"mqtt.tls/cert_without_key", func(c *Config) {
			c.MQTT.Broker, c.MQTT.CertFile = "ssl://central.example:8883", "client.pem"
		}, "mqtt.key_file: required with mqtt.cert_file"},
		{"mqtt.tls/key_without_cert", func(c *Config) {
			c.MQTT.Broker, c.MQTT.KeyFile = "ssl://central.example:8883", "client.key"
		}, "mqtt.cert_file: required with mqtt.key_file"},
		{"mqtt.tls/ca_without_tls", func(c *Config) { c.MQTT.CAFile = "ca.pem" }, "mqtt.ca_file: only with a TLS broker"},
		{"mqtt.tls/cert_without_tls", func(c *Config) {
			c.MQTT.Broker, c.MQTT.CertFile, c.MQTT.KeyFile = "ws://central.example/mqtt", "client.pem", "client.key"
		}, "mqtt.cert_file: only with a TLS broker | mqtt.key_file: only with a TLS broker"},
		{"mqtt.tls/all_with_tls_ok", func(c *Config) {
			c.MQTT.Broker, c.MQTT.CAFile, c.MQTT.CertFile, c.MQTT.KeyFile = "tls://central.example:8883", "ca.pem", "client.pem", "client.key"
		}, ""},

		{"devices/name_required", func(c *Config) { c.Devices[3].Name = ""; c.Terminals[1].Printer = "" }, "devices[3].name: required"},
		{"devices/name_pattern", func(c *Config) { c.Devices[3].Name = "-net"; c.Terminals[1].Printer = "" }, `devices[3].name: "-net" must start with a-z or 0-9`},
		{"devices/name_upper_case", func(c *Config) { c.Devices[3].Name = "Net"; c.Terminals[1].Printer = "" }, `devices[3].name: "Net"`},
		{"devices/name_too_long", func(c *Config) { c.Devices[3].Name = strings.Repeat("n", 65); c.Terminals[1].Printer = "" }, "devices[3].name: "},
		{"devices/name_dots_ok", func(c *Config) { c.Devices[3].Name = "net.printer_1"; c.Terminals[1].Printer = "net.printer_1" }, ""},
		{"devices/name_unique", func(c *Config) { c.Devices[3].Name = "lane1-printer"; c.Terminals[1].Printer = "" }, `devices[3].name: "lane1-printer" is also devices[2]`},
		{"devices/type", func(c *Config) { c.Devices[3].Type = "drawer" }, `devices[3].type: "drawer" is not one of scanner, printer`},
		{"devices/transport", func(c *Config) { c.Devices[1].Transport = "usb2" }, `devices[1].transport: "usb2" is not one of serial, hid, usblp, tcp`},
		{"devices/hid_printer", func(c *Config) { c.Devices[2].Transport = "hid" }, `devices[2].transport: "hid" is only for scanners`},
		{"devices/usblp_scanner", func(c *Config) { c.Devices[1].Transport = "usblp" }, `devices[1].transport: "usblp" is only for printers`},
		{"devices/path_required", func(c *Config) { c.Devices[0].Path = "" }, "devices[0].path: required"},
		{"devices/tcp_path_not_host_port", func(c *Config) { c.Devices[3].Path = "192.168.1.50" }, `devices[3].path: "192.168.1.50" is not host:port`},
		{"devices/tcp_path_no_host", func(c *Config) { c.Devices[3].Path = ":9100" }, `devices[3].path: ":9100" has no host`},
		{"devices/tcp_path_port_0", func(c *Config) { c.Devices[3].Path = "printer.local:0" }, `devices[3].path: "printer.local:0" has port "0"; want a number 1..65535`},
		{"devices/tcp_scanner_ok", func(c *Config) {
			c.Devices[0] = Device{Name: "lane1-scanner", Type: "scanner", Transport: "tcp", Path: "10.0.0.7:51000"}
		}, ""},
		{"devices/windows_com_ok", func(c *Config) { c.Devices[0].Path = "COM3" }, ""},
		{"devices/baud", func(c *Config) { c.Devices[0].Baud = 9601 }, "devices[0].baud: 9601 is not a standard rate"},
		{"devices/baud_115200_ok", func(c *Config) { c.Devices[0].Baud = 115200 }, ""},
		{"devices/data_bits", func(c *Config) { c.Devices[0].DataBits = 9 }, "devices[0].data_bits: 9 is outside 5..8"},
		{"devices/data_bits_7_ok", func(c *Config) { c.Devices[0].DataBits = 7 }, ""},
		{"devices/parity", func(c *Config) { c.Devices[0].Parity = "mark" }, `devices[0].parity: "mark" is not one of none, odd, even`},
		{"devices/parity_even_ok", func(c *Config) { c.Devices[0].Parity = "even" }, ""},
		{"devices/stop_bits", func(c *Config) { c.Devices[0].StopBits = 3 }, "devices[0].stop_bits: 3 is not 1 or 2"},
		{"devices/stop_bits_2_ok", func(c *Config) { c.Devices[0].StopBits = 2 }, ""},
		{"devices/serial_settings_on_tcp", func(c *Config) { c.Devices[3].Baud = 9600 }, `devices[3]: baud, data_bits, parity and stop_bits are only for transport serial, not "tcp"`},
		{"devices/profile_pattern", func(c *Config) { c.Devices[0].Profile = "My Profile" }, `devices[0].profile: "My Profile" is not a profile name`},
		{"devices/profile_own_ok", func(c *Config) { c.Devices[2].Profile = "epson-tm-t20" }, ""},
		{"devices/drawer_ok", func(c *Config) {
			c.Devices[2].DrawerOpenWhen, c.Devices[2].DrawerPoll = "high", Duration(500*time.Millisecond)
			c.Till.RequireDrawerClosed = true
		}, ""},
		{"devices/drawer_open_when", func(c *Config) { c.Devices[2].DrawerOpenWhen = "open" }, `devices[2].drawer_open_when: "open" is not one of low, high`},
		{"devices/drawer_poll_too_fast", func(c *Config) { c.Devices[3].DrawerPoll = Duration(10 * time.Millisecond) }, "devices[3].drawer_poll: 10ms is outside 250ms..1m"},
		{"devices/drawer_on_scanner", func(c *Config) { c.Devices[0].DrawerOpenWhen = "low" }, `devices[0]: drawer_open_when and drawer_poll are only for printers, not "scanner"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := configValidBase()
			tt.mutate(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v; want nil", err)
				}
				return
			}
			var cerr *ConfigError
			if !errors.As(err, &cerr) {
				t.Fatalf("Validate() = %v; want a *ConfigError with %q", err, tt.want)
			}
			wants := strings.Split(tt.want, " | ")
			if len(cerr.Problems) != len(wants) {
				t.Fatalf("Validate() problems = %q; want %d starting %q", cerr.Error(), len(wants), wants)
			}
			for i, w := range wants {
				if got := cerr.Problems[i].String(); !strings.HasPrefix(got, w) {
					t.Errorf("problem %d = %q; want it to start %q", i, got, w)
				}
			}
		})
	}
}

func TestConfig_Validate_allAtOnce(t *testing.T) {
	c := configValidBase()
	c.StoreID = ""
	c.Log.Level = "loud"
	c.Devices[1].Transport = "usb2"
	err := c.Validate()
	var cerr *ConfigError
	if !errors.As(err, &cerr) {
		t.Fatalf("Validate() = %v; want a *ConfigError", err)
	}
	var got []string
	for _, p := range cerr.Problems {
		got = append(got, p.Path)
	}
	want := []string{"store_id", "log.level", "devices[1].transport"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("problem paths = %v; want %v", got, want)
	}
	if !strings.Contains(err.Error(), `devices[1].transport: "usb2" is not one of serial, hid, usblp, tcp`) {
		t.Errorf("Error() = %q; want the contract's example message", err)
	}
}

func TestConfig_applyDerivedDefaults(t *testing.T) {
	t.Run("client_id", func(t *testing.T) {
		c := configValidBase()
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		if got, want := c.MQTT.ClientID, "storeagent-it-mi-001"; got != want {
			t.Errorf("MQTT.ClientID = %q; want %q", got, want)
		}
	})
	t.Run("client_id_kept", func(t *testing.T) {
		c := configValidBase()
		c.MQTT.ClientID = "own"
		c.applyDerivedDefaults()
		if got, want := c.MQTT.ClientID, "own"; got != want {
			t.Errorf("MQTT.ClientID = %q; want %q", got, want)
		}
	})
	regions := []struct{ locale, rcn, want string }{
		{"it-IT", "", "IT"},
		{"fi-FI", "", "FI"},
		{"fr-BE", "", "BE"},
		{"fr", "", ""}, // no region in the tag: nothing is guessed
		{"it-IT", "SM", "SM"},
		{"not a tag", "", ""},
	}
	for _, r := range regions {
		t.Run("rcn_region/"+r.locale+"/"+r.rcn, func(t *testing.T) {
			c := Config{Locale: r.locale, RCNRegion: r.rcn}
			c.applyDerivedDefaults()
			if c.RCNRegion != r.want {
				t.Errorf("RCNRegion = %q; want %q", c.RCNRegion, r.want)
			}
		})
	}
	profiles := []struct{ typ, transport, want string }{
		{"scanner", "serial", "generic-serial-scanner"},
		{"scanner", "tcp", "generic-serial-scanner"},
		{"scanner", "hid", "generic-hid-scanner"},
		{"printer", "serial", "generic-80mm"},
		{"printer", "usblp", "generic-80mm"},
		{"printer", "tcp", "generic-80mm"},
		{"scanner", "usblp", ""},
		{"printer", "hid", ""},
	}
	for _, p := range profiles {
		t.Run("profile/"+p.typ+"/"+p.transport, func(t *testing.T) {
			c := Config{Devices: []Device{{Type: p.typ, Transport: p.transport}, {Type: p.typ, Transport: p.transport, Profile: "own"}}}
			c.applyDerivedDefaults()
			if got := c.Devices[0].Profile; got != p.want {
				t.Errorf("Devices[0].Profile = %q; want %q", got, p.want)
			}
			if got := c.Devices[1].Profile; got != "own" {
				t.Errorf("Devices[1].Profile = %q; want the configured %q", got, "own")
			}
		})
	}
}

// testRTConfig is a valid fiscal.printer.
func testRTConfig() FiscalPrinterConfig {
	return FiscalPrinterConfig{Driver: "epson-fpmate", URL: "http://192.168.1.50/cgi-bin/fpmate.cgi",
		Departments: map[int64]int64{2200: 1, 1000: 2, 400: 3, 0: 13}, Payments: map[string][]int64{"cash": {0, 0}, "card": {2, 1}}}
}
