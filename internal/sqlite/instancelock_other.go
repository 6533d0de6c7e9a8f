//go:build !unix

package sqlite

import "os"

// lockFile does nothing where flock is missing: there the instance lock
// does not protect, and running one instance is up to the operator.
func lockFile(*os.File) error { return nil }
