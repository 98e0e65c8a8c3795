package agent

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
)

// configMaxSecret caps a secret file's size; a token or password is far smaller, and the cap
// stops a mistaken path such as /dev/zero from reading forever.
const configMaxSecret = 64 << 10

// readSecrets reads terminals[i].token_file and mqtt.password_file into Token and Password.
// A missing, unreadable, oversized or empty file is a problem naming the key and the file; a
// file that group or others may read is a warning on Unix.
// locate says where a key's value came from.
func (c *Config) readSecrets(locate func(path string) (string, int), ps *configProblems) (warnings []string) {
	read := func(path, file string) (string, bool) {
		secret, warn, err := configReadSecret(file)
		if err != nil {
			source, line := locate(path)
			ps.addAt(source, line, path, err.Error())
			return "", false
		}
		if warn != "" {
			warnings = append(warnings, fmt.Sprintf("%s: %s", path, warn))
		}
		return secret, true
	}
	for i := range c.Terminals {
		t := &c.Terminals[i]
		if t.TokenFile == "" {
			continue
		}
		if t.Token != "" {
			continue // Validate reports the pair.
		}
		if secret, ok := read(configIndexPath("terminals", i)+".token_file", t.TokenFile); ok {
			t.Token, t.tokenFromFile = secret, true
		}
	}
	if h := &c.HTTP; h.MetricsTokenFile != "" {
		if secret, ok := read("http.metrics_token_file", h.MetricsTokenFile); ok {
			h.metricsToken = secret
		}
	}
	if m := &c.MQTT; m.PasswordFile != "" && m.Password == "" {
		if secret, ok := read("mqtt.password_file", m.PasswordFile); ok {
			m.Password, m.passwordFromFile = secret, true
		}
	}
	return warnings
}

// configReadSecret reads a secret file and trims its trailing line break. warn is set when the
// file's permissions let group or others read it.
func configReadSecret(file string) (secret, warn string, err error) {
	// Stat first: opening a FIFO or a terminal for reading would block the start.
	info, err := os.Stat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("secret file %s does not exist", file)
	}
	if err != nil {
		return "", "", fmt.Errorf("cannot read secret file: %w", err)
	}
	if info.IsDir() {
		return "", "", fmt.Errorf("secret file %s is a folder", file)
	}
	if !info.Mode().IsRegular() {
		return "", "", fmt.Errorf("secret file %s is not a regular file", file)
	}
	f, err := os.Open(file)
	if err != nil {
		return "", "", fmt.Errorf("cannot read secret file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, configMaxSecret+1))
	if err != nil {
		return "", "", fmt.Errorf("cannot read secret file %s: %w", file, err)
	}
	if len(data) > configMaxSecret {
		return "", "", fmt.Errorf("secret file %s is larger than %d KiB", file, configMaxSecret>>10)
	}
	secret = strings.TrimRight(string(data), "\r\n")
	if secret == "" {
		return "", "", fmt.Errorf("secret file %s is empty", file)
	}
	// Windows reports made-up permission bits; ACLs decide there.
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		warn = fmt.Sprintf("secret file %s is readable by group or others (mode %04o); chmod 600 it", file, info.Mode().Perm())
	}
	return secret, warn, nil
}
