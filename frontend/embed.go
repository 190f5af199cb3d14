// Package frontend holds the control panel's single-page app and embeds its build.
package frontend

import "embed"

// Dist is the built single-page app (`npm run build` writes it): index.html, the hashed
// files under assets/, and the offline GraphQL playground files under playground/.
// On a fresh clone without a build it holds only the placeholder .gitkeep.
//
//go:embed all:dist
var Dist embed.FS
