// Package gqlws is a client of the panel's GraphQL websocket (the graphql-transport-ws
// protocol of gqlgen and graphql-ws), for the commands that load the panel
// (cmd/kaas-subbench, cmd/kaas-soak).
package gqlws

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// Subprotocol is the websocket subprotocol the panel speaks.
const Subprotocol = "graphql-transport-ws"

// Message is a graphql-transport-ws message.
type Message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Conn is one websocket to /graphql after connection_ack.
type Conn struct {
	ws *websocket.Conn
}

// Dial opens a websocket to url with header on the upgrade request (a bearer token or a
// session cookie) and completes connection_init → connection_ack.
func Dial(ctx context.Context, url string, header http.Header) (*Conn, error) {
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: header, Subprotocols: []string{Subprotocol}})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	c := &Conn{ws: ws}
	if err := c.Send(ctx, Message{Type: "connection_init", Payload: json.RawMessage(`{}`)}); err != nil {
		ws.CloseNow()
		return nil, err
	}
	m, _, err := c.Next(ctx)
	switch {
	case err != nil:
		ws.CloseNow()
		return nil, fmt.Errorf("wait for connection_ack: %w", err)
	case m.Type != "connection_ack":
		ws.CloseNow()
		return nil, fmt.Errorf("got %q before connection_ack: %.200s", m.Type, m.Payload)
	}
	return c, nil
}

// Send writes one message.
func (c *Conn) Send(ctx context.Context, m Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode %s: %w", m.Type, err)
	}
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		return fmt.Errorf("send %s: %w", m.Type, err)
	}
	return nil
}

// Subscribe starts the subscription id.
func (c *Conn) Subscribe(ctx context.Context, id, query string, variables any) error {
	payload, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		return fmt.Errorf("encode subscription: %w", err)
	}
	return c.Send(ctx, Message{ID: id, Type: "subscribe", Payload: payload})
}

// Complete ends the subscription id from the client's side.
func (c *Conn) Complete(ctx context.Context, id string) error {
	return c.Send(ctx, Message{ID: id, Type: "complete"})
}

// Next reads the next message that is not a ping or pong (it answers pings) and returns
// it with the time it was read, taken before it is decoded.
func (c *Conn) Next(ctx context.Context) (Message, time.Time, error) {
	for {
		_, b, err := c.ws.Read(ctx)
		received := time.Now()
		if err != nil {
			return Message{}, received, fmt.Errorf("read: %w", err)
		}
		var m Message
		if err := json.Unmarshal(b, &m); err != nil {
			return Message{}, received, fmt.Errorf("message %.200q: %w", b, err)
		}
		switch m.Type {
		case "ping":
			if err := c.Send(ctx, Message{Type: "pong"}); err != nil {
				return Message{}, received, err
			}
		case "pong":
		default:
			return m, received, nil
		}
	}
}

// Close closes the websocket normally (status 1000) and waits for the server's close.
func (c *Conn) Close() error { return c.ws.Close(websocket.StatusNormalClosure, "") }

// CloseNow closes the websocket without the closing handshake.
func (c *Conn) CloseNow() error { return c.ws.CloseNow() }
