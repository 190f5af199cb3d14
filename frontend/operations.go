package frontend

import (
	_ "embed"
	"regexp"
)

// documents is the SPA's generated GraphQL documents (`npm run codegen`, committed and
// checked by `make test`), the one place that lists every operation the SPA sends.
//
//go:embed src/gql/graphql.ts
var documents string

var operationName = regexp.MustCompile(`"kind":"OperationDefinition","operation":"(?:query|mutation|subscription)","name":\{"kind":"Name","value":"([A-Za-z_][A-Za-z0-9_]*)"`)

// OperationNames returns the names of the GraphQL operations the SPA sends: a fixed set,
// known at build time, that metrics may count by name.
func OperationNames() []string {
	var names []string
	for _, m := range operationName.FindAllStringSubmatch(documents, -1) {
		names = append(names, m[1])
	}
	return names
}
