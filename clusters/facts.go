package clusters

import (
	"context"
	"net/http"
	"sync"
	"time"

	"kaas/models"
)

// Health is a cluster's health check result.
type Health struct {
	Healthy   bool
	Message   string
	Version   string
	CheckedAt time.Time
}

// factTTL is how long a cluster's health is reused: pages of many users ask at once.
const factTTL = 5 * time.Second

type factCache struct {
	mu      sync.Mutex
	entries map[string]Health
}

func newFactCache() *factCache { return &factCache{entries: map[string]Health{}} }

// Health returns the cluster's /healthz answer and version, checked live and reused for
// a few seconds.
func (r *Registry) Health(ctx context.Context, c *models.Cluster) Health {
	r.facts.mu.Lock()
	h, ok := r.facts.entries[c.ID]
	r.facts.mu.Unlock()
	if ok && time.Since(h.CheckedAt) < factTTL {
		return h
	}
	h = Health{CheckedAt: time.Now().UTC()}
	client, err := r.Client(c)
	if err != nil {
		h.Message = models.ErrorMessage(err)
	} else {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		h.Healthy, h.Message = client.Health(cctx)
		if h.Healthy {
			if v, err := client.ServerVersion(cctx); err == nil {
				h.Version = v
			}
		}
	}
	r.facts.mu.Lock()
	r.facts.entries[c.ID] = h
	r.facts.mu.Unlock()
	return h
}

// Nodes lists the cluster's nodes.
func (r *Registry) Nodes(ctx context.Context, c *models.Cluster) ([]models.KubeNode, error) {
	client, err := r.Client(c)
	if err != nil {
		return nil, err
	}
	return client.Nodes(ctx)
}

// ServiceStatus is a managed service's last probe.
type ServiceStatus struct {
	Name      string
	URL       string
	Status    string // UP, DOWN or UNKNOWN
	CheckedAt *time.Time
}

// Prober checks managed services' reachability in the background: asking for a status
// never waits for a probe; it returns the last result and starts a new probe when that
// result is older than the interval.
type Prober struct {
	client   *http.Client
	interval time.Duration
	// ctx ends the probes in flight on Close, which waits for them.
	ctx    context.Context
	cancel context.CancelFunc
	probes sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	results map[string]probeResult
}

type probeResult struct {
	up       bool
	at       time.Time
	inFlight bool
}

// NewProber returns a prober with a short per-probe timeout.
func NewProber(timeout, interval time.Duration) *Prober {
	ctx, cancel := context.WithCancel(context.Background())
	return &Prober{client: &http.Client{Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		interval: interval, results: map[string]probeResult{}, ctx: ctx, cancel: cancel}
}

// Close stops the probes in flight and waits for them; later status requests start none.
func (p *Prober) Close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cancel()
	p.probes.Wait()
}

// Services returns the cluster's managed services with their last known status.
func (p *Prober) Services(c *models.Cluster) []ServiceStatus {
	out := make([]ServiceStatus, 0, len(models.ManagedServices))
	for _, s := range models.ManagedServices {
		out = append(out, p.status(s.Name, s.URL(c)))
	}
	return out
}

func (p *Prober) status(name, url string) ServiceStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.results[url]
	if (!ok || time.Since(r.at) > p.interval) && !r.inFlight && !p.closed {
		r.inFlight = true
		p.results[url] = r
		p.probes.Add(1)
		go p.probe(url)
	}
	st := ServiceStatus{Name: name, URL: url, Status: "UNKNOWN"}
	if !r.at.IsZero() {
		at := r.at
		st.CheckedAt = &at
		st.Status = "DOWN"
		if r.up {
			st.Status = "UP"
		}
	}
	return st
}

func (p *Prober) probe(url string) {
	defer p.probes.Done()
	up := false
	req, err := http.NewRequestWithContext(p.ctx, http.MethodGet, url, nil)
	if err == nil {
		if resp, err := p.client.Do(req); err == nil {
			resp.Body.Close()
			up = resp.StatusCode < 500
		}
	}
	p.mu.Lock()
	p.results[url] = probeResult{up: up, at: time.Now().UTC()}
	p.mu.Unlock()
}
