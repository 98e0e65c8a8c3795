package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// systemdRunning reports whether systemd is this machine's init: the test sd_booted(3) uses.
func systemdRunning() bool {
	if runtime.GOOS != "linux" {
		return false
	}
	fi, err := os.Stat("/run/systemd/system")
	return err == nil && fi.IsDir()
}

// serviceQueryError explains a failed status query: the service manager's tools often answer only
// "exit status 1", which says nothing of what is wrong. systemdUp is whether systemd runs here.
func serviceQueryError(platform string, err error, systemdUp bool, configPath string) error {
	foreground := fmt.Sprintf("run the agent in the foreground instead: storeagent run -config %s", configPath)
	if runtime.GOOS == "linux" && !systemdUp {
		return fmt.Errorf("cannot ask the service manager (%s): this machine does not run systemd (no /run/systemd/system, as in most containers); %s, or under the container's supervisor (%v)",
			platform, foreground, err)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) || strings.HasPrefix(err.Error(), "exit status") {
		hint := "is it installed? (storeagent install -config " + configPath + ")"
		if strings.Contains(platform, "systemd") {
			hint += "; details: systemctl status storeagent, journalctl -u storeagent"
		}
		return fmt.Errorf("the %s service manager could not report on %s (%v): %s", platform, serviceName, err, hint)
	}
	return fmt.Errorf("status of %s service: %w", platform, err)
}
