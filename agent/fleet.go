package agent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"gopkg.in/yaml.v3"

	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/fleet"
)

// FleetOptions are the agent options of fleet operations (docs/fleet.md).
type FleetOptions struct {
	// Binary is the executable an update replaces; "" means os.Executable(), and "-" turns
	// self-update off.
	Binary string
	// HTTPClient downloads updates and posts diagnostics (tests: an httptest TLS client).
	HTTPClient *http.Client
	// Tick paces the fleet loop (0: 1 s).
	Tick time.Duration
	// LogTail returns the agent's recent log lines for diagnostics (nil: none).
	LogTail func() []string
}

// PrepareFleet is called before the agent is built: it counts this start against any config or
// binary on trial (rolling back what failed too many starts) and returns the config to run: the
// file's, with central's overlay merged in when there is one. restart is true when a binary on
// trial was rolled back here: exit with fleet.ExitRestart so the service starts the previous one.
func PrepareFleet(cfg *Config) (out *Config, restart bool, err error) {
	if !cfg.FleetOn() {
		return cfg, false, nil
	}
	st, err := fleet.PrepareStart(cfg.DataDir)
	if err != nil {
		return nil, false, err
	}
	if st.Restart {
		return nil, true, nil
	}
	if st.Overlay == nil {
		return cfg, false, nil
	}
	c, _, err := cfg.WithOverlay(st.Overlay.Overlay)
	if err != nil {
		if st.ConfigTrial {
			if rerr := fleet.RollbackConfigTrial(cfg.DataDir, err.Error()); rerr != nil {
				return nil, false, rerr
			}
			return nil, true, nil
		}
		// The good overlay no longer fits the file (IT edited it): the file alone runs.
		return cfg, false, nil
	}
	c.fleetTrial = st.ConfigTrial
	return c, false, nil
}

// FleetTrial reports whether the config runs a config overlay on trial; a start that fails on it
// should call RollbackFleetTrial.
func (c *Config) FleetTrial() bool { return c.fleetTrial }

// RollbackFleetTrial drops the overlay on trial after the agent failed to start on it.
func RollbackFleetTrial(c *Config, cause error) error {
	return fleet.RollbackConfigTrial(c.DataDir, "the agent did not start on it: "+cause.Error())
}

// startFleet builds the fleet part (before sync, which routes the fleet topics to it).
func (a *Agent) startFleet() error {
	if !a.cfg.FleetOn() {
		return nil
	}
	if a.cfg.MQTT.Broker == "" {
		return errors.New("fleet: fleet operations need mqtt.broker")
	}
	pub, err := fleet.LoadPublicKey(a.cfg.Fleet.CentralPublicKeyFile)
	if err != nil {
		return fmt.Errorf("fleet.central_public_key_file: %w", err)
	}
	fo := a.opts.Fleet
	bin := fo.Binary
	switch bin {
	case "":
		if bin, err = os.Executable(); err != nil {
			bin = ""
		}
	case "-":
		bin = ""
	}
	a.activity = &activity{}
	f, err := fleet.New(fleet.Options{
		StoreID:        a.cfg.StoreID,
		PublicKey:      pub,
		Ring:           a.cfg.Fleet.Ring,
		Version:        a.opts.Version,
		DataDir:        a.cfg.DataDir,
		DB:             a.DB,
		Link:           fleetLink{a},
		HealthTimeout:  a.cfg.Fleet.HealthTimeout.Std(),
		Binary:         bin,
		PackageManaged: bin != "" && fleet.PackageManaged(bin),
		UpdateMaxBytes: a.cfg.Fleet.UpdateMaxBytes,
		HTTPClient:     fo.HTTPClient,
		DiagnosticsURL: a.cfg.Fleet.DiagnosticsURL,
		Tick:           fo.Tick,
		Logger:         a.opts.Logger,
		Env: fleet.Env{
			Healthy:         a.fleetHealthy,
			Idle:            func() bool { return a.activity.idle(a.cfg.Fleet.IdleFor.Std()) },
			ValidateOverlay: func(ov []byte) ([]string, error) { _, ignored, err := a.cfg.WithOverlay(ov); return ignored, err },
			PlanOverlay:     a.fleetPlan,
			ApplyOverlay:    a.fleetApply,
			Diagnostics:     a.fleetDiagnostics,
			Reprint:         a.fleetReprint,
		},
	})
	if err != nil {
		return err
	}
	a.Fleet = f
	a.Add("fleet", f)
	return nil
}

// fleetHandler is what sync routes the fleet topics to (nil without fleet operations).
func (a *Agent) fleetHandler() agentsync.FleetHandler {
	if a.Fleet == nil {
		return nil
	}
	return a.Fleet
}

// fleetLink forwards to the Syncer once it exists.
type fleetLink struct{ a *Agent }

func (l fleetLink) Online() bool { return l.a.online() }

