package pkgbuild

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/packaging"
)

// wantFiles are paths every package must hold.
var wantFiles = []string{
	packaging.BinaryPath, packaging.UnitPath, packaging.HIDDropInPath, packaging.UdevRulesPath, packaging.SampleConfigPath,
	packaging.ProfilesPath + "/scanners/zebra-ds2208.yaml", packaging.ProfilesPath + "/printers/epson-tm-t20.yaml",
	packaging.DocPath + "/copyright",
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestLDFlags(t *testing.T) {
	got := LDFlags("1.2.3", "abc", time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC))
	want := "-s -w -X main.version=1.2.3 -X main.commit=abc -X main.date=2026-11-23T20:00:00Z"
	if got != want {
		t.Errorf("LDFlags = %q, want %q", got, want)
	}
}

func TestInfo(t *testing.T) {
	for arch, a := range Arches() {
		t.Run(arch, func(t *testing.T) {
			info, err := Info(Options{Root: repoRoot(t), Version: "v1.2.3", Arch: arch}, "/tmp/bin")
			if err != nil {
				t.Fatal(err)
			}
			if info.Arch != a.NFPM || info.Version != "1.2.3" {
				t.Errorf("arch, version = %q, %q; want %q, 1.2.3", info.Arch, info.Version, a.NFPM)
			}
			for _, w := range wantFiles {
				if !info.Contents.ContainsDestination(w) {
					t.Errorf("contents lack %s", w)
				}
			}
			if cl, err := info.GetChangeLog(); err != nil || len(cl.Entries) == 0 {
				t.Errorf("changelog %s: %v (%d entries)", info.Changelog, err, len(cl.Entries))
			}
			for _, s := range []string{info.Scripts.PreInstall, info.Scripts.PostInstall, info.Scripts.PreRemove, info.Scripts.PostRemove} {
				if _, err := os.Stat(s); err != nil {
					t.Errorf("script: %v", err)
				}
			}
		})
	}
	if _, err := Info(Options{Arch: "mips"}, "x"); err == nil {
		t.Error("Info accepted arch mips")
	}
}

