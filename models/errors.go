// Package models holds the panel's domain types, its gorm models and the application
// error type. It imports nothing technical: no gqlgen, gophercloud or client-go. The
// tables and their columns are store/'s migrations alone; the few gorm tags left here
// only tell gorm how to map a field (primary key, JSON column, embedded size), never
// what a column is.
package models

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Code classifies an application error. It is what clients see in extensions.code.
type Code string

// The application error codes.
const (
	CodeInvalid         Code = "INVALID"
	CodeUnauthenticated Code = "UNAUTHENTICATED"
	CodeForbidden       Code = "FORBIDDEN"
	CodeNotFound        Code = "NOT_FOUND"
	CodeConflict        Code = "CONFLICT"
	CodeUnavailable     Code = "UNAVAILABLE"
	CodeInternal        Code = "INTERNAL"
	// CodeRateLimited refuses a request for a while; Error.RetryAfter says how long.
	CodeRateLimited Code = "RATE_LIMITED"
)

// Error is an application error: a code, a message safe to show to the caller and an
// optional private cause that is only logged.
type Error struct {
	Code    Code
	Message string
	Cause   error
	// RetryAfter, with CodeRateLimited, is how long to wait before trying again.
	RetryAfter time.Duration
}

// Error returns the public message with the cause, for logs.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the private cause.
func (e *Error) Unwrap() error { return e.Cause }

// Errorf returns an application error with a formatted public message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an application error with a public message and a private cause.
func WrapError(code Code, cause error, message string) *Error {
	return &Error{Code: code, Message: message, Cause: cause}
}

// ErrorCode returns the code of the first application error in err's chain, or
// CodeInternal when there is none. A nil error has no code.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the public message of err: the application error's message, or
// "internal error" for anything else.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != CodeInternal {
		return e.Message
	}
	return "internal error"
}

// RateLimited returns a RATE_LIMITED error asking to wait d.
func RateLimited(d time.Duration, message string) *Error {
	return &Error{Code: CodeRateLimited, Message: message, RetryAfter: d}
}

// RetryAfterSeconds returns the whole seconds (at least 1) a RATE_LIMITED error asks to
// wait, 0 for any other error.
func RetryAfterSeconds(err error) int {
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeRateLimited {
		return 0
	}
	return max(1, int(math.Ceil(e.RetryAfter.Seconds())))
}
