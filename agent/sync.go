package agent

import (
	"fmt"

	agentsync "github.com/storeagent/storeagent/sync"
)

// startSync builds the MQTT link to central. The store sells without it: a broker that is down at
// start only delays the outbox, it never stops the agent.
func (a *Agent) startSync() error {
	m := a.cfg.MQTT
	if m.Broker == "" {
		return nil
	}
	window := m.ReconnectWindow.Std()
	if window == 0 {
		window = -1 // configured off; the sync package's zero means its default
	}
	s, err := agentsync.New(a.DB, agentsync.Options{
		StoreID:       a.cfg.StoreID,
		TopicPrefix:   m.TopicPrefix,
		Broker:        m.Broker,
		ClientID:      m.ClientID,
		Username:      m.Username,
		Password:      m.Password,
		CAFile:        m.CAFile,
		CertFile:      m.CertFile,
		KeyFile:       m.KeyFile,
		AgentVersion:  a.opts.Version,
		LookupTimeout: a.cfg.Customers.LookupTimeout.Std(),
		CacheTTL:      a.cfg.Customers.CacheTTL.Std(),
		Logger:        a.opts.Logger,
		Registerer:    a.Metrics,
		Backoff:       agentsync.Backoff{Window: window},
		Fleet:         a.fleetHandler(),
	})
	if err != nil {
		return fmt.Errorf("mqtt: %w", err)
	}
	a.Sync = s
	a.Add("sync", s)
	return nil
}

func (a *Agent) online() bool { return a.Sync != nil && a.Sync.Online() }

func (a *Agent) notifySync() {
	if a.Sync != nil {
		a.Sync.Notify()
	}
}
