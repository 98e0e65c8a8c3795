package agent

import (
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/storeagent/storeagent/sync/fleet"
)

// FleetConfig is the fleet: key (CONTRACT.md wave 2, "Fleet operations"; docs/fleet.md): central's
// signing key, the update ring, and which keys IT pinned against central's config overlay. Fleet
// operations are off unless central_public_key_file is set.
type FleetConfig struct {
	// CentralPublicKeyFile is central's Ed25519 public key (PEM "PUBLIC KEY"); every command,
	// overlay and update must be signed by it.
	CentralPublicKeyFile string `yaml:"central_public_key_file"`
	// Ring is the update ring this store is in (canary, early, stable …); an update for another
	// ring is refused. Default "stable".
	Ring string `yaml:"ring"`
	// Pinned are config key paths (like mqtt.broker, or a whole section: http) that central's
	// overlay may not change: the file's value (or the default) stays. store_id, data_dir and
	// fleet are always pinned.
	Pinned []string `yaml:"pinned"`
	// HealthTimeout is how long a new config or binary has to become healthy (HTTP up, broker
	// connected) before it is rolled back; default 2m.
	HealthTimeout Duration `yaml:"health_timeout"`
	// DiagnosticsURL, when set, is an https URL a diagnostics bundle is POSTed to instead of
	// being sent in chunks over MQTT.
	DiagnosticsURL string `yaml:"diagnostics_url"`
	// UpdateMaxBytes bounds a downloaded binary; default 256 MiB.
	UpdateMaxBytes int64 `yaml:"update_max_bytes"`
	// IdleFor is how long the store must have had no POS request before an update, a config
	// change or a restart command goes ahead ("never mid-sale"); default 1m.
	IdleFor Duration `yaml:"idle_for"`
}

const (
	configDefaultRing          = "stable"
	configDefaultHealthTimeout = Duration(2 * time.Minute)
	configDefaultUpdateMax     = 256 << 20
	configDefaultIdleFor       = Duration(time.Minute)
)

var (
	configRingRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9-]{1,32}$`) })
	configPinnedRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)*$`) })
)

// configAlwaysPinned are the keys an overlay never changes: the store's identity, where its data
// lives, and the fleet section itself (so central cannot swap the key that checks it).
var configAlwaysPinned = []string{"store_id", "data_dir", "fleet"}

// FleetOn reports whether fleet operations are configured.
func (c *Config) FleetOn() bool { return c.Fleet.CentralPublicKeyFile != "" }

// fleetDefaults fills the fleet defaults (called from Validate through applyFleetDefaults).
func (c *Config) applyFleetDefaults() {
	f := &c.Fleet
	if f.Ring == "" {
		f.Ring = configDefaultRing
	}
	if f.HealthTimeout == 0 {
		f.HealthTimeout = configDefaultHealthTimeout
	}
	if f.UpdateMaxBytes == 0 {
		f.UpdateMaxBytes = configDefaultUpdateMax
	}
	if f.IdleFor == 0 {
		f.IdleFor = configDefaultIdleFor
	}
}

// validateFleet checks the fleet: key.
func (c *Config) validateFleet(ps *configProblems) {
	c.applyFleetDefaults()
	f := c.Fleet
	if f.CentralPublicKeyFile != "" {
		if _, err := fleet.LoadPublicKey(f.CentralPublicKeyFile); err != nil {
			ps.add("fleet.central_public_key_file", fmt.Sprintf("%s: %v (want central's Ed25519 key as a PEM PUBLIC KEY)", f.CentralPublicKeyFile, err))
		}
	}
	if !configRingRe().MatchString(f.Ring) {
		ps.add("fleet.ring", fmt.Sprintf("%q is not a ring name ([a-z0-9-], 1 to 32)", f.Ring))
	}
	for i, p := range f.Pinned {
		if !configPinnedRe().MatchString(p) || !configKeyExists(p) {
			ps.add(fmt.Sprintf("fleet.pinned[%d]", i), fmt.Sprintf("%q is not a config key path (like mqtt.broker or http)", p))
		}
	}
	if f.HealthTimeout < Duration(time.Second) || f.HealthTimeout > Duration(time.Hour) {
		ps.add("fleet.health_timeout", fmt.Sprintf("%s is not between 1s and 1h", f.HealthTimeout))
	}
	if f.IdleFor < 0 || f.IdleFor > Duration(time.Hour) {
		ps.add("fleet.idle_for", fmt.Sprintf("%s is not between 0 and 1h", f.IdleFor))
	}
	if f.UpdateMaxBytes < 1<<20 || f.UpdateMaxBytes > 2<<30 {
		ps.add("fleet.update_max_bytes", fmt.Sprintf("%d is not between 1 MiB and 2 GiB", f.UpdateMaxBytes))
	}
	if f.DiagnosticsURL != "" {
		if u, err := url.Parse(f.DiagnosticsURL); err != nil || u.Scheme != "https" || u.Host == "" {
			ps.add("fleet.diagnostics_url", fmt.Sprintf("%q is not an https URL", f.DiagnosticsURL))
		}
	}
}

