package frontend

import (
	"slices"
	"testing"
)

func TestOperationNames(t *testing.T) {
	names := OperationNames()
	for _, want := range []string{"Viewer", "Login", "TokensPage", "JobProgress"} {
		if !slices.Contains(names, want) {
			t.Errorf("OperationNames() lacks %q: %v", want, names)
		}
	}
	if len(names) < 20 {
		t.Errorf("OperationNames() found %d operations in the generated documents, want every one of the SPA's", len(names))
	}
}