func (l fleetLink) PublishEvent(ctx context.Context, topic, typ string, data any, retained bool) error {
	s := l.a.Syncer()
	if s == nil {
		return errors.New("no MQTT link")
	}
	return s.PublishEvent(ctx, topic, typ, data, retained)
}

func (l fleetLink) RequestSnapshot(ctx context.Context, topic string) error {
	s := l.a.Syncer()
	if s == nil {
		return errors.New("no MQTT link")
	}
	return s.RequestSnapshot(ctx, topic)
}

// fleetHealthy is the health gate: HTTP answers /healthz and the broker is connected.
func (a *Agent) fleetHealthy(ctx context.Context) error {
	if !a.online() {
		return errors.New("broker not connected")
	}
	if a.ln == nil {
		return errors.New("HTTP not listening")
	}
	if a.cfg.HTTP.TLSCertFile != "" {
		// HTTPS with the store's own certificate: a TCP connect shows the listener is up.
		c, err := (&net.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, "tcp", a.ln.Addr().String())
		if err != nil {
			return fmt.Errorf("HTTP not answering: %w", err)
		}
		return c.Close()
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+loopbackAddr(a.ln.Addr())+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("HTTP not answering: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP /healthz answered %s", resp.Status)
	}
	return nil
}

// loopbackAddr is addr with an unspecified host (0.0.0.0, ::) replaced by 127.0.0.1.
func loopbackAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// fleetDiagnostics gathers a diagnostics bundle's parts.
func (a *Agent) fleetDiagnostics(ctx context.Context) (map[string]any, error) {
	out := map[string]any{}
	if y, err := yaml.Marshal(a.live.Load().Redacted()); err == nil {
		out["config"] = string(y)
	}
	if a.opts.Fleet.LogTail != nil {
		out["logs"] = a.opts.Fleet.LogTail()
	}
	if st, err := a.POS.Status(ctx); err == nil {
		out["status"] = st
	} else {
		out["status_error"] = err.Error()
	}
	out["integrity"] = quickCheck(ctx, a.DB)
	out["devices"] = a.deviceStates()
	return out, nil
}

// quickCheck runs SQLite's quick_check: "ok" or the problems it lists (at most 20).
func quickCheck(ctx context.Context, d *db.DB) []string {
	rows, err := d.R.QueryContext(ctx, `PRAGMA quick_check(20)`)
	if err != nil {
		return []string{"quick_check: " + err.Error()}
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if rows.Scan(&s) == nil {
			out = append(out, s)
		}
	}
	return out
}

// fleetReprint queues a copy of a sale's receipt through the print queue.
func (a *Agent) fleetReprint(ctx context.Context, saleID, printer string) (string, error) {
	if a.Printing == nil {
		return "", errors.New("no print queue")
	}
	if printer == "" {
		for _, d := range a.cfg.Devices {
			if d.Type == "printer" {
				printer = d.Name
				break
			}
		}
		if printer == "" {
			return "", errors.New("no printer configured")
		}
	}
	tx, err := a.DB.W.BeginTx(ctx, nil)
	if err != nil {
		return "", db.Explain(err)
	}
	defer tx.Rollback()
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM sales WHERE sale_id = ?1`, saleID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sale %q not found", saleID)
	} else if err != nil {
		return "", db.Explain(err)
	}
	job, err := a.Printing.Enqueue(ctx, tx, saleID, printer, false)
	if err != nil {
		return "", err
	}
	if err := tx.Commit(); err != nil {
		return "", db.Explain(err)
	}
	a.Printing.Wake()
	return job, nil
}

// activity tracks POS requests, for the fleet's "idle" (docs/fleet.md): no request in flight
// under /api/v1/ (but the event stream, status, the OpenAPI document and fiscal exports) and
// none in the last fleet.idle_for.
type activity struct {
	inFlight atomic.Int64
	mu       gosync.Mutex
	last     time.Time
}

// counts reports whether a request is selling work.
func (t *activity) counts(r *http.Request) bool {
	p := r.URL.Path
	if !strings.HasPrefix(p, "/api/v1/") {
		return false
	}
	for _, skip := range []string{"/api/v1/events", "/api/v1/status", "/api/v1/openapi.yaml", "/api/v1/fiscal/"} {
		if strings.HasPrefix(p, skip) {
			return false
		}
	}
	return true
}

func (t *activity) wrap(h http.Handler) http.Handler {
	if t == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !t.counts(r) {
			h.ServeHTTP(w, r)
			return
		}
		t.inFlight.Add(1)
		defer func() {
			t.mu.Lock()
			t.last = time.Now()
			t.mu.Unlock()
			t.inFlight.Add(-1)
		}()
		h.ServeHTTP(w, r)
	})
}

func (t *activity) idle(quiet time.Duration) bool {
	if t.inFlight.Load() > 0 {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last.IsZero() || time.Since(t.last) >= quiet
}
