// Package metrics holds the panel's Prometheus metrics in a registry of its own (no
// global state) and serves them at /metrics.
package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is every metric the panel exports.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	gqlOperations *prometheus.CounterVec
	gqlDuration   *prometheus.HistogramVec
	reviews       *prometheus.CounterVec
	reviewLatency *prometheus.HistogramVec
	keystoneCalls *prometheus.CounterVec
	identityStale prometheus.Counter

	// The series of the TokenReview hot path, resolved once: looking a series up by its
	// labels hashes them on every request.
	reviewSeries  map[[2]string]prometheus.Counter
	reviewLatSer  map[string]prometheus.Observer
	httpSeries    map[httpKey]prometheus.Counter
	httpLatSeries map[string]prometheus.Observer
	httpSeriesMu  sync.RWMutex
}

// httpKey names a series of kaas_http_requests_total.
type httpKey struct {
	route, method string
	code          int
}

// New registers the metrics in a fresh registry.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	latency := []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaas_http_requests_total", Help: "HTTP requests by route, method and status code.",
	}, []string{"route", "method", "code"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kaas_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: latency,
	}, []string{"route"})
	m.gqlOperations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaas_graphql_operations_total", Help: "GraphQL operations by type, name and error code (empty when none).",
	}, []string{"type", "name", "code"})
	m.gqlDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kaas_graphql_operation_duration_seconds", Help: "GraphQL operation latency by type.", Buckets: latency,
	}, []string{"type"})
	m.reviews = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaas_tokenreviews_total", Help: "TokenReviews answered, by result and apiVersion.",
	}, []string{"result", "version"})
	m.reviewLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kaas_tokenreview_duration_seconds", Help: "TokenReview latency by result.", Buckets: latency,
	}, []string{"result"})
	m.keystoneCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaas_keystone_identity_fetches_total", Help: "Keystone identity fetches of the identity cache, by result.",
	}, []string{"result"})
	m.identityStale = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kaas_identity_stale_served_total", Help: "Identities served past their TTL because Keystone was unreachable.",
	})
	m.reg.MustRegister(m.httpRequests, m.httpDuration, m.gqlOperations, m.gqlDuration, m.reviews,
		m.reviewLatency, m.keystoneCalls, m.identityStale)
	m.reviewSeries, m.reviewLatSer = map[[2]string]prometheus.Counter{}, map[string]prometheus.Observer{}
	for result := range reviewResults {
		m.reviewLatSer[result] = m.reviewLatency.WithLabelValues(result)
		for version := range reviewVersions {
			m.reviewSeries[[2]string{result, version}] = m.reviews.WithLabelValues(result, version)
		}
	}
	m.httpSeries, m.httpLatSeries = map[httpKey]prometheus.Counter{}, map[string]prometheus.Observer{}
	return m
}

// TokenIndex reports the in-memory token index: how many tokens it holds, whether it
// serves from memory alone (the database's changes not followed), and for how long it
// has not been confirmed current.
func (m *Metrics) TokenIndex(state func() (tokens int, fromMemory bool, unconfirmed time.Duration)) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kaas_token_index_tokens", Help: "Live tokens held in memory by the token index.",
		}, func() float64 { n, _, _ := state(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kaas_token_index_serving_from_memory",
			Help: "1 while the token index answers from memory alone: the database (or its change notices) is unreachable.",
		}, func() float64 {
			if _, mem, _ := state(); mem {
				return 1
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kaas_token_index_unconfirmed_seconds",
			Help: "How long ago the token index was last known current (0 while it follows the database).",
		}, func() float64 { _, _, d := state(); return d.Seconds() }),
	)
}

// Registry returns the registry, for collectors owned by other packages.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// HTTPRequest observes one HTTP request. route is one of the panel's fixed route names;
// the method and code are bounded here.
func (m *Metrics) HTTPRequest(route, method string, code int, d time.Duration) {
	k := httpKey{route, bounded(method, methods), code}
	m.httpSeriesMu.RLock()
	c, ok := m.httpSeries[k]
	o := m.httpLatSeries[route]
	m.httpSeriesMu.RUnlock()
	if !ok || o == nil {
		c, o = m.httpRequests.WithLabelValues(route, k.method, statusLabel(code)), m.httpDuration.WithLabelValues(route)
		m.httpSeriesMu.Lock()
		m.httpSeries[k], m.httpLatSeries[route] = c, o // bounded: routes, methods and codes are
		m.httpSeriesMu.Unlock()
	}
	c.Inc()
	o.Observe(d.Seconds())
}

// GraphQLOperation observes one GraphQL operation. The caller bounds name (see
// OperationNames); the type and code are bounded here.
func (m *Metrics) GraphQLOperation(opType, name, code string, d time.Duration) {
	opType = bounded(opType, operationTypes)
	m.gqlOperations.WithLabelValues(opType, name, bounded(code, errorCodes)).Inc()
	m.gqlDuration.WithLabelValues(opType).Observe(d.Seconds())
}

// Review observes one TokenReview.
func (m *Metrics) Review(result, version string, d time.Duration) {
	result, version = bounded(result, reviewResults), bounded(version, reviewVersions)
	if c, ok := m.reviewSeries[[2]string{result, version}]; ok {
		c.Inc()
		m.reviewLatSer[result].Observe(d.Seconds())
		return
	}
	m.reviews.WithLabelValues(result, version).Inc()
	m.reviewLatency.WithLabelValues(result).Observe(d.Seconds())
}

// KeystoneFetch observes one identity fetch from Keystone.
func (m *Metrics) KeystoneFetch(err error) {
	if err != nil {
		m.keystoneCalls.WithLabelValues("error").Inc()
	} else {
		m.keystoneCalls.WithLabelValues("ok").Inc()
	}
}

// IdentityStale counts a stale identity served.
func (m *Metrics) IdentityStale() { m.identityStale.Inc() }
