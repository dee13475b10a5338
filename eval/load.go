package eval

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// AnalysisExample is one labelled debtor message (analysis*.jsonl).
type AnalysisExample struct {
	ID        string   `json:"id"`
	Lang      string   `json:"lang"`
	Text      string   `json:"text"`
	Sentiment string   `json:"sentiment"`
	Segment   string   `json:"segment"`
	Intents   []string `json:"intents"`
}

// ScreenExample is one labelled outgoing message (screen*.jsonl).
type ScreenExample struct {
	ID           string         `json:"id"`
	Lang         string         `json:"lang"`
	Text         string         `json:"text"`
	Jurisdiction string         `json:"jurisdiction"`
	Context      map[string]any `json:"context"`
	Expect       string         `json:"expect"` // block | allow
	Category     string         `json:"category"`
	Evasion      string         `json:"evasion"`
}

// LoadAnalysisJSONL reads an analysis set; a malformed line is an error naming it.
func LoadAnalysisJSONL(path string) ([]AnalysisExample, error) {
	return loadJSONL[AnalysisExample](path, func(e AnalysisExample) error {
		if e.Text == "" || e.Segment == "" || e.Sentiment == "" {
			return fmt.Errorf("text, sentiment and segment are required")
		}
		return nil
	})
}

// LoadScreenJSONL reads a screening set.
func LoadScreenJSONL(path string) ([]ScreenExample, error) {
	return loadJSONL[ScreenExample](path, func(e ScreenExample) error {
		if e.Text == "" || (e.Expect != "block" && e.Expect != "allow") {
			return fmt.Errorf("text and expect (block|allow) are required")
		}
		return nil
	})
}

func loadJSONL[T any](path string, validate func(T) error) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if err := validate(v); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// LoadCSV reads a CSV file with a header row and returns one map per row, keyed by
// the names in mapping (our name -> CSV column header). A mapped column missing from
// the header is an error; a UTF-8 byte-order mark is ignored.
func LoadCSV(path string, mapping map[string]string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadCSV(f, mapping)
}

// ReadCSV is LoadCSV over a reader.
func ReadCSV(r io.Reader, mapping map[string]string) ([]map[string]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading CSV header: %w", err)
	}
	index := map[string]int{}
	for i, h := range header {
		index[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	cols := map[string]int{}
	for ours, theirs := range mapping {
		i, ok := index[theirs]
		if !ok {
			return nil, fmt.Errorf("CSV has no column %q (for %s); columns: %s", theirs, ours, strings.Join(header, ", "))
		}
		cols[ours] = i
	}
	var rows []map[string]string
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("CSV line %d: %w", line, err)
		}
		row := make(map[string]string, len(cols))
		for ours, i := range cols {
			if i < len(rec) {
				row[ours] = rec[i]
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}
