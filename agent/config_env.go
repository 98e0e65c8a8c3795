package agent

import (
	"encoding"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// ConfigEnvPrefix starts every environment variable that overrides a config key.
const ConfigEnvPrefix = "STOREAGENT_"

// configEnvKey is one config key that an environment variable can set.
type configEnvKey struct {
	// Name is the variable, e.g. STOREAGENT_MQTT_BROKER.
	Name string
	// Path is the key path, e.g. mqtt.broker.
	Path string
	// index leads from Config to the field (reflect.Value.FieldByIndex).
	index []int
}

// configEnvKeys lists the keys the environment can set: every scalar reachable from Config
// through mappings only (list entries such as terminals[0].token cannot be set), named
// STOREAGENT_ and the key path upper-cased with "_" for ".".
func configEnvKeys() []configEnvKey {
	var keys []configEnvKey
	var walk func(t reflect.Type, path string, index []int)
	walk = func(t reflect.Type, path string, index []int) {
		fields := configFields(t)
		for _, name := range fields.names {
			i := fields.index[name]
			f := t.Field(i)
			p := configJoinPath(path, name)
			idx := append(append([]int(nil), index...), i)
			switch {
			case reflect.PointerTo(f.Type).Implements(configTextUnmarshalerType):
			case f.Type.Kind() == reflect.Struct:
				walk(f.Type, p, idx)
				continue
			case f.Type.Kind() == reflect.Slice, f.Type.Kind() == reflect.Map:
				continue
			}
			keys = append(keys, configEnvKey{
				Name:  ConfigEnvPrefix + strings.ToUpper(strings.ReplaceAll(p, ".", "_")),
				Path:  p,
				index: idx,
			})
		}
	}
	walk(reflect.TypeFor[Config](), "", nil)
	return keys
}

// applyEnv overrides c with the STOREAGENT_* variables in environ ("NAME=value" entries, as
// os.Environ returns; a later entry wins). A variable that names no key is a warning, since
// test harnesses and packaging set others; a value of the wrong type is a problem. It returns
// the key paths it set, with the variable that set each.
func (c *Config) applyEnv(environ []string, ps *configProblems) (warnings []string, sources map[string]string) {
	byName := map[string]configEnvKey{}
	for _, k := range configEnvKeys() {
		byName[k.Name] = k
	}
	values := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, ConfigEnvPrefix) || name == ConfigPathEnv {
			continue
		}
		values[name] = value
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)

	sources = map[string]string{}
	root := reflect.ValueOf(c).Elem()
	for _, name := range names {
		k, ok := byName[name]
		if !ok {
			warnings = append(warnings, fmt.Sprintf(
				"environment: %s is not a configuration key; ignored (only keys outside lists can be set, e.g. STOREAGENT_MQTT_BROKER)", name))
			continue
		}
		if err := configSetScalar(root.FieldByIndex(k.index), values[name]); err != nil {
			ps.addAt(name, 0, k.Path, err.Error())
			continue
		}
		sources[k.Path] = name
	}
	return warnings, sources
}

// configSetScalar sets a string, integer or text-unmarshalling field from text.
func configSetScalar(v reflect.Value, s string) error {
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		return u.UnmarshalText([]byte(s))
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
		return nil
	case reflect.Int, reflect.Int64:
		i, err := configParseInt(s)
		if err != nil {
			return err
		}
		if v.OverflowInt(i) {
			return fmt.Errorf("%q is out of range", s)
		}
		v.SetInt(i)
		return nil
	case reflect.Bool:
		b, err := configParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
		return nil
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
}
