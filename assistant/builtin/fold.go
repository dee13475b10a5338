package builtin

import (
	"sync"

	"github.com/parley-dev/parley/compliance/normalize"
)

// fold is the normalisation the compliance screen uses (NFKC, width, case,
// zero-width characters, look-alikes, traditional to simplified Chinese), so the
// analyser and the screen read text the same way. Lexicon patterns pass through it
// when they are compiled and messages when they are analysed; matching depends only
// on the two agreeing.
func fold(s string) string {
	f := folders.Get().(*normalize.Folder)
	f.Fold(s)
	out := string(f.Runes)
	folders.Put(f)
	return out
}

// folders reuses fold buffers across calls (a Folder is not safe for concurrent use;
// the pool hands each goroutine its own).
var folders = sync.Pool{New: func() any { return new(normalize.Folder) }}
