package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/kardianos/service"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/packaging"
)

// serviceName is the unit / Windows service / launchd label name.
const serviceName = "storeagent"

// serviceControl is the part of service.Service the install/start/... commands use, so tests can
// drive them with a fake service manager.
type serviceControl interface {
	Install() error
	Uninstall() error
	Start() error
	Stop() error
	Restart() error
	Status() (service.Status, error)
	Platform() string
}

// newServiceFunc makes the service for a config path; the real one is newSystemService.
type newServiceFunc func(cfg *service.Config) (serviceControl, error)

// serviceHost is what the service commands need from the host: its service manager and its users.
type serviceHost struct {
	newService newServiceFunc
	// userExists reports whether a system user exists (the unit runs as packaging.ServiceUser).
	userExists func(name string) bool
	// systemdUp reports whether systemd is the init here; nil means yes.
	systemdUp func() bool
}

// systemHost is the real host.
func systemHost() serviceHost {
	return serviceHost{
		newService: newSystemService,
		userExists: func(name string) bool { _, err := user.Lookup(name); return err == nil },
		systemdUp:  systemdRunning,
	}
}

// newSystemService asks kardianos/service for this host's service manager (systemd, Windows
// service manager, launchd, ...). The program is only used by Run, which the CLI does not use here.
func newSystemService(cfg *service.Config) (serviceControl, error) {
	s, err := service.New(noopProgram{}, cfg)
	if err != nil {
		return nil, fmt.Errorf("service manager: %w", err)
	}
	return s, nil
}

type noopProgram struct{}

func (noopProgram) Start(service.Service) error { return nil }
func (noopProgram) Stop(service.Service) error  { return nil }

// systemdScript is the packaged hardened unit (packaging/systemd/storeagent.service) as a
// kardianos SystemdScript template: only ExecStart changes, to this binary and -config PATH.
// Template syntax: the kardianos/service v1.3.0 engine ({{Path | cmdEscape}}, {{range Arguments}}).
// With hid (the config has an HID scanner) the unit also gets the hid-scanner.conf drop-in's lines.
func systemdScript(hid bool) string {
	lines := strings.Split(packaging.SystemdUnit, "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "ExecStart="):
			lines[i] = "ExecStart={{Path | cmdEscape}}{{range Arguments}} {{. | cmd}}{{end}}"
		case strings.HasPrefix(l, "Environment=STOREAGENT_CONFIG="):
			lines[i] = "" // -config in ExecStart names the config
		case hid && l == "DeviceAllow=char-lp rw":
			for _, d := range strings.Split(packaging.HIDDropIn, "\n") {
				if strings.HasPrefix(d, "SupplementaryGroups=") || strings.HasPrefix(d, "DeviceAllow=") {
					lines[i] += "\n" + d
				}
			}
		}
	}
	return strings.Join(lines, "\n")
}

// hasHIDScanner reports whether cfg reads a scanner through the input subsystem.
func hasHIDScanner(cfg *agent.Config) bool {
	for _, d := range cfg.Devices {
		if d.Transport == "hid" {
			return true
		}
	}
	return false
}

// serviceConfig describes the service: `storeagent run -config ABS` of the executable exe, as the
// storeagent user under systemd (the unit sets User=), LocalSystem on Windows, a daemon under launchd.
func serviceConfig(exe, configPath string, hid bool) *service.Config {
	return &service.Config{
		Name:        serviceName,
		DisplayName: "storeagent store-edge agent",
		Description: "storeagent store-edge agent (POS API, scanners, printers, sync)",
		Executable:  exe,
		Arguments:   []string{"run", "-config", configPath},
		Option: service.KeyValue{
			"SystemdScript":    systemdScript(hid),
			"Restart":          "always",
			"LogOutput":        false, // stderr goes to journald / the Windows event log
			"KeepAlive":        true,  // launchd
			"RunAtLoad":        true,  // launchd
			"OnFailure":        "restart",
			"DelayedAutoStart": true, // Windows: after the network is up
		},
	}
}

// serviceCmd returns the handler for one of install|uninstall|start|stop|restart|status.
func serviceCmd(action string) func(m *Main, ctx context.Context, args []string) error {
	return func(m *Main, ctx context.Context, args []string) error {
		return m.serviceAction(ctx, action, args, systemHost())
	}
}

