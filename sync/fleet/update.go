package fleet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// handleUpdate takes a retail.update.available: verified, for this store's ring, not the running
// version nor one already tried; on a package-managed install it is refused. Otherwise, once the
// store is idle, the binary is downloaded, checked and swapped in, and the agent restarts on it.
func (f *Fleet) handleUpdate(ctx context.Context, payload []byte) error {
	msg, err := DecodeMessage(TopicUpdate, payload)
	if err != nil {
		f.rejectUpdate(ctx, "", err)
		return nil
	}
	if err := Verify(f.opts.PublicKey, TypeUpdateAvailable, f.opts.StoreID, msg.Data); err != nil {
		u, _ := ParseUpdate(msg.Data)
		f.rejectUpdate(ctx, clip(u.Version, 64), err)
		return nil
	}
	u, err := ParseUpdate(msg.Data)
	if err != nil {
		f.rejectUpdate(ctx, clip(u.Version, 64), err)
		return nil
	}
	us := &f.state.Update
	switch {
	case u.Ring != f.opts.Ring:
		f.rejectUpdate(ctx, u.Version, fmt.Errorf("for ring %q; this store is in ring %q", u.Ring, f.opts.Ring))
		return nil
	case u.Version == f.opts.Version:
		if us.Last.Version != u.Version {
			us.Last = UpdateReportedData{Version: u.Version, Status: StatusApplied, Running: f.opts.Version}
			f.dirtyUpdate = true
			return f.save()
		}
		return nil
	case us.Trial != nil || (us.Last.Version == u.Version && (us.Last.Status != StatusRejected || us.LastSHA256 == u.SHA256)):
		f.dirtyUpdate = us.Last.Version == u.Version
		return nil
	case slices.Contains(us.RolledBack, u.Version):
		return nil
	}
	if f.opts.Binary == "" {
		return f.refuseUpdate(u, "self-update is off for this agent (no binary to replace)")
	}
	if reason := updateRefusal(runtime.GOOS, f.opts.PackageManaged); reason != "" {
		return f.refuseUpdate(u, reason)
	}
	f.log.Info("update available; installing when the store is idle", "version", u.Version, "url", u.URL)
	f.pending["update"] = func(ctx context.Context) error {
		if err := f.install(ctx, u); err != nil {
			f.log.Warn("update failed; still on the running binary", "version", u.Version, "err", err)
			return f.refuseUpdate(u, err.Error())
		}
		f.log.Info("restarting on the new binary", "version", u.Version)
		return ErrRestart
	}
	return nil
}

// updateRefusal says why this install cannot update itself, or "". A package-managed binary belongs
// to apt/dnf. On Windows a running .exe cannot be renamed over (os.Rename is MoveFileEx with
// REPLACE_EXISTING, refused for an image in use), and moving it aside first leaves a moment with no
// binary at the service's path, which a power cut would make permanent: until a swap that is safe
// there exists (and is tested on Windows), the update is refused and reported, never half done.
func updateRefusal(goos string, packageManaged bool) string {
	switch {
	case packageManaged:
		return "package-managed: update through apt/dnf"
	case goos == "windows":
		return "self-update is not supported on Windows yet: stop the service, replace storeagent.exe, start it"
	}
	return ""
}

func (f *Fleet) refuseUpdate(u UpdateAvailableData, reason string) error {
	f.state.Update.Last = UpdateReportedData{Version: u.Version, Status: StatusRejected, Error: clip(reason, 2048), Running: f.opts.Version}
	f.state.Update.LastSHA256 = u.SHA256
	f.dirtyUpdate = true
	return f.save()
}

// rejectUpdate reports an update refused before its signature or shape checked out; it is not
// kept in the state.
func (f *Fleet) rejectUpdate(ctx context.Context, version string, err error) {
	f.log.Warn("update refused", "version", version, "err", err)
	r := UpdateReportedData{Version: version, Status: StatusRejected, Error: clip(err.Error(), 1024), Running: f.opts.Version}
	if perr := f.opts.Link.PublishEvent(ctx, TopicUpdateReported, TypeUpdateReported, r, false); perr != nil {
		f.log.Warn("publish update report", "err", perr)
	}
}

