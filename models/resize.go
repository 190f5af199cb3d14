package models

import (
	"strings"
	"time"
	"unicode/utf8"
)

// ResizeStatus is where a resize request is in its life.
type ResizeStatus string

// Resize request statuses: a request waits for an operator, who approves it into a
// resize job or declines it with a reason.
const (
	ResizePending  ResizeStatus = "PENDING"
	ResizeApproved ResizeStatus = "APPROVED"
	ResizeDeclined ResizeStatus = "DECLINED"
)

// MaxResizeReason is the longest reason, in characters, a request or a decline carries.
const MaxResizeReason = 1000

// ResizeRequest is a cluster admin's request to change the number of a cluster's
// workers (and the size of the workers added), waiting for an operator's decision.
type ResizeRequest struct {
	ID        string `gorm:"primaryKey"`
	ClusterID string
	Status    ResizeStatus
	// Size is what the cluster's workers should become: Workers is the new count, the
	// per-worker fields describe workers the resize adds.
	Size          ClusterSize `gorm:"embedded"`
	Reason        string
	RequesterID   string
	RequesterName string
	DeciderName   string
	// DecisionReason says why an operator declined.
	DecisionReason string
	// JobID is the resize job an approval started.
	JobID     string
	CreatedAt time.Time
	DecidedAt *time.Time
}

// ResizeFilter selects resize requests; zero fields select all.
type ResizeFilter struct {
	ClusterID string
	Status    ResizeStatus
	Limit     int
}

// ValidResizeStatus reports whether s is a known status.
func ValidResizeStatus(s ResizeStatus) bool {
	return s == ResizePending || s == ResizeApproved || s == ResizeDeclined
}

// CleanReason trims a free-text reason and returns an INVALID error when it is longer
// than MaxResizeReason characters, not valid UTF-8, or (when required) empty.
func CleanReason(reason string, required bool) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case !utf8.ValidString(reason):
		return "", Errorf(CodeInvalid, "the reason is not valid UTF-8")
	case utf8.RuneCountInString(reason) > MaxResizeReason:
		return "", Errorf(CodeInvalid, "a reason has at most %d characters", MaxResizeReason)
	case required && reason == "":
		return "", Errorf(CodeInvalid, "say why: a reason is required")
	}
	return reason, nil
}
