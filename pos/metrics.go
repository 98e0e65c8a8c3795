package pos

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "storeagent_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "storeagent_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, 1, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *httpMetrics) observe(method, route string, code int, d time.Duration) {
	m.requests.WithLabelValues(method, route, itoa(code)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

// Collector exposes the selling domain's gauges (outbox depth, sales) to Prometheus.
type Collector struct{ svc *Service }

// NewCollector returns the domain collector for reg.MustRegister.
func NewCollector(svc *Service) *Collector { return &Collector{svc: svc} }

var (
	descOutboxPending = prometheus.NewDesc("storeagent_outbox_pending", "Events waiting for central's ack.", nil, nil)
	descOutboxAge     = prometheus.NewDesc("storeagent_outbox_oldest_age_seconds", "Age of the oldest unacked event.", nil, nil)
	descSales         = prometheus.NewDesc("storeagent_sales_total", "Sales stored in this database.", nil, nil)
	descCatalogSeq    = prometheus.NewDesc("storeagent_catalog_seq", "Catalogue sequence the replica is at.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descOutboxPending
	ch <- descOutboxAge
	ch <- descSales
	ch <- descCatalogSeq
}

// Collect implements prometheus.Collector; it reads the database, so scrapes stay cheap counts.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := contextWithTimeout(2 * time.Second)
	defer cancel()
	st, err := c.svc.Status(ctx)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(descOutboxPending, prometheus.GaugeValue, float64(st.Outbox.Pending))
	ch <- prometheus.MustNewConstMetric(descOutboxAge, prometheus.GaugeValue, float64(st.Outbox.OldestAgeS))
	ch <- prometheus.MustNewConstMetric(descCatalogSeq, prometheus.GaugeValue, float64(st.CatalogSeq))
	var n int64
	if err := c.svc.db.R.QueryRowContext(ctx, `SELECT count(*) FROM sales`).Scan(&n); err == nil {
		ch <- prometheus.MustNewConstMetric(descSales, prometheus.CounterValue, float64(n))
	}
}
