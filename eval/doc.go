// Package eval measures Parley's engines on labelled sets: loaders for the JSONL
// formats of ../shared/eval/LABELS.md and for CSV with a column mapping, metrics
// (accuracy, per-class precision/recall/F1, macro and micro F1, confusion matrices,
// latency percentiles) and reports as a table or JSON. Suites for analysis and
// screening build on these; `parley eval` runs them on any path.
package eval
