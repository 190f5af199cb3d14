// Package metrics holds the panel's Prometheus metrics in a registry of its own (no
// global state) and serves them at /metrics.
package metrics

import (
	"net/http"
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
	tokenCache    *prometheus.CounterVec
	keystoneCalls *prometheus.CounterVec
	identityStale prometheus.Counter
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
	m.tokenCache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaas_token_cache_lookups_total", Help: "Token cache lookups by outcome (hit or miss).",
	}, []string{"outcome"})
	m.keystoneCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kaas_keystone_identity_fetches_total", Help: "Keystone identity fetches of the identity cache, by result.",
	}, []string{"result"})
	m.identityStale = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kaas_identity_stale_served_total", Help: "Identities served past their TTL because Keystone was unreachable.",
	})
	m.reg.MustRegister(m.httpRequests, m.httpDuration, m.gqlOperations, m.gqlDuration, m.reviews,
		m.reviewLatency, m.tokenCache, m.keystoneCalls, m.identityStale)
	return m
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
	m.httpRequests.WithLabelValues(route, bounded(method, methods), statusLabel(code)).Inc()
	m.httpDuration.WithLabelValues(route).Observe(d.Seconds())
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
	m.reviews.WithLabelValues(result, version).Inc()
	m.reviewLatency.WithLabelValues(result).Observe(d.Seconds())
}

// CacheLookup observes one token cache lookup.
func (m *Metrics) CacheLookup(hit bool) {
	if hit {
		m.tokenCache.WithLabelValues("hit").Inc()
	} else {
		m.tokenCache.WithLabelValues("miss").Inc()
	}
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
