package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseConfig checks that ParseConfig never panics, whatever the file and the environment,
// and that a config it accepts always validates again.
func FuzzParseConfig(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "config", "*", "storeagent.yaml"))
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "")
	}
	f.Add([]byte("store_id: s1\n"), "STOREAGENT_LOG_LEVEL=debug\nSTOREAGENT_CASH_ROUNDING_MINOR=abc")
	f.Add([]byte("store_id: s1\ndevices: [{name: a, type: scanner, transport: hid, path: /dev/input/event3}]\n"), "")
	f.Add([]byte("store_id: s1\nrcn_layouts: [{prefix: '21', item_start: 2, item_len: 5, kind: weight, value_start: 7, value_len: 5}]\n"), "")
	f.Add([]byte("store_id: s1\nstore: &a {<<: *a}\n"), "")
	f.Add([]byte("a: &a [*a]\n"), "")
	f.Add([]byte("store_id: s1\nterminals: [{id: t, token: 0123456789abcdef}]\n"), "STOREAGENT_MQTT_CLIENT_ID=x")
	f.Fuzz(func(t *testing.T, data []byte, env string) {
		environ := strings.Split(env, "\n")
		c, _, err := ParseConfig(data, "fuzz.yaml", environ, "")
		if err != nil {
			if c != nil {
				t.Fatalf("ParseConfig returned a config with error %v", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted config does not validate again: %v", err)
		}
		if r := c.Redacted(); len(c.Terminals) == 0 && c.MQTT.Password == "" {
			if err := r.Validate(); err != nil {
				t.Fatalf("redacted config without secrets does not validate: %v", err)
			}
		}
	})
}
