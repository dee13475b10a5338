// Command gentables writes compliance/normalize/tables_gen.go: the
// traditional-to-simplified Chinese table and the CJK radical table the
// normaliser uses to fold look-alike ideographs.
//
// No Go module ships a traditional-to-simplified mapping, so we derive one
// from the Unicode Character Database as packaged by Debian (package
// unicode-data: `apt-get install -y unicode-data`). Inputs:
//
//   - Unihan_Variants.txt(.bz2): kSimplifiedVariant, with kTraditionalVariant
//     as a fallback for traditional characters that lack their own entry;
//   - EquivalentUnifiedIdeograph.txt: CJK radicals (Kangxi radicals and the
//     radicals supplement) to the unified ideograph they look like.
//
// Run through `go generate ./compliance/normalize`.
package main

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"flag"
	"fmt"
	"go/format"
	"io"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"
)

func main() {
	unihan := flag.String("unihan", "/usr/share/unicode/Unihan_Variants.txt.bz2", "Unihan_Variants.txt or .txt.bz2")
	radicals := flag.String("radicals", "/usr/share/unicode/EquivalentUnifiedIdeograph.txt", "EquivalentUnifiedIdeograph.txt")
	out := flag.String("o", "tables_gen.go", "output Go file")
	flag.Parse()

	t2s, version, err := readVariants(*unihan)
	if err != nil {
		log.Fatal(err)
	}
	rad, err := readRadicals(*radicals)
	if err != nil {
		log.Fatal(err)
	}
	src, err := render(t2s, rad, version)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

func open(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(path, ".bz2") {
		return struct {
			io.Reader
			io.Closer
		}{bzip2.NewReader(f), f}, nil
	}
	return f, nil
}

func parseCP(s string) (rune, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "U+")
	if i := strings.IndexByte(s, '<'); i >= 0 { // source annotations, e.g. U+4E94<kMatthews
		s = s[:i]
	}
	v, err := strconv.ParseUint(s, 16, 32)
	return rune(v), err
}

// readVariants returns traditional -> simplified and the Unicode version
// named in the file header.
func readVariants(path string) (map[rune]rune, string, error) {
	f, err := open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	simp := map[rune][]rune{}
	trad := map[rune][]rune{}
	version := "unknown"
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# Unicode version:") {
			version = strings.TrimSpace(strings.TrimPrefix(line, "# Unicode version:"))
		}
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 3 || (fields[1] != "kSimplifiedVariant" && fields[1] != "kTraditionalVariant") {
			continue
		}
		from, err := parseCP(fields[0])
		if err != nil {
			return nil, "", fmt.Errorf("%s: %v", line, err)
		}
		var to []rune
		for _, v := range strings.Fields(fields[2]) {
			r, err := parseCP(v)
			if err != nil {
				return nil, "", fmt.Errorf("%s: %v", line, err)
			}
			to = append(to, r)
		}
		if fields[1] == "kSimplifiedVariant" {
			simp[from] = to
		} else {
			trad[from] = to
		}
	}
	if err := sc.Err(); err != nil {
		return nil, "", err
	}

	t2s := map[rune]rune{}
	for from, to := range simp {
		// Take the first simplified form that differs from the character:
		// when the character is listed too (乾 -> 乾 干) it is also simplified
		// in some words, but for screening one canonical form is what
		// matters, and phrases are folded the same way.
		for _, r := range to {
			if r != from {
				t2s[from] = r
				break
			}
		}
	}
	// A few traditional characters only appear as kTraditionalVariant of
	// their simplified form. Use those when unambiguous.
	back := map[rune][]rune{}
	for s, ts := range trad {
		for _, t := range ts {
			if t != s {
				back[t] = append(back[t], s)
			}
		}
	}
	for t, ss := range back {
		if _, listed := simp[t]; listed || len(ss) != 1 {
			continue
		}
		t2s[t] = ss[0]
	}
	// Resolve chains so the table is idempotent (a -> b -> c becomes a -> c).
	for from := range t2s {
		to := t2s[from]
		for i := 0; i < 8; i++ {
			next, ok := t2s[to]
			if !ok || next == to {
				break
			}
			to = next
		}
		t2s[from] = to
	}
	for from, to := range t2s {
		if from == to {
			delete(t2s, from)
		}
	}
	return t2s, version, nil
}

func readRadicals(path string) (map[rune]rune, error) {
	f, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[rune]rune{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Split(line, ";")
		if len(parts) != 2 {
			continue
		}
		to, err := parseCP(parts[1])
		if err != nil {
			return nil, err
		}
		lo, hi := strings.TrimSpace(parts[0]), ""
		if i := strings.Index(lo, ".."); i >= 0 {
			lo, hi = lo[:i], lo[i+2:]
		}
		a, err := parseCP(lo)
		if err != nil {
			return nil, err
		}
		b := a
		if hi != "" {
			if b, err = parseCP(hi); err != nil {
				return nil, err
			}
		}
		for r := a; r <= b; r++ {
			out[r] = to
		}
	}
	return out, sc.Err()
}

func pairs(m map[rune]rune) string {
	keys := make([]rune, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var b strings.Builder
	for i, k := range keys {
		if i > 0 && i%32 == 0 {
			b.WriteString("\" +\n\t\"")
		}
		b.WriteRune(k)
		b.WriteRune(m[k])
	}
	return b.String()
}

func render(t2s, rad map[rune]rune, version string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `// Code generated by gentables from the Unicode Character Database %s; DO NOT EDIT.

// Data derived from the Unicode Character Database (Unihan_Variants.txt,
// EquivalentUnifiedIdeograph.txt), © 1991-2022 Unicode, Inc., distributed
// under the Unicode License (see LICENSE-UNICODE.txt in this directory;
// terms of use https://www.unicode.org/copyright.html). Modified: the
// variant fields were reduced to one simplified form per character and
// chains were resolved. See internal/gentables for how.

package normalize

// t2sPairs holds traditional/simplified pairs, two runes per entry
// (%d entries).
const t2sPairs = "%s"

// radicalPairs holds CJK radical/unified ideograph pairs (%d entries).
const radicalPairs = "%s"
`, version, len(t2s), pairs(t2s), len(rad), pairs(rad))
	return format.Source(b.Bytes())
}
