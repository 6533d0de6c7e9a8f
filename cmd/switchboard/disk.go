package main

import (
	"fmt"
	"syscall"
)

// DefaultMinFreeDisk is the free space below which /readyz reports the
// instance not ready: SQLite, the WAL, media files and backups all need
// room, and a full disk fails every write (a load balancer or orchestrator
// should stop sending traffic, and alerts fire, before that).
const DefaultMinFreeDisk = 256 << 20

// freeDisk returns the bytes available to this process on dir's file
// system.
func freeDisk(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}