// configKeyExists reports whether a dotted path names a key of Config (a section or a leaf).
func configKeyExists(path string) bool {
	t := reflect.TypeFor[Config]()
	for _, name := range strings.Split(path, ".") {
		if t.Kind() != reflect.Struct {
			return false
		}
		fs := configFields(t)
		i, ok := fs.index[name]
		if !ok {
			return false
		}
		t = t.Field(i).Type
	}
	return true
}

// configSource is what a Config was parsed from, kept so an overlay can be parsed over it.
type configSource struct {
	data    []byte
	source  string
	environ []string
	baseDir string
}

// WithOverlay returns the config the file gives with central's overlay (a JSON object of config
// keys, as in the YAML file) merged over it: defaults, then the file, then the overlay, then the
// environment, then the same validation as a file. Keys IT pinned (fleet.pinned, and store_id,
// data_dir and fleet always) keep the file's value; they are returned in ignored. An overlay that
// does not validate is an error naming the key.
func (c *Config) WithOverlay(overlay []byte) (cfg *Config, ignored []string, err error) {
	if c.src == nil {
		return nil, nil, fmt.Errorf("config overlay: the config was not loaded from a file")
	}
	var ov yaml.Node
	if err := yaml.Unmarshal(overlay, &ov); err != nil {
		return nil, nil, fmt.Errorf("config overlay: %w", err)
	}
	if ov.Kind != yaml.DocumentNode || len(ov.Content) != 1 || ov.Content[0].Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("config overlay: not an object of config keys")
	}
	pinned := append(slices.Clone(configAlwaysPinned), c.Fleet.Pinned...)
	src := c.src
	merge := func(root *yaml.Node) {
		configMergeOverlay(root, ov.Content[0], "", pinned, &ignored)
	}
	cfg, _, err = parseConfigWith(src.data, src.source+" + central's overlay", src.environ, src.baseDir, merge)
	if err != nil {
		return nil, ignored, err
	}
	return cfg, ignored, nil
}

// configPinned reports whether path is pinned: it or a section holding it is in pinned.
func configPinned(path string, pinned []string) bool {
	for _, p := range pinned {
		if path == p || strings.HasPrefix(path, p+".") {
			return true
		}
	}
	return false
}

// configMergeOverlay merges the mapping ov into the mapping dst: a mapping into a mapping key by
// key, anything else (scalars, lists) replaces the value. Pinned paths are skipped and listed in
// ignored.
func configMergeOverlay(dst, ov *yaml.Node, path string, pinned []string, ignored *[]string) {
	for i := 0; i+1 < len(ov.Content); i += 2 {
		k, v := ov.Content[i], ov.Content[i+1]
		p := configJoinPath(path, k.Value)
		if configPinned(p, pinned) {
			*ignored = append(*ignored, p)
			continue
		}
		j := configMappingIndex(dst, k.Value)
		if j < 0 {
			dst.Content = append(dst.Content, k, v)
			continue
		}
		if dv := dst.Content[j+1]; dv.Kind == yaml.MappingNode && v.Kind == yaml.MappingNode {
			configMergeOverlay(dv, v, p, pinned, ignored)
			continue
		}
		dst.Content[j+1] = v
	}
}

// configMappingIndex is the index of key's key node in the mapping m, or -1.
func configMappingIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}
