package resolvers

import (
	"context"

	"kaas/graph/model"
	"kaas/models"
	"kaas/tokens"
)

// tokenPage lists one page of the caller's tokens for tokens and tokenPage.
func (r *queryResolver) tokenPage(ctx context.Context, first *int, after *string) (*model.TokenPage, error) {
	p, err := r.principal(ctx)
	if err != nil {
		return nil, err
	}
	n := 0
	if first != nil {
		if *first < 1 {
			return nil, models.Errorf(models.CodeInvalid, "first must be between 1 and %d", models.MaxTokenPage)
		}
		n = *first
	}
	var cursor *models.TokenCursor
	if after != nil {
		c, err := tokens.ParseCursor(*after)
		if err != nil {
			return nil, err
		}
		cursor = &c
	}
	page, err := r.TokenService.List(ctx, p.UserID, cursor, n)
	if err != nil {
		return nil, err
	}
	out := &model.TokenPage{Tokens: pointers(page.Tokens)}
	if page.Next != nil {
		next := tokens.EncodeCursor(*page.Next)
		out.NextAfter = &next
	}
	return out, nil
}