// serviceAction runs one service command with the service made by newSvc.
func (m *Main) serviceAction(_ context.Context, action string, args []string, host serviceHost) error {
	fs := flag.NewFlagSet(action, flag.ContinueOnError)
	configPath := fs.String("config", "", "config file (default $STOREAGENT_CONFIG or "+agent.DefaultConfigPath()+")")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	path := *configPath
	if path == "" {
		path = envOr(m.Environ, "STOREAGENT_CONFIG", agent.DefaultConfigPath())
	}
	if path, err = filepath.Abs(path); err != nil {
		return fmt.Errorf("config path: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable: %w", err)
	}
	hid := false
	if action == "install" {
		// Refuse to install a service that would fail at once: the config must load.
		cfg, err := m.loadConfig(path)
		if err != nil {
			return fmt.Errorf("not installing: %w (fix the config, then run storeagent check -config %s)", err, path)
		}
		hid = hasHIDScanner(cfg)
	}
	svc, err := host.newService(serviceConfig(exe, path, hid))
	if err != nil {
		return err
	}
	sys := svc.Platform()
	switch action {
	case "install":
		if strings.Contains(sys, "systemd") && !host.userExists(packaging.ServiceUser) {
			return fmt.Errorf("the unit runs as user %q, which does not exist (fix: install the .deb/.rpm, or run: useradd --system --home-dir %s --shell /usr/sbin/nologin --groups dialout,lp,input %s)",
				packaging.ServiceUser, packaging.DataDir, packaging.ServiceUser)
		}
		if err := svc.Install(); err != nil {
			return fmt.Errorf("install as %s service: %w%s", sys, err, installHint(sys))
		}
		fmt.Fprintf(m.Stdout, "installed %s as a %s service running %s run -config %s; start it with: storeagent start\n", serviceName, sys, exe, path)
	case "uninstall":
		if err := svc.Uninstall(); err != nil {
			return fmt.Errorf("uninstall %s service: %w", sys, err)
		}
		fmt.Fprintf(m.Stdout, "uninstalled the %s service %s (config and data_dir kept)\n", sys, serviceName)
	case "start", "stop", "restart":
		var err error
		switch action {
		case "start":
			err = svc.Start()
		case "stop":
			err = svc.Stop()
		default:
			err = svc.Restart()
		}
		if err != nil {
			return fmt.Errorf("%s %s service: %w%s", action, sys, err, installHint(sys))
		}
		st, _ := svc.Status()
		fmt.Fprintf(m.Stdout, "%s service %s: %s requested, now %s\n", sys, serviceName, action, statusWord(st))
	case "status":
		st, err := svc.Status()
		if errors.Is(err, service.ErrNotInstalled) {
			fmt.Fprintf(m.Stdout, "%s service %s: not installed (install it with: storeagent install -config %s)\n", sys, serviceName, path)
			return errServiceNotRunning
		}
		if err != nil {
			return serviceQueryError(sys, err, host.systemdUp == nil || host.systemdUp(), path)
		}
		fmt.Fprintf(m.Stdout, "%s service %s: %s\n", sys, serviceName, statusWord(st))
		if st != service.StatusRunning {
			return errServiceNotRunning
		}
	default:
		return usagef("unknown service action %q", action)
	}
	return nil
}

// errServiceNotRunning makes `status` exit 1 when the service is not running, like systemctl status.
var errServiceNotRunning = errors.New("not running")

func statusWord(s service.Status) string {
	switch s {
	case service.StatusRunning:
		return "running"
	case service.StatusStopped:
		return "stopped"
	default:
		return "unknown"
	}
}

// installHint suggests the usual fix for a failed service operation.
func installHint(platform string) string {
	switch {
	case strings.Contains(platform, "systemd"):
		return " (run as root; the unit runs as user storeagent: create it or install the .deb/.rpm; logs: journalctl -u storeagent)"
	case strings.Contains(platform, "windows"):
		return " (run from an Administrator prompt)"
	case strings.Contains(platform, "darwin"):
		return " (run with sudo)"
	}
	return ""
}

// envOr returns the value of key in environ, or def.
func envOr(environ []string, key, def string) string {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key && v != "" {
			return v
		}
	}
	return def
}
