package metrics

import "strconv"

// Label values come from fixed sets: a value that becomes a label is a new time series
// kept for the life of the process, so a caller-chosen value (a method, an apiVersion,
// an operation name) must never reach one unchecked.

// Other is the label value for anything outside a label's fixed set.
const Other = "other"

// methods are the HTTP methods counted by name.
var methods = set("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE")

// reviewVersions are the TokenReview apiVersions the webhook answers.
var reviewVersions = set("authentication.k8s.io/v1", "authentication.k8s.io/v1beta1", "")

// reviewResults are the webhook's review results.
var reviewResults = set("authenticated", "rejected", "malformed", "unavailable", "forbidden")

// operationTypes are the GraphQL operation types ("unknown" before parsing succeeds).
var operationTypes = set("query", "mutation", "subscription", "unknown")

// errorCodes are the application error codes in GraphQL errors, "" for none.
var errorCodes = set("", "INVALID", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT",
	"UNAVAILABLE", "INTERNAL", "RATE_LIMITED")

func set(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

// bounded returns v when it is in the set, else Other.
func bounded(v string, in map[string]bool) string {
	if in[v] {
		return v
	}
	return Other
}

// statusLabel is an HTTP status code as a label: one of the 500 valid codes, else Other.
func statusLabel(code int) string {
	if code < 100 || code > 599 {
		return Other
	}
	return strconv.Itoa(code)
}

// OperationNames is a fixed set of GraphQL operation names counted by name; the rest
// count as Other.
type OperationNames map[string]bool

// NewOperationNames returns the set of names.
func NewOperationNames(names ...string) OperationNames { return OperationNames(set(names...)) }

// Label returns name when it is in the set, else Other.
func (n OperationNames) Label(name string) string { return bounded(name, n) }
