// Package static holds the compiled stylesheet, scripts and images, embedded so the binary
// serves them without Node or the source tree. `make assets` rebuilds them.
package static

import "embed"

// FS holds the static files.
//
//go:embed *.css *.js *.svg
var FS embed.FS
