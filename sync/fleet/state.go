package fleet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// State is what the fleet part keeps across restarts, in <data_dir>/fleet/state.json (a file, not
// the database: the config overlay is needed before the database opens, and data_dir is pinned).
// It is written whole to a temporary file, fsynced and renamed over the old one.
type State struct {
	Config ConfigState `json:"config"`
	Update UpdateState `json:"update"`
}

// Overlay is one version of central's config overlay.
type Overlay struct {
	Version int64           `json:"version"`
	Overlay json.RawMessage `json:"overlay"`
	Ignored []string        `json:"ignored,omitempty"`
	// Plan is how it was applied (parts, or the whole agent), reported with it.
	Plan
}

// ConfigState is the overlay in force (Good), the one on trial (Trial, until healthy) and the last
// report.
type ConfigState struct {
	Good  *Overlay `json:"good,omitempty"`
	Trial *Overlay `json:"trial,omitempty"`
	// TrialBoots counts the starts with Trial; past MaxTrialBoots it is rolled back at start.
	TrialBoots int                `json:"trial_boots,omitempty"`
	Last       ConfigReportedData `json:"last"`
}

// UpdateTrial is a binary swapped in and not yet healthy.
type UpdateTrial struct {
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	// From is the version it replaced; Previous the copy of that binary.
	From     string `json:"from"`
	Previous string `json:"previous"`
	Binary   string `json:"binary"`
	Boots    int    `json:"boots,omitempty"`
}

// UpdateState is the update on trial and the last report.
type UpdateState struct {
	Trial *UpdateTrial       `json:"trial,omitempty"`
	Last  UpdateReportedData `json:"last"`
	// LastSHA256 is the SHA-256 of the offer Last answers: a refused offer repeated as it was
	// (the retained message on every connect) is not downloaded again.
	LastSHA256 string `json:"last_sha256,omitempty"`
	// RolledBack are the versions rolled back (the last 20), never installed again.
	RolledBack []string `json:"rolled_back,omitempty"`
}

// rolledBack records a version rolled back.
func (u *UpdateState) rolledBack(version string) {
	u.RolledBack = append(u.RolledBack, version)
	if len(u.RolledBack) > 20 {
		u.RolledBack = u.RolledBack[len(u.RolledBack)-20:]
	}
}

// MaxTrialBoots is how many starts a config or binary on trial gets before it is rolled back
// without waiting for the health gate (it crashed or was killed before becoming healthy).
const MaxTrialBoots = 3

// StatePath is the state file under dataDir.
func StatePath(dataDir string) string { return filepath.Join(dataDir, "fleet", "state.json") }

// maxStateFile bounds the state file read at start.
const maxStateFile = 1 << 20

// LoadState reads the state file; a missing one is the zero State.
func LoadState(dataDir string) (State, error) {
	var st State
	b, err := os.ReadFile(StatePath(dataDir))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("fleet state: %w", err)
	}
	if len(b) > maxStateFile {
		return st, fmt.Errorf("fleet state %s: over %d bytes", StatePath(dataDir), maxStateFile)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("fleet state %s: %w", StatePath(dataDir), err)
	}
	return st, nil
}

// SaveState writes the state file atomically (temporary file, fsync, rename, fsync of the folder).
func SaveState(dataDir string, st State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(StatePath(dataDir)), 0o750); err != nil {
		return fmt.Errorf("fleet state: %w", err)
	}
	return writeFileAtomic(StatePath(dataDir), b, 0o640)
}

// writeFileAtomic replaces path with data: at every moment path holds the old or the new content.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir fsyncs a folder so a rename in it survives power loss (a no-op where folders cannot be
// opened for sync, as on Windows).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}
