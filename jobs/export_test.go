package jobs

import "kaas/models"

// PublishLocally hands ev to this engine's subscribers as if its transaction had just
// committed, so a test can deliver events out of order.
func (e *Engine) PublishLocally(ev models.JobEvent) { e.hub.publish(ev) }
