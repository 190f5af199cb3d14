// Package loadgen holds what the commands that load the panel share (cmd/kaas-loadtest,
// cmd/kaas-subbench, cmd/kaas-soak): TokenReview requests and their checks, a GraphQL
// client, the panel's Prometheus counters and a process's memory, goroutines and open
// files.
package loadgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// ReviewBody is a TokenReview as a kube-apiserver sends it. A panel token needs no JSON
// escaping, so the body is put together from constant parts: generating a body costs
// the load generator next to nothing, which keeps a phase that sends a new token each
// request comparable with one that resends prepared bodies. Any other token is encoded
// by encoding/json.
func ReviewBody(token string) []byte {
	if !plainToken(token) {
		return reviewBodyJSON(token)
	}
	b := make([]byte, 0, len(reviewPrefix)+len(token)+len(reviewSuffix))
	b = append(b, reviewPrefix...)
	b = append(b, token...)
	return append(b, reviewSuffix...)
}

const (
	reviewPrefix = `{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","metadata":{"creationTimestamp":null},"spec":{"audiences":["https://kubernetes.default.svc"],"token":"`
	reviewSuffix = `"},"status":{"user":{}}}`
)

func plainToken(s string) bool {
	for _, c := range []byte(s) {
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// reviewBodyJSON is ReviewBody by encoding/json.
func reviewBodyJSON(token string) []byte {
	b, _ := json.Marshal(map[string]any{
		"apiVersion": "authentication.k8s.io/v1",
		"kind":       "TokenReview",
		"metadata":   map[string]any{"creationTimestamp": nil},
		"spec":       map[string]any{"token": token, "audiences": []string{"https://kubernetes.default.svc"}},
		"status":     map[string]any{"user": map[string]any{}},
	})
	return b
}

// reviewAnswer is the part of a TokenReview response that Review checks.
type reviewAnswer struct {
	Status struct {
		Authenticated bool   `json:"authenticated"`
		Error         string `json:"error"`
	} `json:"status"`
}

// Review posts one TokenReview body to url and checks that the answer is a 200 whose
// status.authenticated is authenticated. buf is the caller's buffer for the answer,
// reused between calls.
func Review(client *http.Client, url string, body []byte, authenticated bool, buf *bytes.Buffer) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("new request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return fmt.Errorf("read response: %w", err)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, buf.Bytes())
	}
	var a reviewAnswer
	if err := json.Unmarshal(buf.Bytes(), &a); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	if a.Status.Authenticated != authenticated {
		return fmt.Errorf("authenticated = %v, want %v (error %q)", a.Status.Authenticated, authenticated, a.Status.Error)
	}
	return nil
}

// NewClient returns an HTTP client for loopback load: up to conns keep-alive connections
// per host, nothing from the environment (no proxy), no compression.
func NewClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        0, // no overall limit: each host gets conns
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}
