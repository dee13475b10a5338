package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Report is what a suite produces: headline figures, tables and JSON.
type Report interface {
	// WriteTable prints a human-readable report.
	WriteTable(w io.Writer) error
}

// WriteJSON prints any report as indented JSON.
func WriteJSON(w io.Writer, r any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ClassTable renders per-class scores as an aligned table.
func ClassTable(title string, scores []ClassScore) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%-22s %9s %9s %9s %8s\n", title, "label", "precision", "recall", "f1", "support")
	for _, s := range scores {
		fmt.Fprintf(&b, "%-22s %9.3f %9.3f %9.3f %8d\n", s.Label, s.Precision, s.Recall, s.F1, s.Support)
	}
	return b.String()
}

// Threshold is a minimum (or maximum) a figure must meet.
type Threshold struct {
	Name  string
	Value float64
	Min   float64
	Max   float64 // used when Min is 0 and Max > 0
}

// Check returns an error listing every threshold not met.
func Check(ts ...Threshold) error {
	var failed []string
	for _, t := range ts {
		if t.Max > 0 && t.Value > t.Max {
			failed = append(failed, fmt.Sprintf("%s = %.3f, above %.3f", t.Name, t.Value, t.Max))
		} else if t.Max == 0 && t.Value < t.Min {
			failed = append(failed, fmt.Sprintf("%s = %.3f, below %.3f", t.Name, t.Value, t.Min))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("thresholds not met: %s", strings.Join(failed, "; "))
	}
	return nil
}
