package jobs

import "kaas/models"

// Listening reports whether the engine's PostgreSQL listener has connected: until then a
// subscriber may be sent to re-read the database (and then reads it to the end).
func (e *Engine) Listening() bool { return e.listening.Load() }

// PublishLocally hands ev to this engine's subscribers as if its transaction had just
// committed, so a test can deliver events out of order.
func (e *Engine) PublishLocally(ev models.JobEvent) { e.hub.publish(ev) }
