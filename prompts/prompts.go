// Package prompts holds the LLM prompt templates, embedded in the binary and versioned
// by file name (draft.en.v1.tmpl). A released template is never edited in place: a
// golden file pins each one's hash, so a change means a new version. Templates render
// from typed data; a debtor's words enter only through the quote function, as data
// inside delimiters, never as instructions.
package prompts

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"text/template"
)

//go:embed templates/*.tmpl
var files embed.FS

// Released template versions in use; bump these to switch to a new file.
const (
	SystemV   = "system.%s.v1"
	DraftV    = "draft.%s.v1"
	AnalysisV = "analysis.v1"
)

var parsed = mustParse()

func mustParse() map[string]*template.Template {
	out := map[string]*template.Template{}
	entries, err := fs.ReadDir(files, "templates")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		raw, err := files.ReadFile("templates/" + e.Name())
		if err != nil {
			panic(err)
		}
		name := strings.TrimSuffix(e.Name(), ".tmpl")
		t := template.Must(template.New(name).Option("missingkey=error").Funcs(template.FuncMap{
			"quote": Quote,
			"join":  strings.Join,
		}).Parse(string(raw)))
		out[name] = t
	}
	return out
}

// Names lists every embedded template, released or not.
func Names() []string {
	var names []string
	for n := range parsed {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Source returns a template's raw text (for the golden hash test).
func Source(name string) ([]byte, error) {
	return files.ReadFile("templates/" + name + ".tmpl")
}

// Quote renders untrusted text as a JSON string literal inside <data> delimiters: the
// model sees where the debtor's words begin and end, and no newline or quote in them
// can close the block and pose as our instructions.
func Quote(s string) string {
	b, _ := json.Marshal(s) // json.Marshal of a string cannot fail
	// Neutralise anything that looks like our own delimiters.
	q := strings.NewReplacer("<data>", "<dat a>", "</data>", "</dat a>").Replace(string(b))
	return "<data>" + q + "</data>"
}

// SystemData fills the system prompt.
type SystemData struct {
	Creditor     string
	Jurisdiction string
	Rules        []string // the compliance rules the reply must keep, one per line
}

// EventLine is one history event offered to the model, cited by id.
type EventLine struct {
	ID   string
	When string
	Kind string
	Text string
}

// DraftData fills the drafting prompt.
type DraftData struct {
	DebtorName   string
	DebtorKind   string
	Balance      string
	DaysPastDue  int
	Segment      string
	Intents      []string
	Channel      string
	Goal         string
	Message      string // the debtor's latest words: untrusted
	History      []EventLine
	Suggestions  []string
	Feedback     []string // violations of a previous attempt, for the one redraft
	MaxRunes     int
	Jurisdiction string
}

// AnalysisData fills the analysis prompt.
type AnalysisData struct {
	Message string
}

// Render executes a template by name with typed data; a missing field is an error.
func Render(name string, data any) (string, error) {
	t, ok := parsed[name]
	if !ok {
		return "", fmt.Errorf("prompts: no template %q", name)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("prompts: render %s: %w", name, err)
	}
	return b.String(), nil
}

// Lang picks the template language for a reply language: Chinese for zh and mixed.
func Lang(language string) string {
	if language == "zh" || language == "mixed" {
		return "zh"
	}
	return "en"
}
