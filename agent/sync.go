package agent

import (
	"fmt"

	agentsync "github.com/storeagent/storeagent/sync"
)

// startSync builds the MQTT link to central. The store sells without it: a broker that is down at
// start only delays the outbox, it never stops the agent.
func (a *Agent) startSync() error {
	if a.cfg.MQTT.Broker == "" {
		return nil
	}
	a.syncReg = &trackedRegisterer{reg: a.Metrics}
	s, err := agentsync.New(a.DB, a.syncOptions(a.cfg))
	if err != nil {
		return fmt.Errorf("mqtt: %w", err)
	}
	a.syncer.Store(s)
	a.syncPart = newRestartable(func() Part { return a.syncer.Load() })
	a.Add("sync", a.syncPart)
	return nil
}

// syncOptions are the Syncer's options for cfg.
func (a *Agent) syncOptions(cfg *Config) agentsync.Options {
	m := cfg.MQTT
	window := m.ReconnectWindow.Std()
	if window == 0 {
		window = -1 // configured off; the sync package's zero means its default
	}
	return agentsync.Options{
		StoreID:       cfg.StoreID,
		TopicPrefix:   m.TopicPrefix,
		Broker:        m.Broker,
		ClientID:      m.ClientID,
		Username:      m.Username,
		Password:      m.Password,
		CAFile:        m.CAFile,
		CertFile:      m.CertFile,
		KeyFile:       m.KeyFile,
		AgentVersion:  a.opts.Version,
		LookupTimeout: cfg.Customers.LookupTimeout.Std(),
		CacheTTL:      cfg.Customers.CacheTTL.Std(),
		Logger:        a.opts.Logger,
		Registerer:    a.syncReg,
		Backoff:       agentsync.Backoff{Window: window},
		Fleet:         a.fleetHandler(),
	}
}

// Syncer is the MQTT link to central in use (nil when no broker is configured).
func (a *Agent) Syncer() *agentsync.Syncer { return a.syncer.Load() }

func (a *Agent) online() bool {
	s := a.Syncer()
	return s != nil && s.Online()
}

func (a *Agent) notifySync() {
	if s := a.Syncer(); s != nil {
		s.Notify()
	}
}
