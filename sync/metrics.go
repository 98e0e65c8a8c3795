package sync

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the sync link's Prometheus collectors (prefix storeagent_sync_).
type metrics struct {
	deadLetters *prometheus.CounterVec
	applied     *prometheus.CounterVec
	inboxEvents prometheus.Counter
	published   prometheus.Counter
	acked       prometheus.Counter
	ackTimeouts prometheus.Counter
	connects    prometheus.Counter
	online      prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "storeagent_sync_dead_letters_total",
			Help: "Central events refused (malformed, not a CloudEvent, unknown type, too large, bad data) and kept in dead_letters."},
			[]string{"topic", "reason"}),
		applied: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "storeagent_sync_inbox_applied_total",
			Help: "Central events applied to the replica."}, []string{"topic"}),
		inboxEvents: prometheus.NewCounter(prometheus.CounterOpts{Name: "storeagent_sync_inbox_stored_total",
			Help: "Central events stored in the inbox (duplicates included)."}),
		published: prometheus.NewCounter(prometheus.CounterOpts{Name: "storeagent_sync_outbox_published_total",
			Help: "Outbox events published (republishes included)."}),
		acked: prometheus.NewCounter(prometheus.CounterOpts{Name: "storeagent_sync_outbox_acked_total",
			Help: "Outbox events cleared by central's retail.ack."}),
		ackTimeouts: prometheus.NewCounter(prometheus.CounterOpts{Name: "storeagent_sync_ack_timeouts_total",
			Help: "Times central did not ack in time and the outbox was published again."}),
		connects: prometheus.NewCounter(prometheus.CounterOpts{Name: "storeagent_sync_connects_total",
			Help: "Successful connections to the broker."}),
		online: prometheus.NewGauge(prometheus.GaugeOpts{Name: "storeagent_sync_online",
			Help: "1 while connected to the broker."}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.deadLetters, m.applied, m.inboxEvents, m.published, m.acked,
		m.ackTimeouts, m.connects, m.online} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				continue
			}
			return nil, fmt.Errorf("sync: register metrics: %w", err)
		}
	}
	return m, nil
}
