package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kardianos/service"

	"github.com/storeagent/storeagent/packaging"
)

// fakeService records calls, like a service manager that always succeeds.
type fakeService struct {
	platform string
	status   service.Status
	statErr  error
	calls    []string
	cfg      *service.Config
}

func (f *fakeService) Install() error   { f.calls = append(f.calls, "install"); return nil }
func (f *fakeService) Uninstall() error { f.calls = append(f.calls, "uninstall"); return nil }
func (f *fakeService) Start() error {
	f.calls = append(f.calls, "start")
	f.status = service.StatusRunning
	return nil
}
func (f *fakeService) Stop() error {
	f.calls = append(f.calls, "stop")
	f.status = service.StatusStopped
	return nil
}
func (f *fakeService) Restart() error                  { f.calls = append(f.calls, "restart"); return nil }
func (f *fakeService) Status() (service.Status, error) { return f.status, f.statErr }
func (f *fakeService) Platform() string                { return f.platform }

func (f *fakeService) factory(cfg *service.Config) (serviceControl, error) {
	f.cfg = cfg
	return f, nil
}

// host is a host with this fake service manager on which only the given users exist.
func (f *fakeService) host(users ...string) serviceHost {
	return serviceHost{newService: f.factory, userExists: func(name string) bool {
		for _, u := range users {
			if u == name {
				return true
			}
		}
		return false
	}}
}

