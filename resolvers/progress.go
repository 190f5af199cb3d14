package resolvers

import "context"

// AuthorizeJobProgress checks what JobProgress checks before it streams: the caller is
// an operator and the job exists. The websocket transport calls it for every subscriber
// before joining it to a feed of the job's events shared with other subscribers.
func (r *Resolver) AuthorizeJobProgress(ctx context.Context, jobID string) error {
	if _, err := r.operator(ctx); err != nil {
		return err
	}
	_, err := r.Engine.Get(ctx, jobID)
	return err
}
