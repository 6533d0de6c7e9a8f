package main

import "io/fs"

// webAssets returns the embedded web app, or nil while none is built in.
func webAssets() fs.FS { return nil }