// install downloads, checks and swaps in the update.
func (f *Fleet) install(ctx context.Context, u UpdateAvailableData) error {
	staged := f.opts.Binary + ".new"
	if err := Download(ctx, f.opts.HTTPClient, u.URL, u.SHA256, f.opts.UpdateMaxBytes, staged); err != nil {
		return err
	}
	if err := SmokeTest(ctx, staged); err != nil {
		os.Remove(staged)
		return err
	}
	sw := Swapper{DataDir: f.opts.DataDir}
	trial := UpdateTrial{Version: u.Version, SHA256: u.SHA256, From: f.opts.Version, Binary: f.opts.Binary, Previous: f.opts.Binary + ".prev"}
	f.state.Update.Trial = &trial
	return sw.Swap(f.state, staged)
}

// Download fetches url into path (created 0755), at most maxBytes, and checks its SHA-256 against
// wantSHA (lowercase hex). path is fsynced; on any error it is removed.
func Download(ctx context.Context, c *http.Client, url, wantSHA string, maxBytes int64, path string) (err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download: %s answered %s", url, resp.Status)
	}
	if resp.ContentLength > maxBytes {
		return fmt.Errorf("download: %d bytes is over the %d allowed (fleet.update_max_bytes)", resp.ContentLength, maxBytes)
	}
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(path)
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	if n > maxBytes {
		return fmt.Errorf("download: over the %d bytes allowed (fleet.update_max_bytes)", maxBytes)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != wantSHA {
		return fmt.Errorf("download: sha256 %s, want %s", got, wantSHA)
	}
	if err := out.Sync(); err != nil {
		return fmt.Errorf("download: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("download: %w", err)
	}
	return nil
}

// SmokeTest runs `binary version` (10 s at most): a binary that cannot say its version is not
// swapped in.
func SmokeTest(ctx context.Context, binary string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, binary, "version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("the new binary does not run (`version`: %v: %s)", err, clip(strings.TrimSpace(string(out)), 200))
	}
	return nil
}

// Swapper swaps a staged binary in. Step, if set, is called after each step (the reliability
// suite kills the process there).
type Swapper struct {
	DataDir string
	Step    func(step string)
}

func (s Swapper) step(name string) {
	if s.Step != nil {
		s.Step(name)
	}
}

// Swap puts st.Update.Trial's binary in place: the trial is recorded first (state file), then
// the running binary is copied to Previous, then the staged file is renamed over Binary. Each
// step is fsynced and the rename is atomic, so a kill or power loss anywhere leaves Binary either
// the old or the new binary, both complete, and PrepareStart knows which (by its SHA-256).
func (s Swapper) Swap(st State, staged string) error {
	t := st.Update.Trial
	if t == nil {
		return errors.New("swap: no update on trial")
	}
	if err := SaveState(s.DataDir, st); err != nil {
		return fmt.Errorf("swap: record the trial: %w", err)
	}
	s.step("recorded")
	if err := copyFileAtomic(t.Binary, t.Previous); err != nil {
		return fmt.Errorf("swap: keep the previous binary: %w", err)
	}
	s.step("kept-previous")
	if err := os.Rename(staged, t.Binary); err != nil {
		return fmt.Errorf("swap: %w", err)
	}
	s.step("renamed")
	if err := syncDir(filepath.Dir(t.Binary)); err != nil {
		return fmt.Errorf("swap: %w", err)
	}
	s.step("synced")
	return nil
}

// rollbackBinary puts the previous binary back.
func rollbackBinary(t *UpdateTrial) error {
	if t.Previous == "" {
		return errors.New("no previous binary recorded")
	}
	return copyFileAtomic(t.Previous, t.Binary)
}

// copyFileAtomic copies src over dst through dst.tmp (fsync, rename, fsync of the folder), mode 0755.
func copyFileAtomic(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dst))
}

// fileSHA256 is a file's SHA-256 in lowercase hex.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// PackageManaged reports whether binary was installed by a .deb or .rpm (packaging/: the package
// puts it in /usr/bin, which the hardened unit cannot write): anything under /usr is taken as
// the package manager's.
func PackageManaged(binary string) bool {
	p, err := filepath.EvalSymlinks(binary)
	if err != nil {
		p = binary
	}
	return strings.HasPrefix(filepath.ToSlash(p), "/usr/")
}
