package loadgen

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

const exposition = `# HELP kaas_token_cache_lookups_total Token cache lookups.
# TYPE kaas_token_cache_lookups_total counter
kaas_token_cache_lookups_total{outcome="hit"} 120
kaas_token_cache_lookups_total{outcome="miss"} 3
kaas_token_cache_lookups_total_extra 999
go_goroutines 42
process_resident_memory_bytes 5.5e+07
`

func TestMetric(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, exposition)
	}))
	defer srv.Close()
	tests := []struct {
		name   string
		metric string
		labels []string
		want   float64
	}{
		{"sum of every series, not a longer name", "kaas_token_cache_lookups_total", nil, 123},
		{"series with a label", "kaas_token_cache_lookups_total", []string{`"miss"`}, 3},
		{"no such series", "kaas_token_cache_lookups_total", []string{`"stale"`}, 0},
		{"gauge without labels", "go_goroutines", nil, 42},
		{"exponent notation", "process_resident_memory_bytes", nil, 55e6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Metric(srv.Client(), srv.URL, tc.metric, tc.labels...)
			if err != nil || got != tc.want {
				t.Errorf("Metric(%s, %v) = %v, %v; want %v", tc.metric, tc.labels, got, err, tc.want)
			}
		})
	}
}

func TestReview(t *testing.T) {
	tests := []struct {
		name          string
		status        int
		body          string
		authenticated bool
		wantErr       bool
	}{
		{"authenticated as wanted", 200, `{"status":{"authenticated":true}}`, true, false},
		{"refused as wanted", 200, `{"status":{"authenticated":false}}`, false, false},
		{"refused, wanted authenticated", 200, `{"status":{"authenticated":false,"error":"x"}}`, true, true},
		{"server error", 500, `boom`, false, true},
		{"not JSON", 200, `<html>`, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			var buf bytes.Buffer
			err := Review(srv.Client(), srv.URL, ReviewBody("kaas_x"), tc.authenticated, &buf)
			if (err != nil) != tc.wantErr {
				t.Errorf("Review = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

func TestProcOfThisProcess(t *testing.T) {
	m, err := ProcMemory(0)
	if err != nil || m.RSS <= 0 || m.Peak < m.RSS {
		t.Fatalf("ProcMemory(0) = %+v, %v", m, err)
	}
	same, err := ProcMemory(os.Getpid())
	if err != nil || same.RSS <= 0 {
		t.Fatalf("ProcMemory(pid) = %+v, %v", same, err)
	}
	n, err := OpenFiles(0)
	if err != nil || n < 3 {
		t.Fatalf("OpenFiles(0) = %d, %v", n, err)
	}
	if _, err := ProcMemory(1 << 30); err == nil {
		t.Error("ProcMemory of a process that does not exist: no error")
	}
}

// TestReviewBodyIsTheJSONEncoding checks the assembled body against encoding/json's.
func TestReviewBodyIsTheJSONEncoding(t *testing.T) {
	for _, token := range []string{"kaas_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg000000", "", `needs "escaping" <&>`} {
		if got, want := ReviewBody(token), reviewBodyJSON(token); !bytes.Equal(got, want) {
			t.Errorf("ReviewBody(%q) = %s, want %s", token, got, want)
		}
	}
}
