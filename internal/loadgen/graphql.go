package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"time"
)

// GraphQL is a client of the panel's /graphql with its own cookie jar, like a browser
// tab; Bearer, when set, is sent as an API token instead.
type GraphQL struct {
	URL    string // the panel's base URL
	Bearer string
	http   *http.Client
}

// NewGraphQL returns a client of the panel at baseURL sharing transport's connections
// (nil: http.DefaultTransport) with a cookie jar of its own.
func NewGraphQL(baseURL string, transport http.RoundTripper) *GraphQL {
	jar, _ := cookiejar.New(nil)
	return &GraphQL{URL: baseURL, http: &http.Client{Jar: jar, Transport: transport, Timeout: 30 * time.Second}}
}

// GraphQLError is one error of a GraphQL answer.
type GraphQLError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// Error is the error's code and message.
func (e GraphQLError) Error() string { return e.Extensions.Code + ": " + e.Message }

// Do runs one operation and decodes its data into out (when not nil). An answer with
// errors returns the first as a GraphQLError.
func (c *GraphQL) Do(ctx context.Context, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("new request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []GraphQLError  `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("status %d, not JSON: %.200s", resp.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		return r.Errors[0]
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			return fmt.Errorf("decode data: %w", err)
		}
	}
	return nil
}

// Cookies are the client's cookies for the panel.
func (c *GraphQL) Cookies() []*http.Cookie {
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil
	}
	return c.http.Jar.Cookies(u)
}
