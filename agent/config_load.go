package agent

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// LoadConfig reads the config file at path (when path is empty: $STOREAGENT_CONFIG from environ,
// else DefaultConfigPath's OS default) and returns it parsed, overridden by environ, with its
// secrets read and validated; see ParseConfig. Relative paths in the file resolve against the
// file's folder.
func LoadConfig(path string, environ []string) (*Config, []string, error) {
	if path == "" {
		path = configDefaultPath(runtime.GOOS, configEnvLookup(environ))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read config: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read config: %w", err)
	}
	return ParseConfig(data, path, environ, filepath.Dir(abs))
}

// ParseConfig builds a Config from the YAML in data: DefaultConfig, then the file's keys, then
// the STOREAGENT_* variables in environ, then the secrets named by *_file keys, then Validate.
// source names the file in messages. Relative paths (data_dir, profiles_dir and every *_file)
// resolve against baseDir; with an empty baseDir they stay relative to the working directory.
//
// Every problem found is returned at once in a *ConfigError, each naming its source, line and
// key path. Warnings (an unknown STOREAGENT_* variable, a secret file others can read) do not
// stop the load.
func ParseConfig(data []byte, source string, environ []string, baseDir string) (*Config, []string, error) {
	return parseConfigWith(data, source, environ, baseDir, nil)
}

// parseConfigWith is ParseConfig with merge, if set, changing the parsed tree before it is decoded
// (central's overlay, config_fleet.go).
func parseConfigWith(data []byte, source string, environ []string, baseDir string, merge func(root *yaml.Node)) (*Config, []string, error) {
	root, err := configParseYAML(data, source)
	if err != nil {
		return nil, nil, err
	}
	if merge != nil {
		merge(root)
	}
	c := DefaultConfig()
	dec := newConfigDecoder(source)
	dec.decode(root, reflect.ValueOf(&c).Elem(), "")
	ps := dec.problems
	if dec.overBudget {
		return nil, nil, ps.err() // what was decoded is cut short; checking it would only add noise
	}

	warnings, envSources := c.applyEnv(environ, &ps)
	c.resolvePaths(baseDir)
	locate := func(path string) (string, int) { return configLocate(path, source, dec.lines, envSources) }
	warnings = append(warnings, c.readSecrets(locate, &ps)...)

	reported := map[string]bool{}
	for _, p := range ps.list {
		reported[p.Path] = true
	}
	var verr *ConfigError
	if err := c.Validate(); errors.As(err, &verr) {
		for _, p := range verr.Problems {
			if reported[p.Path] {
				continue // already reported as a type or secret problem
			}
			p.Source, p.Line = locate(p.Path)
			ps.list = append(ps.list, p)
		}
	}
	if err := ps.err(); err != nil {
		return nil, warnings, err
	}
	c.src = &configSource{data: data, source: source, environ: environ, baseDir: baseDir}
	return &c, warnings, nil
}

// configYAMLLine matches yaml.v3's "yaml: line N: message" errors.
var configYAMLLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// configParseYAML parses exactly one YAML document whose root is a mapping.
func configParseYAML(data []byte, source string) (root *yaml.Node, err error) {
	defer func() {
		// yaml.v3 turns its own errors into values; anything else it panics with is a bug in
		// the parser, which must not take the agent down at start.
		if r := recover(); r != nil {
			root, err = nil, configFileError(source, 0, fmt.Sprintf("YAML parser failed: %v", r))
		}
	}()
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, configFileError(source, 0, configEmptyFile)
		}
		return nil, configYAMLErrorIn(source, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, configFileError(source, extra.Line, "only one YAML document is allowed")
	} else if !errors.Is(err, io.EOF) {
		return nil, configYAMLErrorIn(source, data, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, configFileError(source, 0, configEmptyFile)
	}
	root = doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, configFileError(source, 0, configEmptyFile)
	}
	if root.Kind != yaml.MappingNode {
		return nil, configFileError(source, root.Line, "expected a mapping of keys at the top, found "+configNodeKind(root))
	}
	return root, nil
}

// configEmptyFile is the message for a file without a document.
const configEmptyFile = "the config file is empty (it needs at least store_id)"

// configFileError is a *ConfigError about the file as a whole.
func configFileError(source string, line int, msg string) error {
	return &ConfigError{Problems: []ConfigProblem{{Source: source, Line: line, Message: msg}}}
}

// configYAMLError rewrites a yaml.v3 syntax error as "file:line: message".
func configYAMLError(source string, err error) error {
	if m := configYAMLLine().FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return configFileError(source, line, m[2])
	}
	return configFileError(source, 0, strings.TrimPrefix(err.Error(), "yaml: "))
}

// configLocate finds where the value at path came from: the environment variable that set it or
// a parent, else the file line of the path or its nearest parent that has one.
func configLocate(path, source string, lines map[string]int, env map[string]string) (string, int) {
	if name, ok := env[path]; ok {
		return name, 0
	}
	for p := path; p != ""; p = configParentPath(p) {
		if line, ok := lines[p]; ok {
			return source, line
		}
	}
	return source, 0
}

// configParentPath drops the last key or index from a path: a.b[1].c → a.b[1] → a.b → a → "".
func configParentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

// configEnvLookup returns a getenv over an environ list; a later entry wins.
func configEnvLookup(environ []string) func(string) string {
	return func(key string) string {
		val := ""
		for _, kv := range environ {
			if k, v, ok := strings.Cut(kv, "="); ok && k == key {
				val = v
			}
		}
		return val
	}
}

// resolvePaths makes relative file paths absolute against baseDir.
func (c *Config) resolvePaths(baseDir string) {
	if baseDir == "" {
		return
	}
	for _, p := range []*string{
		&c.DataDir, &c.ProfilesDir,
		&c.HTTP.TLSCertFile, &c.HTTP.TLSKeyFile,
		&c.MQTT.PasswordFile, &c.MQTT.CAFile, &c.MQTT.CertFile, &c.MQTT.KeyFile, &c.Fiscal.KeyFile, &c.Fleet.CentralPublicKeyFile,
	} {
		*p = configResolve(baseDir, *p)
	}
	for i := range c.Terminals {
		c.Terminals[i].TokenFile = configResolve(baseDir, c.Terminals[i].TokenFile)
	}
}

// configResolve joins a relative, non-empty path to baseDir.
func configResolve(baseDir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(baseDir, p)
}
