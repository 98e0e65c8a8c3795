// Package pkgbuild builds the storeagent .deb and .rpm packages with nfpm
// (github.com/goreleaser/nfpm/v2, https://nfpm.goreleaser.com), without network access: it cross
// compiles the binary with CGO_ENABLED=0 and the version stamped by -ldflags, then packs the binary,
// the systemd unit, the udev rules, the sample config, the firmware profiles and the maintainer
// scripts from the repository. It is separate from package packaging so that the agent binary does
// not link nfpm.
package pkgbuild

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
	"github.com/goreleaser/nfpm/v2/files"
	_ "github.com/goreleaser/nfpm/v2/rpm" // registers the rpm packager

	"github.com/storeagent/storeagent/packaging"
)

// Arch is one target: GOARCH (and GOARM) for the build, and nfpm's arch name, which nfpm maps to
// Debian's (amd64, arm64, armhf) and RPM's (x86_64, aarch64, armv7hl) names.
type Arch struct {
	GOARCH, GOARM, NFPM string
}

// Arches are the three Linux targets of the packages.
func Arches() map[string]Arch {
	return map[string]Arch{
		"amd64": {GOARCH: "amd64", NFPM: "amd64"},
		"arm64": {GOARCH: "arm64", NFPM: "arm64"},
		"armhf": {GOARCH: "arm", GOARM: "7", NFPM: "arm7"},
	}
}

// Options say what to build.
type Options struct {
	Root    string    // repository root (holds go.mod)
	OutDir  string    // where packages go
	Version string    // e.g. 1.2.3 or v1.2.3-rc1; a leading v is dropped
	Commit  string    // git commit, stamped into the binary
	Date    time.Time // build date, stamped into the binary and used as the files' mtime
	Arch    string    // a key of Arches
	Formats []string  // "deb", "rpm"
	Binary  string    // an already built binary for Arch; built when empty
}

// LDFlags returns the -ldflags that stamp main.version, main.commit and main.date
// (cmd/storeagent/version.go).
func LDFlags(version, commit string, date time.Time) string {
	return fmt.Sprintf("-s -w -X main.version=%s -X main.commit=%s -X main.date=%s",
		version, commit, date.UTC().Format(time.RFC3339))
}

// BuildBinary cross compiles cmd/storeagent for arch into out with CGO_ENABLED=0.
func BuildBinary(ctx context.Context, root, arch, out, version, commit string, date time.Time) error {
	a, ok := Arches()[arch]
	if !ok {
		return fmt.Errorf("unknown arch %q (want amd64, arm64 or armhf)", arch)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", LDFlags(version, commit, date), "-o", out, "./cmd/storeagent")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+a.GOARCH, "GOARM="+a.GOARM)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build for linux/%s: %w\n%s", arch, err, b)
	}
	return nil
}

// Info returns the nfpm package description for a built binary.
func Info(o Options, binary string) (*nfpm.Info, error) {
	a, ok := Arches()[o.Arch]
	if !ok {
		return nil, fmt.Errorf("unknown arch %q (want amd64, arm64 or armhf)", o.Arch)
	}
	r := func(p string) string { return filepath.Join(o.Root, filepath.FromSlash(p)) }
	file := func(src, dst string, mode os.FileMode) *files.Content {
		return &files.Content{Source: src, Destination: dst, Type: files.TypeFile,
			FileInfo: &files.ContentFileInfo{Mode: mode, MTime: o.Date}}
	}
	contents := files.Contents{
		file(binary, packaging.BinaryPath, 0o755),
		file(r("packaging/systemd/storeagent.service"), packaging.UnitPath, 0o644),
		file(r("packaging/systemd/hid-scanner.conf"), packaging.HIDDropInPath, 0o644),
		file(r("packaging/udev/70-storeagent.rules"), packaging.UdevRulesPath, 0o644),
		file(r("packaging/storeagent.yaml"), packaging.SampleConfigPath, 0o644),
		file(r("firmware-profiles/NOTICE"), packaging.ProfilesPath+"/NOTICE", 0o644),
		file(r("packaging/doc/copyright"), packaging.DocPath+"/copyright", 0o644),
	}
	for _, kind := range []string{"scanners", "printers"} {
		names, err := filepath.Glob(r("firmware-profiles/" + kind + "/*.yaml"))
		if err != nil || len(names) == 0 {
			return nil, fmt.Errorf("no firmware profiles in %s", r("firmware-profiles/"+kind))
		}
		for _, n := range names {
			contents = append(contents, file(n, packaging.ProfilesPath+"/"+kind+"/"+filepath.Base(n), 0o644))
		}
	}
	info := &nfpm.Info{
		Name:        "storeagent",
		Arch:        a.NFPM,
		Platform:    "linux",
		Version:     strings.TrimPrefix(o.Version, "v"),
		Release:     "1",
		Section:     "net",
		Priority:    "optional",
		Maintainer:  "storeagent maintainers <storeagent@example.invalid>",
		Description: "Offline-first store-edge agent: POS HTTP API, barcode scanners, receipt printers, SQLite replica, MQTT sync",
		Vendor:      "storeagent",
		Homepage:    "https://github.com/storeagent/storeagent",
		License:     "Proprietary",
		MTime:       o.Date,
		Changelog:   r("packaging/doc/changelog.yaml"), // deb: DocPath/changelog.Debian.gz
		Overridables: nfpm.Overridables{
			Contents: contents,
			Umask:    0o022,
			Scripts: nfpm.Scripts{
				PreInstall:  r("packaging/scripts/preinstall.sh"),
				PostInstall: r("packaging/scripts/postinstall.sh"),
				PreRemove:   r("packaging/scripts/preremove.sh"),
				PostRemove:  r("packaging/scripts/postremove.sh"),
			},
			Deb: nfpm.Deb{Fields: map[string]string{"Origin": "storeagent"}},
		},
	}
	return nfpm.WithDefaults(info), nil
}

// Build builds the binary (unless o.Binary is set) and writes one package per format to o.OutDir,
// returning their paths.
func Build(ctx context.Context, o Options) ([]string, error) {
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("out dir: %w", err)
	}
	bin := o.Binary
	if bin == "" {
		bin = filepath.Join(o.OutDir, "storeagent-linux-"+o.Arch)
		if err := BuildBinary(ctx, o.Root, o.Arch, bin, o.Version, o.Commit, o.Date); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, format := range o.Formats {
		info, err := Info(o, bin)
		if err != nil {
			return out, err
		}
		p, err := nfpm.Get(format)
		if err != nil {
			return out, fmt.Errorf("packager %s: %w", format, err)
		}
		target := filepath.Join(o.OutDir, p.ConventionalFileName(info))
		if err := writePackage(p, info, target); err != nil {
			return out, fmt.Errorf("%s package for %s: %w", format, o.Arch, err)
		}
		out = append(out, target)
	}
	return out, nil
}

func writePackage(p nfpm.Packager, info *nfpm.Info, target string) error {
	f, err := os.Create(target)
	if err != nil {
		return err
	}
	info.Target = target
	if err := p.Package(info, f); err != nil {
		f.Close()
		os.Remove(target)
		return err
	}
	return f.Close()
}
