package app_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"kaas/internal/apptest"
)

// TestMetricsLabelSpray sends 10,000 requests whose methods, TokenReview apiVersions and
// kinds, and GraphQL operation names are random: /metrics must stay (nearly) the same
// size, since none of these values may become a label.
func TestMetricsLabelSpray(t *testing.T) {
	p := apptest.Start(t, apptest.Config(t))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	random := func(n int) string {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}
	send := func(method, path, body string) {
		req, err := http.NewRequest(method, p.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	spray := func(i int) {
		switch i % 4 {
		case 0: // a random method on a random path
			send("X"+strings.ToUpper(random(6)), "/"+random(8), "")
		case 1: // an unknown apiVersion of 2 KB
			send(http.MethodPost, "/authenticate", fmt.Sprintf(`{"apiVersion":%q,"kind":"TokenReview","spec":{"token":"x"}}`, random(1024)))
		case 2: // a known apiVersion with a random kind
			send(http.MethodPost, "/authenticate", fmt.Sprintf(`{"apiVersion":"authentication.k8s.io/v1","kind":%q,"spec":{"token":"x"}}`, random(512)))
		case 3: // a random GraphQL operation name
			name := "Op" + random(32)
			send(http.MethodPost, "/graphql", fmt.Sprintf(`{"query":"query %s { __typename }","operationName":%q}`, name, name))
		}
	}
	size := func() int {
		resp, err := client.Get(p.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return len(b)
	}
	for i := range 8 { // every kind of request once, so its series exist
		spray(i)
	}
	before := size()
	const n = 10000
	for i := range n {
		spray(i)
	}
	after := size()
	t.Logf("/metrics: %d bytes before, %d after %d random-label requests (growth %d bytes)", before, after, n, after-before)
	if after-before >= 10<<10 {
		t.Fatalf("/metrics grew by %d bytes under the label spray, want < 10 KB", after-before)
	}
}
