package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"kaas/models"
)

func TestPresentError(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		code    string
		message string
		logged  bool
	}{
		{"application error", models.Errorf(models.CodeForbidden, "only admins"), "FORBIDDEN", "only admins", false},
		{"wrapped application error", fmt.Errorf("ctx: %w", models.Errorf(models.CodeNotFound, "no such token")), "NOT_FOUND", "no such token", false},
		{"plain error from a resolver", &gqlerror.Error{Err: errors.New("db exploded: secret detail"), Message: "db exploded: secret detail", Path: ast.Path{ast.PathName("tokens")}}, "INTERNAL", "internal error", true},
		{"internal application error", &gqlerror.Error{Err: models.WrapError(models.CodeInternal, errors.New("x"), "boom"), Message: "boom", Path: ast.Path{ast.PathName("x")}}, "INTERNAL", "internal error", true},
		{"parse error", &gqlerror.Error{Message: "Expected Name", Locations: []gqlerror.Location{{Line: 1, Column: 2}}}, "INVALID", "Expected Name", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			requestID := func(context.Context) string { return "req-7f3a" }
			got := presentError(context.Background(), tt.err, log, requestID)
			if got.Extensions["code"] != tt.code || got.Message != tt.message {
				t.Fatalf("got %q %q, want %q %q", got.Extensions["code"], got.Message, tt.code, tt.message)
			}
			if logged := logs.Len() > 0; logged != tt.logged {
				t.Fatalf("logged = %v (%s)", logged, logs.String())
			}
			if tt.logged && !strings.Contains(logs.String(), "request_id=req-7f3a") {
				t.Fatalf("the log line lacks the request ID: %s", logs.String())
			}
			if tt.logged && !strings.Contains(logs.String(), "secret detail") && tt.name == "plain error from a resolver" {
				t.Fatal("the cause should be in the log, for operators")
			}
		})
	}
}
