package agent

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLoadConfig_secrets(t *testing.T) {
	t.Run("token_file", func(t *testing.T) {
		dir := configCopyCase(t, filepath.Join("testdata", "config", "full"))
		c, _, err := LoadConfig(filepath.Join(dir, "storeagent.yaml"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.Terminals[0].Token, "3f9a1c7e5b2d4086a1e9c3b5d7f20486"; got != want {
			t.Errorf("Terminals[0].Token = %q; want %q (the file without its newline)", got, want)
		}
		if got, want := c.Terminals[0].TokenFile, filepath.Join(dir, "lane1.token"); got != want {
			t.Errorf("Terminals[0].TokenFile = %q; want %q", got, want)
		}
	})
	t.Run("password_file_from_env", func(t *testing.T) {
		dir := configCopyCase(t, filepath.Join("testdata", "config", "env-overrides"))
		c, _, err := LoadConfig(filepath.Join(dir, "storeagent.yaml"), configReadEnv(t, filepath.Join(dir, "env")))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.MQTT.Password, "s3cret-mqtt-pass"; got != want {
			t.Errorf("MQTT.Password = %q; want %q", got, want)
		}
	})
	t.Run("crlf_trimmed", func(t *testing.T) {
		dir := t.TempDir()
		configWrite(t, dir, "t.token", "0f1e2d3c4b5a69788796a5b4c3d2e1f0\r\n\r\n", 0o600)
		c, _, err := ParseConfig([]byte("store_id: s1\nterminals: [{id: t1, token_file: t.token}]\n"), "x.yaml", nil, dir)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.Terminals[0].Token, "0f1e2d3c4b5a69788796a5b4c3d2e1f0"; got != want {
			t.Errorf("Token = %q; want %q", got, want)
		}
	})
	t.Run("too_large", func(t *testing.T) {
		dir := t.TempDir()
		configWrite(t, dir, "t.token", strings.Repeat("x", configMaxSecret+1), 0o600)
		_, _, err := ParseConfig([]byte("store_id: s1\nterminals: [{id: t1, token_file: t.token}]\n"), "x.yaml", nil, dir)
		if err == nil || !strings.Contains(err.Error(), "terminals[0].token_file: secret file") || !strings.Contains(err.Error(), "larger than 64 KiB") {
			t.Errorf("ParseConfig error = %v; want terminals[0].token_file: ... larger than 64 KiB", err)
		}
	})
	t.Run("device", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no /dev/null")
		}
		_, _, err := ParseConfig([]byte("store_id: s1\nterminals: [{id: t1, token_file: /dev/null}]\n"), "x.yaml", nil, "")
		if err == nil || !strings.Contains(err.Error(), "terminals[0].token_file: secret file /dev/null is not a regular file") {
			t.Errorf("ParseConfig error = %v; want not a regular file", err)
		}
	})
	t.Run("folder", func(t *testing.T) {
		dir := t.TempDir()
		_, _, err := ParseConfig([]byte("store_id: s1\nterminals: [{id: t1, token_file: .}]\n"), "x.yaml", nil, dir)
		if err == nil || !strings.Contains(err.Error(), "is a folder") {
			t.Errorf("ParseConfig error = %v; want a folder error", err)
		}
	})
}

func TestLoadConfig_secretPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has ACLs, not mode bits")
	}
	for _, tt := range []struct {
		mode os.FileMode
		warn bool
	}{{0o600, false}, {0o400, false}, {0o640, true}, {0o604, true}} {
		t.Run(tt.mode.String(), func(t *testing.T) {
			dir := t.TempDir()
			configWrite(t, dir, "mqtt.password", "pw\n", tt.mode)
			yml := "store_id: s1\nmqtt: {username: u, password_file: mqtt.password}\n"
			c, warnings, err := ParseConfig([]byte(yml), "x.yaml", nil, dir)
			if err != nil {
				t.Fatal(err)
			}
			if c.MQTT.Password != "pw" {
				t.Errorf("MQTT.Password = %q; want %q", c.MQTT.Password, "pw")
			}
			got := len(warnings) == 1 && strings.HasPrefix(warnings[0], "mqtt.password_file: secret file") &&
				strings.Contains(warnings[0], "readable by group or others")
			if got != tt.warn || (!tt.warn && len(warnings) != 0) {
				t.Errorf("warnings = %q; want a permission warning: %v", warnings, tt.warn)
			}
		})
	}
}

