package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigEnvKeys(t *testing.T) {
	keys := configEnvKeys()
	byName := map[string]string{}
	for _, k := range keys {
		if prev, dup := byName[k.Name]; dup {
			t.Errorf("%s names both %s and %s", k.Name, prev, k.Path)
		}
		byName[k.Name] = k.Path
	}
	for _, tt := range []struct{ name, path string }{
		{"STOREAGENT_MQTT_BROKER", "mqtt.broker"},
		{"STOREAGENT_STORE_ID", "store_id"},
		{"STOREAGENT_HTTP_LISTEN", "http.listen"},
		{"STOREAGENT_LOG_LEVEL", "log.level"},
		{"STOREAGENT_STORE_TIMEZONE", "store.timezone"},
		{"STOREAGENT_STORE_VAT_ID", "store.vat_id"},
		{"STOREAGENT_CUSTOMERS_CACHE_TTL", "customers.cache_ttl"},
		{"STOREAGENT_CASH_ROUNDING_MINOR", "cash_rounding_minor"},
		{"STOREAGENT_TILL_REQUIRE_OPEN", "till.require_open"},
		{"STOREAGENT_TILL_DAY_STARTS_AT", "till.day_starts_at"},
		{"STOREAGENT_MQTT_PASSWORD_FILE", "mqtt.password_file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := byName[tt.name]; got != tt.path {
				t.Errorf("%s sets %q; want %q", tt.name, got, tt.path)
			}
		})
	}
	t.Run("no_lists", func(t *testing.T) {
		for name, path := range byName {
			if strings.HasPrefix(path, "terminals") || strings.HasPrefix(path, "devices") || strings.HasPrefix(path, "rcn_layouts") {
				t.Errorf("%s sets %s, inside a list", name, path)
			}
		}
		if _, ok := byName[ConfigPathEnv]; ok {
			t.Errorf("%s is a key; want it only as the config path", ConfigPathEnv)
		}
	})
	t.Run("count", func(t *testing.T) {
		// 7 top-level scalars + store 4 + links 3 + log 2 + http 7 + customers 2 + mqtt 10 + till 4
		// (require_open, max_difference_minor, day_starts_at, require_drawer_closed; denominations
		// is a list) + fiscal 5 + payments 2 (answer_timeout, unclaimed_after) + fleet 6 (pinned is a list)
		// + fiscal.printer 3 (driver, url, timeout; departments and payments are maps)
		// + http.aisle_rate_per_ip, http.aisle_burst_per_ip.
		if got, want := len(keys), 55; got != want {
			t.Errorf("len(configEnvKeys()) = %d; want %d", got, want)
		}
	})
}

func TestConfig_applyEnv(t *testing.T) {
	t.Run("later_entry_wins", func(t *testing.T) {
		c := DefaultConfig()
		var ps configProblems
		_, src := c.applyEnv([]string{"STOREAGENT_LOG_LEVEL=warn", "STOREAGENT_LOG_LEVEL=error"}, &ps)
		if c.Log.Level != "error" || src["log.level"] != "STOREAGENT_LOG_LEVEL" || ps.err() != nil {
			t.Errorf("log.level = %q, sources %v, %v; want error from STOREAGENT_LOG_LEVEL", c.Log.Level, src, ps.err())
		}
	})
	t.Run("empty_value_clears", func(t *testing.T) {
		c := DefaultConfig()
		c.Links.Receipt = "https://shop.example/r/{sale_id}"
		var ps configProblems
		c.applyEnv([]string{"STOREAGENT_LINKS_RECEIPT="}, &ps)
		if c.Links.Receipt != "" {
			t.Errorf("links.receipt = %q; want it cleared", c.Links.Receipt)
		}
	})
	t.Run("not_prefixed_ignored", func(t *testing.T) {
		c := DefaultConfig()
		var ps configProblems
		warnings, _ := c.applyEnv([]string{"LOG_LEVEL=debug", "storeagent_log_level=debug", "NOEQUALS", "STOREAGENT_CONFIG=/x.yaml"}, &ps)
		if c.Log.Level != "info" || len(warnings) != 0 {
			t.Errorf("log.level = %q, warnings %q; want info and none", c.Log.Level, warnings)
		}
	})
	t.Run("bool", func(t *testing.T) {
		c := DefaultConfig()
		var ps configProblems
		c.applyEnv([]string{"STOREAGENT_TILL_REQUIRE_OPEN=true"}, &ps)
		if err := ps.err(); err != nil || !c.Till.RequireOpen {
			t.Errorf("STOREAGENT_TILL_REQUIRE_OPEN=true: require_open %v, %v", c.Till.RequireOpen, err)
		}
		c.applyEnv([]string{"STOREAGENT_TILL_REQUIRE_OPEN=yes"}, &ps)
		if err := ps.err(); err == nil || !strings.Contains(err.Error(), `"yes" is not true or false`) {
			t.Errorf("STOREAGENT_TILL_REQUIRE_OPEN=yes: %v, want refused", err)
		}
	})

	t.Run("overflow", func(t *testing.T) {
		c := DefaultConfig()
		var ps configProblems
		c.applyEnv([]string{"STOREAGENT_CASH_ROUNDING_MINOR=99999999999999999999"}, &ps)
		if err := ps.err(); err == nil || !strings.Contains(err.Error(), "STOREAGENT_CASH_ROUNDING_MINOR: cash_rounding_minor: ") {
			t.Errorf("problems = %v; want one naming the variable and the key", err)
		}
	})
}

// TestConfigDocs checks that docs/config.md names every key and every environment variable.
func TestConfigDocs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docs", "config.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, k := range configEnvKeys() {
		if !strings.Contains(doc, "`"+k.Name+"`") {
			t.Errorf("docs/config.md does not name %s", k.Name)
		}
		if !strings.Contains(doc, "`"+k.Path+"`") {
			t.Errorf("docs/config.md does not name the key %s", k.Path)
		}
	}
	for _, path := range []string{"rcn_layouts[].prefix", "rcn_layouts[].value_check_pos", "terminals[].token_file", "terminals[].scanners", "devices[].transport", "devices[].stop_bits"} {
		if !strings.Contains(doc, "`"+path+"`") {
			t.Errorf("docs/config.md does not name the key %s", path)
		}
	}
}
