package main

import (
	"testing"
)

// TestReadyzOnFullDisk: /readyz is not ready when the data directory's
// file system has less free space than the minimum (issue 14, Low 24); a
// minimum above any disk's size stands in for a full disk.
func TestReadyzOnFullDisk(t *testing.T) {
	app := startApp(t, nil)
	anon := app.client("")
	anon.must(200, "GET", "/readyz", nil, nil)
	app.MinFreeDisk = 1 << 62
	if code, body := anon.do("GET", "/readyz", nil); code != 503 {
		t.Fatalf("/readyz on a full disk = %d %s, want 503", code, body)
	}
	if free, err := freeDisk(app.Config.DataDir); err != nil || free == 0 {
		t.Fatalf("freeDisk = %d, %v", free, err)
	}
}
