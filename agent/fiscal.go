package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/sync/outbox"
)

// ConfigHash is the hex SHA-256 of the redacted config as YAML: what a config_change event
// names.
func (c *Config) ConfigHash() string {
	b, _ := yaml.Marshal(c.Redacted())
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// OpenFiscalJournal loads the store key (making it at first start when key_file is empty) and
// returns the journal over the agent's database; nil when the store is not French.
func (a *Agent) openFiscalJournal() (*fiscal.Journal, error) {
	if !a.cfg.FiscalFR() {
		return nil, nil
	}
	key, err := fiscal.LoadOrCreateKey(a.cfg.FiscalKeyFile(), a.cfg.Fiscal.KeyFile == "")
	if err != nil {
		return nil, fmt.Errorf("fiscal.key_file: %w", err)
	}
	j := fiscal.NewJournal(key, outbox.Writer{StoreID: a.cfg.StoreID, Epoch: a.DB.Epoch}, nil)
	j.SetCalendar(fiscal.Calendar{Location: a.cfg.Location(), DayStart: a.cfg.Till.DayStart()})
	j.UseStatements(a.DB.WStmts)
	return j, nil
}

// startFiscal records the start (and any version or config change) and adds the part that
// watches the clock and records the stop.
func (a *Agent) startFiscal(ctx context.Context) error {
	if a.Fiscal == nil {
		return nil
	}
	if err := a.Fiscal.Started(ctx, a.DB, a.opts.Version, a.cfg.ConfigHash()); err != nil {
		return err
	}
	watch := fiscal.ClockWatch{J: a.Fiscal, DB: a.DB, Every: 30 * time.Second}
	a.Add("fiscal", PartFunc(func(ctx context.Context) error {
		err := watch.Run(ctx)
		stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, serr := a.Fiscal.Event(stop, a.DB, fiscal.EventStop, nil); serr != nil && err == nil {
			err = serr
		}
		return err
	}))
	return nil
}

// POSJournal is the journal as pos takes it (nil when the store is not French).
func (a *Agent) POSJournal() pos.Journal {
	if a.Fiscal == nil {
		return nil
	}
	return fiscal.ForPOS{J: a.Fiscal, Training: a.cfg.Fiscal.Training}
}

// fiscalReader serves the journal on /api/v1/fiscal/* (nil when the store is not French).
func (a *Agent) fiscalReader() pos.FiscalReader {
	if a.Fiscal == nil {
		return nil
	}
	return fiscal.Reader{J: a.Fiscal, Q: a.DB.R}
}

// fiscalSIRET is the SIRET receipts print, "" when the store is not French.
func fiscalSIRET(c *Config) string {
	if !c.FiscalFR() {
		return ""
	}
	return c.Fiscal.SIRET
}
