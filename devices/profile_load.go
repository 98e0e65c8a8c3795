package devices

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
)

// ScannerProfileDir is the folder of scanner profiles inside the built-in profile FS
// (firmwareprofiles.FS) and inside a profiles_dir override folder.
const ScannerProfileDir = "scanners"

// LoadScannerProfiles loads the built-in scanner profiles (builtin's scanners/*.yaml), then the
// ones in overrideDir/scanners/*.yaml, which replace built-ins of the same id. An empty
// overrideDir, or one without a scanners folder, adds nothing. Two files with the same id in the
// same place are an error.
func LoadScannerProfiles(builtin fs.FS, overrideDir string) (map[string]ScannerProfile, error) {
	out := map[string]ScannerProfile{}
	if err := loadProfilesFrom(builtin, ScannerProfileDir, "builtin:", out, nil); err != nil {
		return nil, err
	}
	if overrideDir == "" {
		return out, nil
	}
	dir := filepath.Join(overrideDir, ScannerProfileDir)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	seen := map[string]string{}
	if err := loadProfilesFrom(os.DirFS(dir), ".", dir+string(filepath.Separator), out, seen); err != nil {
		return nil, err
	}
	return out, nil
}

// loadProfilesFrom parses dir/*.yaml of fsys into out. seen, when non-nil, tracks ids within
// this source (the built-in source tracks them in out itself).
func loadProfilesFrom(fsys fs.FS, dir, label string, out map[string]ScannerProfile, seen map[string]string) error {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return fmt.Errorf("list scanner profiles in %s: %w", label, err)
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("read scanner profile %s%s: %w", label, name, err)
		}
		p, err := ParseScannerProfile(data, label+name)
		if err != nil {
			return err
		}
		ids := seen
		if ids == nil {
			ids = map[string]string{}
			for id, q := range out {
				ids[id] = q.File
			}
		}
		if other, dup := ids[p.ID]; dup {
			return fmt.Errorf("scanner profile %s: key id: %q already defined in %s", p.File, p.ID, other)
		}
		if seen != nil {
			seen[p.ID] = p.File
		}
		out[p.ID] = p
	}
	return nil
}
