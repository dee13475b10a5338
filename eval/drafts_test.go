package eval_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/assistant/builtin"
	"github.com/parley-dev/parley/assistant/playbook"
	"github.com/parley-dev/parley/compliance"
	"github.com/parley-dev/parley/eval"
	"github.com/parley-dev/parley/retrieval"
)

// TestBuiltinDraftsDev drafts a reply to every dev-set debtor message through the
// whole service path: every reply must be allowed by the screen.
func TestBuiltinDraftsDev(t *testing.T) {
	path := eval.RequireShared(t, "analysis-dev.jsonl")
	examples, err := eval.LoadAnalysisJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	gate, err := compliance.NewGate()
	if err != nil {
		t.Fatal(err)
	}
	analyzer, err := builtin.NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	drafter, err := playbook.NewDrafter()
	if err != nil {
		t.Fatal(err)
	}
	svc := &assistant.Service{
		Store: retrieval.NewMemoryStore(), Drafts: retrieval.NewMemoryDrafts(),
		Embedder: retrieval.NewHashEmbedder(retrieval.DefaultHashDimension), Gate: gate,
		Analyzer: analyzer, Fallback: drafter, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	}
	r := eval.RunDrafts(context.Background(), svc, examples)
	t.Logf("allowed %s, in language %s, concrete %s", r.Allowed, r.InLanguage, r.Concrete)
	if r.Allowed.Value < 1 || len(r.Errors) > 0 {
		t.Fatalf("drafts not all allowed: %s; refused %v; errors %v", r.Allowed, r.Refused, r.Errors)
	}
	if err := eval.Check(
		eval.Threshold{Name: "in_language", Value: r.InLanguage.Value, Min: 0.95},
		eval.Threshold{Name: "concrete_next_step", Value: r.Concrete.Value, Min: 0.90},
	); err != nil {
		t.Fatal(err)
	}
}