func TestLoadConfig_path(t *testing.T) {
	t.Run("from_environ", func(t *testing.T) {
		dir := configCopyCase(t, filepath.Join("testdata", "config", "minimal"))
		env := []string{ConfigPathEnv + "=" + filepath.Join(dir, "storeagent.yaml")}
		c, _, err := LoadConfig("", env)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.StoreID, "fi-hel-002"; got != want {
			t.Errorf("StoreID = %q; want %q", got, want)
		}
	})
	t.Run("missing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nope.yaml")
		_, _, err := LoadConfig(path, nil)
		if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("LoadConfig error = %v; want not-exist naming %s", err, path)
		}
	})
}

func TestParseConfig_fileErrors(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
		line       int
		msg        string
	}{
		{"syntax", "store_id: s1\n  bad: [\n", 2, ""},
		{"empty", "", 0, "the config file is empty"},
		{"comments_only", "# nothing\n", 0, "the config file is empty"},
		{"null_document", "~\n", 0, "the config file is empty"},
		{"list_at_top", "- store_id: s1\n", 1, "expected a mapping of keys at the top, found a list"},
		{"scalar_at_top", "store_id\n", 1, `expected a mapping of keys at the top, found "store_id"`},
		{"tab_indent", "store_id: s1\nlog:\n\tlevel: info\n", 3, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseConfig([]byte(tt.yaml), "s.yaml", nil, "")
			var cerr *ConfigError
			if !errors.As(err, &cerr) || len(cerr.Problems) != 1 {
				t.Fatalf("ParseConfig error = %v; want one *ConfigError problem", err)
			}
			p := cerr.Problems[0]
			if p.Source != "s.yaml" || p.Line != tt.line || !strings.HasPrefix(p.Message, tt.msg) || p.Message == "" {
				t.Errorf("problem = %+v; want s.yaml line %d, message starting %q", p, tt.line, tt.msg)
			}
		})
	}
}

func TestParseConfig_baseDir(t *testing.T) {
	yml := "store_id: s1\ndata_dir: data\nprofiles_dir: /opt/profiles\nhttp: {tls_cert_file: c.pem, tls_key_file: k.pem}\n"
	t.Run("relative_to_base", func(t *testing.T) {
		base := t.TempDir()
		c, _, err := ParseConfig([]byte(yml), "x.yaml", nil, base)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.DataDir, filepath.Join(base, "data"); got != want {
			t.Errorf("DataDir = %q; want %q", got, want)
		}
		if got, want := c.HTTP.TLSKeyFile, filepath.Join(base, "k.pem"); got != want {
			t.Errorf("HTTP.TLSKeyFile = %q; want %q", got, want)
		}
		if got, want := c.ProfilesDir, "/opt/profiles"; got != want {
			t.Errorf("ProfilesDir = %q; want %q (absolute stays)", got, want)
		}
	})
	t.Run("empty_base_keeps_relative", func(t *testing.T) {
		c, _, err := ParseConfig([]byte(yml), "x.yaml", nil, "")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.DataDir, "data"; got != want {
			t.Errorf("DataDir = %q; want %q", got, want)
		}
	})
}

