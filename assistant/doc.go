// Package assistant is Parley's domain: cases, debtors, history events, analyses,
// drafts and suggestions, and the Service that orchestrates them.
//
// It declares the interfaces it needs (CaseStore, Analyzer, Embedder, Drafter) where
// they are used; adapters in other packages implement them and cmd/parley wires them.
// It imports compliance and prompts and no adapter.
package assistant
