package resolvers

import "context"

// AuthorizeJobProgress checks what JobProgress checks before it streams: the caller is
// an operator and the job exists (read unless jobKnown: a feed of the job's events is
// live). The websocket transport calls it for every subscriber before joining it to a
// feed shared with the job's other subscribers.
func (r *Resolver) AuthorizeJobProgress(ctx context.Context, jobID string, jobKnown bool) error {
	if _, err := r.operator(ctx); err != nil {
		return err
	}
	if jobKnown {
		return nil
	}
	_, err := r.Engine.Get(ctx, jobID)
	return err
}