// TestBuild_DebInstallsAndRuns builds the packages for this machine's arch, lists the .deb, installs
// it with dpkg into a scratch root, upgrades it to a newer build over an edited config (kept, and the
// data dir too), and runs the installed binary's version and check.
func TestBuild_DebInstallsAndRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and the packages")
	}
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb not installed")
	}
	arch := map[string]string{"amd64": "amd64", "arm64": "arm64", "arm": "armhf"}[runtime.GOARCH]
	if arch == "" || runtime.GOOS != "linux" {
		t.Skipf("no package for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	out := t.TempDir()
	paths, err := Build(context.Background(), Options{
		Root: repoRoot(t), OutDir: out, Version: "0.9.1", Commit: "c0ffee",
		Date: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Arch: arch, Formats: []string{"deb", "rpm"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("packages = %v, want a deb and an rpm", paths)
	}
	deb, rpm := paths[0], paths[1]
	t.Run("rpm lead", func(t *testing.T) {
		b, err := os.ReadFile(rpm)
		if err != nil {
			t.Fatal(err)
		}
		// RPM file format: the lead starts with the magic ed ab ee db (LSB, "Package File Format").
		if !bytes.HasPrefix(b, []byte{0xed, 0xab, 0xee, 0xdb}) {
			t.Errorf("%s does not start with the RPM lead magic", rpm)
		}
	})
	list, err := exec.Command("dpkg-deb", "-c", deb).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb -c: %v\n%s", err, list)
	}
	for _, w := range append(wantFiles, packaging.DocPath+"/changelog.Debian.gz") {
		if !strings.Contains(string(list), "."+w+"\n") {
			t.Errorf("dpkg-deb -c lacks %s", w)
		}
	}
	// A real dpkg install into a scratch root. --force-script-chrootless runs the maintainer scripts
	// with $DPKG_ROOT set instead of chrooting (dpkg >= 1.18.5), which the scripts honour.
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "etc"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644)
	dpkgInstall := func(pkg string) string {
		t.Helper()
		cmd := exec.Command("dpkg", "--root="+root, "--force-script-chrootless", "--force-depends", "--force-not-root", "-i", pkg)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dpkg --root -i %s: %v\n%s", filepath.Base(pkg), err, b)
		}
		return string(b)
	}
	const nextStep = "systemctl enable --now storeagent"
	if out := dpkgInstall(deb); !strings.Contains(out, nextStep) || !strings.Contains(out, "token") {
		t.Errorf("a fresh install prints no next steps (want %q and the token files):\n%s", nextStep, out)
	}
	conf := filepath.Join(root, "etc/storeagent/storeagent.yaml")
	got, err := os.ReadFile(conf)
	if err != nil || string(got) != packaging.SampleConfig {
		t.Fatalf("install did not put the sample config in place (%v)", err)
	}
	// Issue 16 item 2: no usable token ships; postinst made a random one, readable by its owner only.
	tokFile := filepath.Join(root, "etc/storeagent/lane1.token")
	tok, err := os.ReadFile(tokFile)
	if err != nil {
		t.Fatalf("postinst made no token file: %v", err)
	}
	if fi, _ := os.Stat(tokFile); fi == nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	if got := strings.TrimSpace(string(tok)); len(got) != 32 || strings.Trim(got, "0123456789abcdef") != "" {
		t.Errorf("token %q is not 32 random hex digits", got)
	}
	if st, err := exec.Command("dpkg", "--root="+root, "-s", "storeagent").CombinedOutput(); err != nil || !strings.Contains(string(st), "Status: install ok installed") {
		t.Fatalf("dpkg -s after install: %v\n%s", err, st)
	}
	t.Run("upgrade keeps an edited config and the data dir", func(t *testing.T) {
		edited := strings.Replace(packaging.SampleConfig, "store_id: store-001", "store_id: store-042", 1)
		os.WriteFile(conf, []byte(edited), 0o640)
		marker := filepath.Join(root, "var/lib/storeagent/keep-me")
		os.MkdirAll(filepath.Dir(marker), 0o750)
		os.WriteFile(marker, []byte("data"), 0o640)
		newer, err := Build(context.Background(), Options{
			Root: repoRoot(t), OutDir: t.TempDir(), Version: "0.9.2", Commit: "c0ffee2",
			Date: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), Arch: arch, Formats: []string{"deb"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if out := dpkgInstall(newer[0]); strings.Contains(out, nextStep) {
			t.Errorf("an upgrade repeats the first-install steps:\n%s", out)
		}
		if got, _ := os.ReadFile(conf); string(got) != edited {
			t.Errorf("the upgrade overwrote the edited config")
		}
		if _, err := os.Stat(marker); err != nil {
			t.Errorf("the upgrade lost the data dir: %v", err)
		}
		b, _ := exec.Command(filepath.Join(root, "usr/bin/storeagent"), "version").CombinedOutput()
		if !strings.Contains(string(b), "0.9.2") {
			t.Errorf("after the upgrade: %s", b)
		}
	})
	bin := filepath.Join(root, "usr/bin/storeagent")
	t.Run("version", func(t *testing.T) {
		b, err := exec.Command(bin, "version").CombinedOutput()
		if err != nil || !strings.Contains(string(b), "storeagent 0.9") || !strings.Contains(string(b), "c0ffee") {
			t.Errorf("version: %v\n%s", err, b)
		}
	})
	t.Run("check", func(t *testing.T) {
		dir := t.TempDir()
		scanner, printer := filepath.Join(dir, "ttyACM0"), filepath.Join(dir, "lp0")
		os.WriteFile(scanner, nil, 0o600)
		os.WriteFile(printer, nil, 0o600)
		cfg := string(must(os.ReadFile(conf)))
		cfg = strings.NewReplacer(
			"data_dir: /var/lib/storeagent", "data_dir: "+filepath.Join(dir, "data"),
			"profiles_dir: \"\"", "profiles_dir: "+filepath.Join(root, packaging.ProfilesPath),
			"path: /dev/ttyACM0", "path: "+scanner,
			"path: /dev/usb/lp0", "path: "+printer,
			"token_file: /etc/storeagent/lane1.token", "token_file: "+tokFile,
		).Replace(cfg)
		f := filepath.Join(dir, "storeagent.yaml")
		os.WriteFile(f, []byte(cfg), 0o600)
		b, err := exec.Command(bin, "check", "-offline-ok", "-config", f).CombinedOutput()
		if err != nil {
			t.Fatalf("check: %v\n%s", err, b)
		}
		for _, w := range []string{"✓ config", "✓ data_dir", "✓ database", "✓ device lane1-scanner", "✓ device lane1-printer"} {
			if !strings.Contains(string(b), w) {
				t.Errorf("check output lacks %q:\n%s", w, b)
			}
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