func TestParseConfig_aliasExpansion(t *testing.T) {
	// 1,000 aliases of a terminal with 1,000 scanners: 10^6 values from 10 KB of YAML.
	var b strings.Builder
	b.WriteString("store_id: s1\nterminals:\n  - &t {id: t0, scanners: [" + strings.Repeat("a, ", 999) + "a]}\n")
	b.WriteString(strings.Repeat("  - *t\n", 1000))
	start := time.Now()
	_, _, err := ParseConfig([]byte(b.String()), "bomb.yaml", nil, "")
	if err == nil || !strings.Contains(err.Error(), "bomb.yaml:3: terminals[199].scanners[") || !strings.Contains(err.Error(), "expands to too many values") {
		t.Errorf("ParseConfig error = %.300v; want the expansion refused", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("ParseConfig took %v; want the alias expansion cut short", d)
	}
}

func TestParseConfig_mergeBomb(t *testing.T) {
	// Merge keys double at each level: 2^40 visits unless the node budget stops them.
	var b strings.Builder
	b.WriteString("store_id: s1\nterminals:\n  - &m0 {id: t0}\n")
	for i := 1; i <= 40; i++ {
		b.WriteString("  - &m" + strconv.Itoa(i) + " {<<: [*m" + strconv.Itoa(i-1) + ", *m" + strconv.Itoa(i-1) + "]}\n")
	}
	_, _, err := ParseConfig([]byte(b.String()), "bomb.yaml", nil, "")
	if err == nil || !strings.Contains(err.Error(), "expands to too many values") {
		t.Errorf("ParseConfig error = %v; want the expansion refused", err)
	}
}

func TestConfigDefaultPath(t *testing.T) {
	tests := []struct {
		name, goos string
		env        map[string]string
		want       string
	}{
		{"linux", "linux", nil, "/etc/storeagent/storeagent.yaml"},
		{"darwin", "darwin", nil, "/etc/storeagent/storeagent.yaml"},
		{"windows", "windows", map[string]string{"ProgramData": `D:\PD`}, `D:\PD\storeagent\storeagent.yaml`},
		{"windows_unset", "windows", nil, `C:\ProgramData\storeagent\storeagent.yaml`},
		{"env_wins", "windows", map[string]string{ConfigPathEnv: `E:\s.yaml`}, `E:\s.yaml`},
		{"env_wins_linux", "linux", map[string]string{ConfigPathEnv: "/srv/s.yaml"}, "/srv/s.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := configDefaultPath(tt.goos, func(k string) string { return tt.env[k] })
			if got != tt.want {
				t.Errorf("configDefaultPath = %q; want %q", got, tt.want)
			}
		})
	}
	t.Run("process_env", func(t *testing.T) {
		t.Setenv(ConfigPathEnv, "/tmp/from-env.yaml")
		if got := DefaultConfigPath(); got != "/tmp/from-env.yaml" {
			t.Errorf("DefaultConfigPath() = %q; want $%s", got, ConfigPathEnv)
		}
	})
}

func TestDefaultConfig(t *testing.T) {
	c := configDefaults("linux", func(string) string { return "" })
	checks := []struct{ name, got, want string }{
		{"data_dir", c.DataDir, "/var/lib/storeagent"},
		{"locale", c.Locale, "en-GB"},
		{"currency", c.Currency, "EUR"},
		{"store.timezone", c.Store.Timezone, "UTC"},
		{"log.format", c.Log.Format, "text"},
		{"log.level", c.Log.Level, "info"},
		{"http.listen", c.HTTP.Listen, "0.0.0.0:8080"},
		{"customers.cache_ttl", c.Customers.CacheTTL.String(), "24h"},
		{"customers.lookup_timeout", c.Customers.LookupTimeout.String(), "2s"},
		{"mqtt.broker", c.MQTT.Broker, "tcp://127.0.0.1:1883"},
		{"mqtt.topic_prefix", c.MQTT.TopicPrefix, "retail"},
		{"mqtt.reconnect_window", c.MQTT.ReconnectWindow.String(), "45s"},
		{"windows data_dir", configDefaults("windows", func(string) string { return "" }).DataDir, `C:\ProgramData\storeagent\data`},
	}
	for _, ch := range checks {
		t.Run(ch.name, func(t *testing.T) {
			if ch.got != ch.want {
				t.Errorf("%s = %q; want %q", ch.name, ch.got, ch.want)
			}
		})
	}
	t.Run("needs_store_id", func(t *testing.T) {
		c := DefaultConfig()
		err := c.Validate()
		var cerr *ConfigError
		if !errors.As(err, &cerr) || len(cerr.Problems) != 1 || cerr.Problems[0].Path != "store_id" {
			t.Errorf("DefaultConfig().Validate() = %v; want only store_id missing", err)
		}
	})
}

