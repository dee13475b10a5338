package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/assistant/builtin"
	"github.com/parley-dev/parley/compliance"
	"github.com/parley-dev/parley/eval"
	"github.com/parley-dev/parley/retrieval"
)

// Thresholds the issues set for the development sets; `parley eval` fails below them.
const (
	minAnalysis       = 0.80
	minBlockRecall    = 0.97
	minObfuscated     = 0.95
	maxFalseBlockRate = 0.03
)

// evalCmd runs a suite on a labelled file: parley eval analysis|screen|drafts|cfpb.
func evalCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 {
		return fmt.Errorf("usage: parley eval analysis|screen|drafts|cfpb --data PATH [--format hatecheck|cold] [--json] [--no-thresholds]")
	}
	suite := args[0]
	fs := flag.NewFlagSet("eval "+suite, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "labelled file (JSONL as in LABELS.md; CSV for hatecheck, cold; a folder for cfpb)")
	format := fs.String("format", "", "screen only: hatecheck or cold for those public CSV files")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	noThresholds := fs.Bool("no-thresholds", false, "report without failing on the development-set thresholds")
	limit := fs.Int("limit", 0, "cfpb only: read at most this many narratives (0 = all)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *data == "" {
		return fmt.Errorf("eval %s: --data PATH is required", suite)
	}
	print := func(r eval.Report) error {
		if *asJSON {
			return eval.WriteJSON(stdout, r)
		}
		return r.WriteTable(stdout)
	}
	switch suite {
	case "analysis":
		examples, err := eval.LoadAnalysisJSONL(*data)
		if err != nil {
			return err
		}
		a, err := builtin.NewAnalyzer()
		if err != nil {
			return err
		}
		r := eval.RunAnalysis(ctx, a, examples)
		if err := print(r); err != nil {
			return err
		}
		if !*noThresholds {
			return eval.Check(r.Thresholds(minAnalysis)...)
		}
		return nil
	case "screen":
		var examples []eval.ScreenExample
		var err error
		switch *format {
		case "":
			examples, err = eval.LoadScreenJSONL(*data)
		case "hatecheck":
			examples, err = eval.LoadHateCheck(*data)
		case "cold":
			examples, err = eval.LoadCOLD(*data)
		default:
			return fmt.Errorf("eval screen: unknown --format %q (hatecheck, cold)", *format)
		}
		if err != nil {
			return err
		}
		gate, err := compliance.NewGate()
		if err != nil {
			return err
		}
		r := eval.RunScreen(gate, examples)
		if err := print(r); err != nil {
			return err
		}
		if !*noThresholds && *format == "" {
			return eval.Check(r.Thresholds(minBlockRecall, minObfuscated, maxFalseBlockRate)...)
		}
		return nil
	case "drafts":
		examples, err := eval.LoadAnalysisJSONL(*data)
		if err != nil {
			return err
		}
		svc, err := builtinService()
		if err != nil {
			return err
		}
		r := eval.RunDrafts(ctx, svc, examples)
		if err := print(r); err != nil {
			return err
		}
		if !*noThresholds && r.Allowed.Value < 1 {
			return fmt.Errorf("%d of %d drafts were not allowed by the screen", r.N-r.Allowed.Hits, r.N)
		}
		return nil
	case "cfpb":
		a, err := builtin.NewAnalyzer()
		if err != nil {
			return err
		}
		r, err := eval.RunCFPB(ctx, a, *data, *limit)
		if err != nil {
			return err
		}
		return print(r)
	}
	return fmt.Errorf("eval: unknown suite %q (analysis, screen, drafts, cfpb)", suite)
}

// builtinService is the offline drafting path on a memory store, as the server's
// embedded default runs it.
func builtinService() (*assistant.Service, error) {
	gate, a, d, err := newBuiltinEngines()
	if err != nil {
		return nil, err
	}
	return &assistant.Service{
		Store: retrieval.NewMemoryStore(), Drafts: retrieval.NewMemoryDrafts(),
		Embedder: retrieval.NewHashEmbedder(retrieval.DefaultHashDimension),
		Gate:     gate, Analyzer: a, Fallback: d,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	}, nil
}

// dbCmd runs the database tools: migrate, import, reembed.
func dbCmd(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return fmt.Errorf("%s needs PARLEY_DATABASE_URL", cmd)
	}
	emb, err := newEmbedder(cfg)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "", "import: JSONL file of cases and events (see retrieval/postgres.Import)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch cmd {
	case "migrate":
		pg, err := openPostgres(ctx, cfg, emb, true)
		if err != nil {
			return err
		}
		defer pg.Close()
		fmt.Fprintln(stdout, "migrations applied")
		return nil
	case "import":
		if *file == "" {
			return fmt.Errorf("import: --file PATH is required")
		}
		f, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer f.Close()
		pg, err := openPostgres(ctx, cfg, emb, !cfg.NoMigrate)
		if err != nil {
			return err
		}
		defer pg.Close()
		r, err := pg.Import(ctx, f, emb, stderr)
		fmt.Fprintf(stdout, "lines %d, cases created %d, updated %d, events inserted %d, skipped %d, rejected %d, in %s\n",
			r.Lines, r.CasesCreated, r.CasesUpdated, r.EventsInserted, r.EventsSkipped, r.RejectedCount, r.Elapsed.Round(time.Millisecond))
		for _, rej := range r.Rejected {
			fmt.Fprintf(stdout, "  line %d: %s\n", rej.Line, rej.Reason)
		}
		return err
	case "reembed":
		// Opened without the dimension check: changing it is the point.
		pg, err := openPostgresForReembed(ctx, cfg)
		if err != nil {
			return err
		}
		defer pg.Close()
		return pg.Reembed(ctx, emb, stderr)
	}
	return fmt.Errorf("unknown command %q", cmd)
}
