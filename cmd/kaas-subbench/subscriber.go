package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"kaas/internal/gqlws"
)

// jobProgressQuery is the subscription every subscriber sends: from the first event on.
const jobProgressQuery = `subscription ($id: ID!) { jobProgress(jobId: $id, after: 0) { seq at status } }`

// delivery is one event as a subscriber received it.
type delivery struct {
	Seq    int
	Lag    time.Duration // receive time − the event's at, both on this host's clock
	Status string
}

// subscriber is one graphql-transport-ws client of /graphql.
type subscriber struct {
	conn *gqlws.Conn
	got  []delivery
	// completed is set when the server ended the subscription with "complete".
	completed bool
	err       error
	// lastAt is when the subscriber received its last event.
	lastAt time.Time
}

// nextPayload is the payload of a "next" (and, as a list of errors, of "error").
type nextPayload struct {
	Data *struct {
		JobProgress struct {
			Seq    int       `json:"seq"`
			At     time.Time `json:"at"`
			Status string    `json:"status"`
		} `json:"jobProgress"`
	} `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// dialSubscriber opens a websocket to url authenticated by the bearer token on the
// upgrade request and completes connection_init → connection_ack.
func dialSubscriber(ctx context.Context, url, token string, expect int) (*subscriber, error) {
	c, err := gqlws.Dial(ctx, url, http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		return nil, err
	}
	return &subscriber{conn: c, got: make([]delivery, 0, expect)}, nil
}

// follow subscribes to the job's progress and records every event until the server
// completes the subscription, the subscription fails or ctx ends. first is called once,
// on the first event: the subscriber is then registered with the engine.
func (s *subscriber) follow(ctx context.Context, jobID string, first func()) {
	if s.err = s.conn.Subscribe(ctx, "1", jobProgressQuery, map[string]string{"id": jobID}); s.err != nil {
		return
	}
	for {
		m, received, err := s.conn.Next(ctx)
		if err != nil {
			s.err = err
			return
		}
		switch m.Type {
		case "next":
			var p nextPayload
			if err := json.Unmarshal(m.Payload, &p); err != nil || p.Data == nil {
				s.err = fmt.Errorf("next without data: %s", m.Payload)
				return
			}
			ev := p.Data.JobProgress
			if len(s.got) == 0 {
				first()
			}
			s.got = append(s.got, delivery{Seq: ev.Seq, Lag: received.Sub(ev.At), Status: ev.Status})
			s.lastAt = received
		case "complete":
			s.completed = true
			return
		case "error":
			s.err = fmt.Errorf("subscription error: %s", m.Payload)
			return
		default:
			s.err = fmt.Errorf("unexpected %q message: %s", m.Type, m.Payload)
			return
		}
	}
}

// check reports what is wrong with what the subscriber received, given the job's last
// seq: it must have every event 1..last in order, once, and a completion.
func (s *subscriber) check(last int) error {
	if s.err != nil {
		return s.err
	}
	for i, d := range s.got {
		if d.Seq != i+1 {
			return fmt.Errorf("delivery %d has seq %d, want %d (gap, duplicate or reorder)", i+1, d.Seq, i+1)
		}
	}
	switch {
	case len(s.got) != last:
		return fmt.Errorf("got %d of %d events (dropped by the engine?)", len(s.got), last)
	case !s.completed:
		return fmt.Errorf("no complete after the last event")
	}
	return nil
}
