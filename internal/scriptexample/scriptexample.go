// Package scriptexample is the Go client the README shows to script writers: it calls the
// panel's GraphQL API with an API token over HTTP, and follows a job's progress over the
// websocket (graphql-transport-ws). The README holds the code between the markers
// verbatim, and an end-to-end test runs it against a real panel, so the example keeps
// working.
package scriptexample

// README: begin
import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// Query posts a GraphQL document with an API token and decodes the answer's data into out.
func Query(ctx context.Context, panelURL, token, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, panelURL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var answer struct {
		Data   json.RawMessage
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)
	}
	if len(answer.Errors) > 0 {
		return fmt.Errorf("%s (%s)", answer.Errors[0].Message, answer.Errors[0].Extensions.Code)
	}
	return json.Unmarshal(answer.Data, out)
}

// JobEvent is one progress event of a provisioning job.
type JobEvent struct {
	Seq     int
	Step    string
	Percent int
	Message string
	Status  string
}

// FollowJob hands each progress event of a job to each (the ones already recorded, then
// live ones) until the job ends, over the websocket.
func FollowJob(ctx context.Context, panelURL, token, jobID string, each func(JobEvent)) error {
	wsURL := "ws" + strings.TrimPrefix(panelURL, "http") + "/graphql" // http→ws, https→wss
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return err
	}
	defer conn.CloseNow()
	type message struct {
		ID      string          `json:"id,omitempty"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload,omitempty"`
	}
	err = wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": map[string]string{"Authorization": "Bearer " + token}})
	if err != nil {
		return err
	}
	for {
		var m message
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			return err
		}
		switch m.Type {
		case "connection_ack":
			err = wsjson.Write(ctx, conn, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
				"query":     `subscription Follow($id: ID!) { jobProgress(jobId: $id) { seq step percent message status } }`,
				"variables": map[string]any{"id": jobID},
			}})
		case "ping":
			err = wsjson.Write(ctx, conn, map[string]any{"type": "pong"})
		case "next":
			var p struct {
				Data   struct{ JobProgress JobEvent }
				Errors []struct{ Message string }
			}
			if err = json.Unmarshal(m.Payload, &p); err == nil && len(p.Errors) > 0 {
				return fmt.Errorf("subscription: %s", p.Errors[0].Message)
			} else if err == nil {
				each(p.Data.JobProgress)
			}
		case "error":
			return fmt.Errorf("subscription refused: %s", m.Payload)
		case "complete":
			return conn.Close(websocket.StatusNormalClosure, "")
		}
		if err != nil {
			return err
		}
	}
}

// README: end
