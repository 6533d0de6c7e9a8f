package s3test

import (
	"os"
	"strings"
	"testing"
)

// TestCIInstallsVersion: .ci/run installs the versitygw release this
// package names, so the two cannot drift apart.
func TestCIInstallsVersion(t *testing.T) {
	b, err := os.ReadFile("../../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if want := "VERSITYGW_VERSION=" + Version; !strings.Contains(string(b), want) {
		t.Errorf(".ci/run does not contain %q", want)
	}
}
