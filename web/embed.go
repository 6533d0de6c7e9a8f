// Package web holds Switchboard's browser app: the TypeScript sources, and
// the built files under dist that the binary embeds, so that go build needs
// no Node.js. Rebuild dist with "npm ci && npm run build" in this directory.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Assets returns the built web app with index.html at its root, for
// api.Server.Assets.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only for an invalid path; "dist" is a constant.
		panic(err)
	}
	return sub
}
