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
	packaging.BinaryPath, packaging.UnitPath, packaging.UdevRulesPath, packaging.SampleConfigPath,
	packaging.ProfilesPath + "/scanners/zebra-ds2208.yaml", packaging.ProfilesPath + "/printers/epson-tm-t20.yaml",
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

// TestBuild_DebInstallsAndRuns builds the packages for this machine's arch, lists the .deb, extracts
// it into a scratch root (a full dpkg --root install would run the maintainer scripts chrooted,
// which needs a shell inside the root), runs the postinst there through $DPKG_ROOT twice (install,
// then upgrade over an edited config), and runs the installed binary's version and check.
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
	for _, w := range wantFiles {
		if !strings.Contains(string(list), "."+w+"\n") {
			t.Errorf("dpkg-deb -c lacks %s", w)
		}
	}
	root := t.TempDir()
	if b, err := exec.Command("dpkg-deb", "-x", deb, root).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, b)
	}
	ctrl := t.TempDir()
	if b, err := exec.Command("dpkg-deb", "-e", deb, ctrl).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -e: %v\n%s", err, b)
	}
	postinst := func() {
		t.Helper()
		cmd := exec.Command("sh", filepath.Join(ctrl, "postinst"), "configure")
		cmd.Env = append(os.Environ(), "DPKG_ROOT="+root)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("postinst: %v\n%s", err, b)
		}
	}
	conf := filepath.Join(root, "etc/storeagent/storeagent.yaml")
	postinst()
	got, err := os.ReadFile(conf)
	if err != nil || string(got) != packaging.SampleConfig {
		t.Fatalf("postinst did not install the sample config (%v)", err)
	}
	t.Run("upgrade keeps an edited config", func(t *testing.T) {
		edited := strings.Replace(packaging.SampleConfig, "store_id: store-001", "store_id: store-042", 1)
		os.WriteFile(conf, []byte(edited), 0o640)
		postinst()
		if got, _ := os.ReadFile(conf); string(got) != edited {
			t.Errorf("postinst overwrote the edited config")
		}
	})
	bin := filepath.Join(root, "usr/bin/storeagent")
	t.Run("version", func(t *testing.T) {
		b, err := exec.Command(bin, "version").CombinedOutput()
		if err != nil || !strings.Contains(string(b), "0.9.1") || !strings.Contains(string(b), "c0ffee") {
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
		).Replace(cfg)
		f := filepath.Join(dir, "storeagent.yaml")
		os.WriteFile(f, []byte(cfg), 0o600)
		b, err := exec.Command(bin, "check", "-config", f).CombinedOutput()
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