func TestConfig_Redacted(t *testing.T) {
	c := configValidBase()
	c.MQTT.Username, c.MQTT.Password = "u", "mqtt-secret"
	c.MQTT.Broker = "ssl://u:url-secret@central.example:8883"
	r := c.Redacted()
	if r.Terminals[0].Token != "" || r.MQTT.Password != "" {
		t.Errorf("Redacted token, password = %q, %q; want both blank", r.Terminals[0].Token, r.MQTT.Password)
	}
	if strings.Contains(r.MQTT.Broker, "url-secret") || !strings.Contains(r.MQTT.Broker, "central.example") {
		t.Errorf("Redacted broker = %q; want the host without the password", r.MQTT.Broker)
	}
	if got := r.Terminals[1].TokenFile; got != c.Terminals[1].TokenFile {
		t.Errorf("Redacted token_file = %q; want %q kept", got, c.Terminals[1].TokenFile)
	}
	r.Terminals[0].Scanners[0] = "changed"
	if c.Terminals[0].Token == "" || c.MQTT.Password != "mqtt-secret" || c.Terminals[0].Scanners[0] != "lane1-scanner" {
		t.Errorf("Redacted changed the original config")
	}
}

func TestConfig_Device(t *testing.T) {
	c := configValidBase()
	d, ok := c.Device("net-printer")
	if !ok || d.Path != "192.168.1.50:9100" {
		t.Fatalf("Device(net-printer) = %+v, %v; want the tcp printer", d, ok)
	}
	d.Profile = "set-through-pointer"
	if c.Devices[3].Profile != "set-through-pointer" {
		t.Errorf("Device returned a copy; want a pointer into Devices")
	}
	if d, ok := c.Device("nope"); ok || d != nil {
		t.Errorf("Device(nope) = %v, %v; want nil, false", d, ok)
	}
}

func TestConfig_Location(t *testing.T) {
	for _, tt := range []struct{ tz, want string }{
		{"Europe/Rome", "Europe/Rome"},
		{"", "UTC"},
		{"Not/AZone", "UTC"},
	} {
		t.Run(tt.tz, func(t *testing.T) {
			c := Config{Store: StoreInfo{Timezone: tt.tz}}
			if got := c.Location().String(); got != tt.want {
				t.Errorf("Location() = %q; want %q", got, tt.want)
			}
		})
	}
	t.Run("offset", func(t *testing.T) {
		c := Config{Store: StoreInfo{Timezone: "Europe/Helsinki"}}
		_, off := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC).In(c.Location()).Zone()
		if off != 3*3600 {
			t.Errorf("Helsinki summer offset = %d; want 10800 (EEST, from the embedded tzdata)", off)
		}
	})
}

func TestDuration_UnmarshalText(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"24h", 24 * time.Hour, false},
		{"2s", 2 * time.Second, false},
		{"500ms", 500 * time.Millisecond, false},
		{"1h30m", 90 * time.Minute, false},
		{"1d", 0, true},
		{"5", 0, true},
		{"", 0, true},
	} {
		t.Run(tt.in, func(t *testing.T) {
			var d Duration
			err := d.UnmarshalText([]byte(tt.in))
			if (err != nil) != tt.wantErr || d.Std() != tt.want {
				t.Errorf("UnmarshalText(%q) = %v, %v; want %v, error %v", tt.in, d.Std(), err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestDuration_String(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{24 * time.Hour, "24h"}, {90 * time.Minute, "1h30m"}, {2 * time.Second, "2s"},
		{1500 * time.Millisecond, "1.5s"}, {time.Hour + time.Second, "1h0m1s"}, {5 * time.Minute, "5m"}, {0, "0s"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			if got := Duration(tt.d).String(); got != tt.want {
				t.Errorf("Duration(%v).String() = %q; want %q", tt.d, got, tt.want)
			}
			var back Duration
			if err := back.UnmarshalText([]byte(Duration(tt.d).String())); err != nil || back.Std() != tt.d {
				t.Errorf("round trip of %v = %v, %v", tt.d, back.Std(), err)
			}
		})
	}
}

// configWrite writes a file with mode in dir.
func configWrite(t *testing.T, dir, name, content string, mode os.FileMode) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // WriteFile's mode passes through the umask
		t.Fatal(err)
	}
}
