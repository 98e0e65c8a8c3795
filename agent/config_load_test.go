package agent

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// configUpdateGolden rewrites want.yaml and want.err golden files from the current output:
// go test ./agent -run TestLoadConfig -args -update-config
var configUpdateGolden = flag.Bool("update-config", false, "rewrite the config golden files in testdata/config")

// configCaseDir marks temp-dir paths in golden files.
const configCaseDir = "$CONFIG_DIR"

// TestLoadConfig loads every testdata/config/<case>/storeagent.yaml, with the variables in the
// case's env file, from a copy in a temp dir whose secret files are mode 0600. A case expects
// either want.err (each problem on a line, in order) or want.yaml (the redacted config), and
// optionally want.warnings.
func TestLoadConfig(t *testing.T) {
	cases, err := os.ReadDir(filepath.Join("testdata", "config"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		if !tc.IsDir() {
			continue
		}
		t.Run(tc.Name(), func(t *testing.T) {
			src := filepath.Join("testdata", "config", tc.Name())
			dir := configCopyCase(t, src)
			environ := configReadEnv(t, filepath.Join(dir, "env"))

			cfg, warnings, err := LoadConfig(filepath.Join(dir, "storeagent.yaml"), environ)

			gotWarnings := configMask(strings.Join(warnings, "\n"), dir)
			configCompareGolden(t, filepath.Join(src, "want.warnings"), gotWarnings, false)
			if err != nil {
				var cerr *ConfigError
				var lines []string
				if errors.As(err, &cerr) {
					for _, p := range cerr.Problems {
						lines = append(lines, p.String())
					}
				} else {
					lines = []string{err.Error()}
				}
				configCompareGolden(t, filepath.Join(src, "want.err"), configMask(strings.Join(lines, "\n"), dir), true)
				if _, statErr := os.Stat(filepath.Join(src, "want.yaml")); statErr == nil {
					t.Errorf("LoadConfig: unexpected error %v; want the config in want.yaml", err)
				}
				return
			}
			if _, statErr := os.Stat(filepath.Join(src, "want.err")); statErr == nil {
				t.Fatalf("LoadConfig: got no error; want the errors in want.err")
			}
			if err := cfg.Validate(); err != nil {
				t.Errorf("Validate after LoadConfig: %v; want nil", err)
			}
			out, err := yaml.Marshal(cfg.Redacted())
			if err != nil {
				t.Fatal(err)
			}
			configCompareGolden(t, filepath.Join(src, "want.yaml"), configMask(string(out), dir), true)
		})
	}
}

// configCopyCase copies a case folder into a temp dir, secret files with mode 0600.
func configCopyCase(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), "want.") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// configReadEnv reads NAME=value lines, skipping blanks and # comments; no file is no variables.
func configReadEnv(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var env []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		env = append(env, line)
	}
	return env
}

// configMask replaces the temp dir in s with $CONFIG_DIR and uses / as the separator.
func configMask(s, dir string) string {
	s = strings.ReplaceAll(s, dir, configCaseDir)
	if runtime.GOOS == "windows" {
		s = strings.ReplaceAll(s, `\`, "/")
	}
	return s
}

// configCompareGolden compares got with the golden file at path. A missing file means "" unless
// required; -update-config rewrites it.
func configCompareGolden(t *testing.T, path, got string, required bool) {
	t.Helper()
	got = strings.TrimRight(got, "\n")
	if *configUpdateGolden {
		if got == "" && !required {
			_ = os.Remove(path)
			return
		}
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !required {
		data = nil
	} else if err != nil {
		t.Fatalf("golden file: %v (run with -args -update-config to create it)", err)
	}
	want := strings.TrimRight(string(data), "\n")
	if got != want {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", filepath.Base(path), got, want)
	}
}
