package fleet

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/sync/db"
)

// partsLink is a broker link that is always up and keeps what was published.
type partsLink struct{ reports []ConfigReportedData }

func (l *partsLink) Online() bool { return true }

func (l *partsLink) PublishEvent(_ context.Context, topic, _ string, data any, _ bool) error {
	if r, ok := data.(ConfigReportedData); ok && topic == TopicConfigReported {
		l.reports = append(l.reports, r)
	}
	return nil
}

func (l *partsLink) RequestSnapshot(context.Context, string) error { return nil }

// partsEnv is an agent whose parts record the overlays applied to them; an overlay with "whole" in
// it needs a restart, one with "fail" fails to apply, and healthy says how the gate goes.
type partsEnv struct {
	applied  []string
	healthy  error
	failPrev bool
}

func (e *partsEnv) plan(ov []byte) (Plan, error) {
	switch {
	case strings.Contains(string(ov), "whole"):
		return wholePlan, nil
	case string(ov) == `{"same":1}`:
		return Plan{}, nil
	}
	return Plan{Restarted: []string{PartSync}, Reloaded: []string{PartPOS}}, nil
}

func (e *partsEnv) apply(_ context.Context, ov []byte) (Plan, error) {
	e.applied = append(e.applied, string(ov))
	if strings.Contains(string(ov), "fail") || (e.failPrev && len(e.applied) > 1) {
		return Plan{}, errors.New("the part did not take it")
	}
	return e.plan(ov)
}

