package models

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCodeAndMessage(t *testing.T) {
	cause := errors.New("secret detail")
	tests := []struct {
		name    string
		err     error
		code    Code
		message string
	}{
		{"nil", nil, "", "internal error"},
		{"plain error is internal", cause, CodeInternal, "internal error"},
		{"app error", Errorf(CodeInvalid, "name is %s", "empty"), CodeInvalid, "name is empty"},
		{"wrapped app error", fmt.Errorf("ctx: %w", WrapError(CodeUnavailable, cause, "down")), CodeUnavailable, "down"},
		{"internal app error hides message", WrapError(CodeInternal, cause, "db exploded"), CodeInternal, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(tt.err); got != tt.code {
				t.Errorf("ErrorCode = %q, want %q", got, tt.code)
			}
			if tt.err != nil {
				if got := ErrorMessage(tt.err); got != tt.message {
					t.Errorf("ErrorMessage = %q, want %q", got, tt.message)
				}
			}
		})
	}
}

func TestIdentityHasAnyRole(t *testing.T) {
	id := Identity{Roles: []Role{{ID: "r1", Name: "admin"}, {ID: "r2", Name: "member"}}}
	if !id.HasAnyRole("admin") || !id.HasAnyRole("x", "r2") {
		t.Error("expected role match by name and ID")
	}
	if id.HasAnyRole("", "reader") {
		t.Error("unexpected match")
	}
}