func sampleConfigFile(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	// The sample reads its token from the file the package's postinst makes.
	tok := filepath.Join(dir, "lane1.token")
	if err := os.WriteFile(tok, []byte("3f9c2a71d04be85617ac93e0b2d4f6a8\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "storeagent.yaml")
	if err := os.WriteFile(f, []byte(strings.Replace(packaging.SampleConfig, "/etc/storeagent/lane1.token", tok, 1)), 0o640); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSystemdScript(t *testing.T) {
	s := systemdScript(false)
	if got, want := strings.Count(s, "\nExecStart="), 1; got != want {
		t.Fatalf("ExecStart lines = %d, want %d", got, want)
	}
	if !strings.Contains(s, "\nExecStart={{Path | cmdEscape}}{{range Arguments}} {{. | cmd}}{{end}}\n") {
		t.Errorf("ExecStart is not the kardianos template line:\n%s", s)
	}
	for _, keep := range []string{"Type=notify", "ProtectSystem=strict", "User=storeagent", "DevicePolicy=closed", "Restart=always"} {
		if !strings.Contains(s, "\n"+keep) {
			t.Errorf("template lost %q", keep)
		}
	}
	// The kardianos v1.3.0 engine fails on unknown keys: only Path and Arguments are used.
	for _, a := range regexp.MustCompile(`{{[^}]*}}`).FindAllString(s, -1) {
		switch a {
		case "{{Path | cmdEscape}}", "{{range Arguments}}", "{{. | cmd}}", "{{end}}":
		default:
			t.Errorf("unexpected template action %s", a)
		}
	}
	// Rendered by hand as kardianos would, the unit equals the packaged one for the package paths.
	rendered := strings.Replace(s, "{{Path | cmdEscape}}{{range Arguments}} {{. | cmd}}{{end}}", packaging.BinaryPath+" run -config "+packaging.ConfigPath, 1)
	want := strings.Replace(packaging.SystemdUnit, "Environment=STOREAGENT_CONFIG="+packaging.ConfigPath, "", 1)
	if rendered != want {
		t.Errorf("rendered template differs from the packaged unit")
	}
	// Input devices only for a config with an HID scanner (issue 16, Low).
	if strings.Contains(s, "char-input") || strings.Contains(s, "SupplementaryGroups=input") {
		t.Errorf("the unit of a store without an HID scanner may read input devices")
	}
	hid := systemdScript(true)
	for _, want := range []string{"\nDeviceAllow=char-input r\n", "\nSupplementaryGroups=input\n"} {
		if !strings.Contains(hid, want) {
			t.Errorf("the unit of a store with an HID scanner lacks %q", strings.TrimSpace(want))
		}
	}
	if i, j := strings.Index(hid, "[Service]"), strings.Index(hid, "DeviceAllow=char-input"); j < i || j > strings.Index(hid, "[Install]") {
		t.Errorf("the HID lines are not in [Service]")
	}
}

func TestServiceConfig(t *testing.T) {
	c := serviceConfig("/opt/sa/storeagent", "/etc/sa.yaml", false)
	if c.Name != "storeagent" || c.Executable != "/opt/sa/storeagent" {
		t.Errorf("name, exe = %q, %q", c.Name, c.Executable)
	}
	if got, want := strings.Join(c.Arguments, " "), "run -config /etc/sa.yaml"; got != want {
		t.Errorf("arguments = %q, want %q", got, want)
	}
	if c.Option["SystemdScript"] != systemdScript(false) {
		t.Errorf("SystemdScript option is not the packaged unit template")
	}
}

func TestMain_ServiceAction(t *testing.T) {
	cfg := sampleConfigFile(t)
	run := func(f *fakeService, args ...string) (string, int) {
		var out, errb bytes.Buffer
		m := &Main{Stdout: &out, Stderr: &errb}
		err := m.serviceAction(context.Background(), args[0], args[1:], f.host("storeagent"))
		code := 0
		var ue usageError
		switch {
		case errors.As(err, &ue):
			code = 2
		case err != nil:
			code = 1
		}
		return out.String() + errb.String() + func() string {
			if err != nil {
				return err.Error()
			}
			return ""
		}(), code
	}
	t.Run("install", func(t *testing.T) {
		f := &fakeService{platform: "linux-systemd"}
		out, code := run(f, "install", "-config", cfg)
		if code != 0 || !strings.Contains(out, "as a linux-systemd service") {
			t.Errorf("got %d %q, want 0 and the system used", code, out)
		}
		if got := strings.Join(f.calls, ","); got != "install" {
			t.Errorf("calls = %q, want install", got)
		}
		if got := f.cfg.Arguments[2]; got != cfg {
			t.Errorf("-config argument = %q, want %q", got, cfg)
		}
	})
	t.Run("install without the service user", func(t *testing.T) {
		f := &fakeService{platform: "linux-systemd"}
		var out bytes.Buffer
		err := (&Main{Stdout: &out, Stderr: &out}).serviceAction(context.Background(), "install", []string{"-config", cfg}, f.host())
		if err == nil || !strings.Contains(err.Error(), "useradd --system") || len(f.calls) != 0 {
			t.Errorf("err = %v, calls %v; want the useradd fix and no install", err, f.calls)
		}
		f = &fakeService{platform: "windows-service"}
		if err := (&Main{Stdout: &out, Stderr: &out}).serviceAction(context.Background(), "install", []string{"-config", cfg}, f.host()); err != nil {
			t.Errorf("windows install needs no storeagent user: %v", err)
		}
	})
	t.Run("install refuses a bad config", func(t *testing.T) {
		f := &fakeService{platform: "linux-systemd"}
		bad := filepath.Join(t.TempDir(), "bad.yaml")
		os.WriteFile(bad, []byte("store_id: [\n"), 0o600)
		out, code := run(f, "install", "-config", bad)
		if code != 1 || len(f.calls) != 0 || !strings.Contains(out, "not installing") {
			t.Errorf("got %d %q calls %v, want 1, not installing, no calls", code, out, f.calls)
		}
	})
	t.Run("start then status", func(t *testing.T) {
		f := &fakeService{platform: "darwin-launchd", status: service.StatusStopped}
		out, code := run(f, "start", "-config", cfg)
		if code != 0 || !strings.Contains(out, "darwin-launchd service storeagent: start requested, now running") {
			t.Errorf("start: got %d %q", code, out)
		}
		out, code = run(f, "status", "-config", cfg)
		if code != 0 || !strings.Contains(out, ": running") {
			t.Errorf("status: got %d %q, want 0 running", code, out)
		}
	})
	t.Run("status stopped exits 1", func(t *testing.T) {
		f := &fakeService{platform: "linux-systemd", status: service.StatusStopped}
		out, code := run(f, "status", "-config", cfg)
		if code != 1 || !strings.Contains(out, ": stopped") {
			t.Errorf("got %d %q, want 1 stopped", code, out)
		}
	})
	t.Run("status not installed", func(t *testing.T) {
		f := &fakeService{platform: "windows-service", statErr: service.ErrNotInstalled}
		out, code := run(f, "status", "-config", cfg)
		if code != 1 || !strings.Contains(out, "not installed (install it with: storeagent install") {
			t.Errorf("got %d %q", code, out)
		}
	})
	t.Run("extra argument", func(t *testing.T) {
		_, code := run(&fakeService{}, "stop", "now")
		if code != 2 {
			t.Errorf("code = %d, want 2", code)
		}
	})
}

func TestSuperviseRun(t *testing.T) {
	t.Run("graceful stop within bound", func(t *testing.T) {
		sock, ch := listenNotify(t)
		n := newSDNotifier([]string{"NOTIFY_SOCKET=" + sock}, 1)
		ctx, cancel := context.WithCancel(context.Background())
		readyDone := make(chan struct{})
		go func() { <-readyDone; cancel() }()
		err := superviseRun(ctx, n, 5*time.Second, func(ctx context.Context, ready func() error) error {
			if err := ready(); err != nil {
				return err
			}
			close(readyDone)
			<-ctx.Done()
			time.Sleep(20 * time.Millisecond) // finishing in-flight work
			return nil
		})
		if err != nil {
			t.Errorf("err = %v, want nil", err)
		}
		if got := recv(t, ch); !strings.Contains(got, "READY=1") {
			t.Errorf("got %q, want READY=1", got)
		}
		if got := recv(t, ch); got != "STOPPING=1" {
			t.Errorf("got %q, want STOPPING=1", got)
		}
	})
	t.Run("stop exceeding bound", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		hang := make(chan struct{})
		defer close(hang)
		start := time.Now()
		err := superviseRun(ctx, nil, 50*time.Millisecond, func(ctx context.Context, ready func() error) error {
			<-hang
			return nil
		})
		if err == nil || !strings.Contains(err.Error(), "did not stop within 50ms") {
			t.Errorf("err = %v, want did not stop within 50ms", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("run error returned", func(t *testing.T) {
		want := errors.New("port in use")
		err := superviseRun(context.Background(), nil, time.Second, func(context.Context, func() error) error { return want })
		if !errors.Is(err, want) {
			t.Errorf("err = %v, want %v", err, want)
		}
	})
}