func newPartsFleet(t *testing.T) (*Fleet, *partsEnv, *partsLink, *time.Time) {
	t.Helper()
	dir := t.TempDir()
	d, err := db.Open(t.Context(), dir, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	pub, _, _ := ed25519.GenerateKey(nil)
	env, link := &partsEnv{}, &partsLink{}
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	f, err := New(Options{StoreID: "s1", PublicKey: pub, DataDir: dir, DB: d, Link: link, HealthTimeout: time.Minute,
		Now: func() time.Time { return now },
		Env: Env{Healthy: func(context.Context) error { return env.healthy }, Idle: func() bool { return true },
			ValidateOverlay: func([]byte) ([]string, error) { return nil, nil }, PlanOverlay: env.plan, ApplyOverlay: env.apply}})
	if err != nil {
		t.Fatal(err)
	}
	f.state.Config.Good = &Overlay{Version: 1, Overlay: json.RawMessage(`{"good":1}`)}
	return f, env, link, &now
}

// TestFleet_applyConfigParts: an overlay applied part-wise is kept once healthy and reported with
// its parts; one that is not healthy in time gets the previous overlay applied the same way, with
// no restart; when that fails too, or the overlay needs it, the agent restarts; an overlay that
// changes nothing is applied as it is. Each outcome is in the state file.
func TestFleet_applyConfigParts(t *testing.T) {
	ctx := context.Background()
	t.Run("healthy", func(t *testing.T) {
		f, env, link, _ := newPartsFleet(t)
		if err := f.applyConfig(ctx, &Overlay{Version: 2, Overlay: json.RawMessage(`{"v":2}`)}); err != nil {
			t.Fatal(err)
		}
		if !f.onTrial() || f.live == nil {
			t.Fatal("not on trial after a part-wise apply")
		}
		if err := f.gate(ctx); err != nil {
			t.Fatal(err)
		}
		st, _ := LoadState(f.opts.DataDir)
		if st.Config.Good == nil || st.Config.Good.Version != 2 || st.Config.Trial != nil || st.Config.Last.Status != StatusApplied ||
			!slices.Equal(st.Config.Last.Restarted, []string{PartSync}) || !slices.Equal(st.Config.Last.Reloaded, []string{PartPOS}) {
			t.Errorf("state %+v", st.Config)
		}
		f.publishReports(ctx)
		if len(link.reports) != 1 || link.reports[0].Version != 2 || !slices.Equal(link.reports[0].Restarted, []string{PartSync}) {
			t.Errorf("reports %+v", link.reports)
		}
		if !slices.Equal(env.applied, []string{`{"v":2}`}) {
			t.Errorf("applied %v", env.applied)
		}
	})
	t.Run("unhealthy rolls back in place", func(t *testing.T) {
		f, env, link, now := newPartsFleet(t)
		env.healthy = errors.New("broker not connected")
		if err := f.applyConfig(ctx, &Overlay{Version: 2, Overlay: json.RawMessage(`{"v":2}`)}); err != nil {
			t.Fatal(err)
		}
		if err := f.gate(ctx); err != nil || !f.onTrial() {
			t.Fatalf("gate before the timeout: %v, on trial %v", err, f.onTrial())
		}
		*now = now.Add(time.Minute)
		if err := f.gate(ctx); err != nil {
			t.Fatalf("gate after the timeout = %v; want a rollback in place", err)
		}
		if !slices.Equal(env.applied, []string{`{"v":2}`, `{"good":1}`}) {
			t.Errorf("applied %v; want the overlay, then the previous one", env.applied)
		}
		st, _ := LoadState(f.opts.DataDir)
		if st.Config.Good.Version != 1 || st.Config.Trial != nil || st.Config.Last.Status != StatusRolledBack ||
			!strings.Contains(st.Config.Last.Error, "broker not connected") || st.Config.Last.Whole() {
			t.Errorf("state %+v", st.Config)
		}
		if len(link.reports) != 1 || link.reports[0].Status != StatusRolledBack {
			t.Errorf("reports %+v", link.reports)
		}
	})
	t.Run("previous does not apply: restart", func(t *testing.T) {
		f, env, _, now := newPartsFleet(t)
		env.healthy, env.failPrev = errors.New("broker not connected"), true
		if err := f.applyConfig(ctx, &Overlay{Version: 2, Overlay: json.RawMessage(`{"v":2}`)}); err != nil {
			t.Fatal(err)
		}
		*now = now.Add(time.Minute)
		if err := f.gate(ctx); !errors.Is(err, ErrRestart) {
			t.Fatalf("gate = %v; want ErrRestart", err)
		}
		st, _ := LoadState(f.opts.DataDir)
		if st.Config.Good.Version != 1 || st.Config.Trial != nil || !st.Config.Last.Whole() || st.Config.Last.Status != StatusRolledBack {
			t.Errorf("state %+v", st.Config)
		}
	})
	t.Run("apply fails: rolled back at once", func(t *testing.T) {
		f, env, _, _ := newPartsFleet(t)
		if err := f.applyConfig(ctx, &Overlay{Version: 2, Overlay: json.RawMessage(`{"fail":2}`)}); err != nil {
			t.Fatal(err)
		}
		st, _ := LoadState(f.opts.DataDir)
		if f.onTrial() || st.Config.Last.Status != StatusRolledBack || !strings.Contains(st.Config.Last.Error, "did not take it") ||
			!slices.Equal(env.applied, []string{`{"fail":2}`, `{"good":1}`}) {
			t.Errorf("state %+v, applied %v", st.Config, env.applied)
		}
	})
	t.Run("whole", func(t *testing.T) {
		f, env, _, _ := newPartsFleet(t)
		if err := f.applyConfig(ctx, &Overlay{Version: 2, Overlay: json.RawMessage(`{"whole":2}`)}); !errors.Is(err, ErrRestart) {
			t.Fatalf("applyConfig = %v; want ErrRestart", err)
		}
		st, _ := LoadState(f.opts.DataDir)
		if st.Config.Trial == nil || st.Config.Trial.Version != 2 || !st.Config.Trial.Whole() || len(env.applied) != 0 {
			t.Errorf("state %+v, applied %v", st.Config, env.applied)
		}
		// The restart: its report says the agent restarted.
		s, err := PrepareStart(f.opts.DataDir)
		if err != nil || !s.ConfigTrial {
			t.Fatal(s, err)
		}
	})
	t.Run("no change", func(t *testing.T) {
		f, env, _, _ := newPartsFleet(t)
		if err := f.applyConfig(ctx, &Overlay{Version: 2, Overlay: json.RawMessage(`{"same":1}`)}); err != nil {
			t.Fatal(err)
		}
		st, _ := LoadState(f.opts.DataDir)
		if f.onTrial() || st.Config.Good.Version != 2 || st.Config.Last.Status != StatusApplied || !st.Config.Last.Empty() || len(env.applied) != 0 {
			t.Errorf("state %+v, applied %v", st.Config, env.applied)
		}
	})
}
