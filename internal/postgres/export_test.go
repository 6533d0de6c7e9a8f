package postgres

// LeaseKey is the advisory lock key of l, for the tests that find the
// lease's backend in pg_locks.
func LeaseKey(l *Lease) int64 { return l.key }
