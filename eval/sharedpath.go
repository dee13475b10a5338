package eval

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// SharedPath returns the path of a file under ../shared/eval (beside the repository),
// found from this source file so tests work from any package directory.
func SharedPath(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "shared", "eval", name)
}

// RequireShared returns the path of a shared eval file, or a reason to skip: outside
// CI a clone without ../shared skips those tests; with CI=true a missing file must fail.
type skipper interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// RequireShared skips (or, with CI=true, fails) the test when the file is missing.
func RequireShared(t skipper, name string) string {
	t.Helper()
	p := SharedPath(name)
	if _, err := os.Stat(p); err != nil {
		msg := fmt.Sprintf("%s not found (../shared is beside the repo in CI): %v", p, err)
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s", msg)
		}
		t.Skipf("skipping: %s", msg)
	}
	return p
}
