package agent

import (
	"reflect"
	"slices"
	"strings"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/sync/fleet"
)

// configChanges lists the config keys whose value differs between old and new, as dotted paths
// of the YAML keys (mqtt.broker, pos.quick_keys, devices): sections are walked key by key, and a
// list or a scalar is one key.
func configChanges(old, new *Config) []string {
	var out []string
	configDiff(reflect.ValueOf(*old), reflect.ValueOf(*new), "", &out)
	return out
}

func configDiff(a, b reflect.Value, path string, out *[]string) {
	if a.Kind() == reflect.Struct {
		fs := configFields(a.Type())
		for _, name := range fs.names {
			i := fs.index[name]
			configDiff(a.Field(i), b.Field(i), configJoinPath(path, name), out)
		}
		return
	}
	if !reflect.DeepEqual(a.Interface(), b.Interface()) {
		*out = append(*out, path)
	}
}

// configHot are the keys whose new value is swapped in while the agent runs, and the part each
// belongs to (docs/fleet.md, "What an overlay restarts"). Only keys a test shows in effect without
// a restart are here. log.level is hot only when the agent was given its logger's level
// (Options.LogLevel; configPlan's hotLog).
var configHot = map[string]string{"pos.quick_keys": fleet.PartPOS, "log.level": fleet.PartLog}

// configSyncKeys are the sections a reconnect of the MQTT link applies: the broker, its
// credentials and TLS, the topic prefix, the reconnect spread, and the customer lookups sync
// answers.
var configSyncKeys = []string{"mqtt", "customers"}

// configPlan maps the keys that differ between the running config and the next one to the parts
// that apply them: values swapped in place (pos, log), the device manager restarted (devices: only
// when only scanners changed), the MQTT link reconnected (sync), and for anything else the whole
// agent (fleet.PartAgent). No change is an empty plan.
func configPlan(cur, next *Config, hotLog bool) fleet.Plan {
	var p fleet.Plan
	add := func(list *[]string, part string) {
		if !slices.Contains(*list, part) {
			*list = append(*list, part)
		}
	}
	for _, key := range configChanges(cur, next) {
		switch {
		case configHot[key] != "" && (key != "log.level" || hotLog):
			add(&p.Reloaded, configHot[key])
		case configUnder(key, configSyncKeys):
			add(&p.Restarted, fleet.PartSync)
		case key == "devices" && scannersOnlyChanged(cur, next):
			add(&p.Restarted, fleet.PartDevices)
		default:
			return fleet.Plan{Restarted: []string{fleet.PartAgent}}
		}
	}
	slices.Sort(p.Restarted)
	slices.Sort(p.Reloaded)
	return p
}

// configUnder reports whether key is one of sections or a key inside one.
func configUnder(key string, sections []string) bool {
	for _, s := range sections {
		if key == s || strings.HasPrefix(key, s+".") {
			return true
		}
	}
	return false
}

// scannersOnlyChanged reports whether the devices that differ (added, removed or changed) are all
// plain scanners: not a scanner-scale (its scale reader is wired at start), and no printer,
// display or payment terminal (their drivers hold their settings). Those the device manager can
// take by a restart of its own.
func scannersOnlyChanged(cur, next *Config) bool {
	notPlain := map[string]bool{}
	for _, c := range []*Config{cur, next} {
		specs, err := deviceSpecs(c)
		if err != nil {
			return false
		}
		for _, sp := range specs {
			if sp.Type != devices.TypeScanner || sp.Profile.Scale != "" {
				notPlain[sp.Name] = true
			}
		}
	}
	byName := func(ds []Device) map[string]Device {
		m := map[string]Device{}
		for _, d := range ds {
			m[d.Name] = d
		}
		return m
	}
	o, n := byName(cur.Devices), byName(next.Devices)
	for _, pair := range [][2]map[string]Device{{o, n}, {n, o}} {
		for name, d := range pair[0] {
			if other, ok := pair[1][name]; ok && other == d {
				continue
			}
			if notPlain[name] || d.Type != "scanner" {
				return false
			}
		}
	}
	return true
}
