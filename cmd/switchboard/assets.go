package main

import (
	"io/fs"

	"github.com/switchboardhq/switchboard/web"
)

// webAssets returns the web app built into the binary (web/dist).
func webAssets() fs.FS { return web.Assets() }
