package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/assistant/builtin"
	"github.com/parley-dev/parley/assistant/openai"
	"github.com/parley-dev/parley/assistant/playbook"
	"github.com/parley-dev/parley/compliance"
	"github.com/parley-dev/parley/retrieval"
	"github.com/parley-dev/parley/retrieval/demo"
	"github.com/parley-dev/parley/retrieval/postgres"
)

// app is the wired service with what must be closed on exit.
type app struct {
	svc     *assistant.Service
	engine  string
	pg      *postgres.Store
	closers []func()
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// newEmbedder picks the builtin hashed n-gram embedder unless a model is configured.
func newEmbedder(cfg config) (assistant.Embedder, error) {
	if cfg.EmbedModel == "" {
		return retrieval.NewHashEmbedder(retrieval.DefaultHashDimension), nil
	}
	return openai.NewEmbedder(openai.EmbedderConfig{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.EmbedModel, Dimension: cfg.EmbedDim})
}

// openPostgres opens the production store for the configured embedder.
func openPostgres(ctx context.Context, cfg config, emb assistant.Embedder, migrate bool) (*postgres.Store, error) {
	return postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{Dimension: emb.Dimension(), EmbeddingModel: emb.Name(), Migrate: migrate})
}

// wire builds stores and engines from the configuration: the embedded default is the
// memory store with demo cases and the builtin engines; a database URL and an LLM
// endpoint switch each part to production.
func wire(ctx context.Context, cfg config, logger *slog.Logger) (*app, error) {
	a := &app{engine: "builtin"}
	emb, err := newEmbedder(cfg)
	if err != nil {
		return nil, err
	}
	gate, analyzer, fallback, err := newBuiltinEngines()
	if err != nil {
		return nil, err
	}
	svc := &assistant.Service{Logger: logger, Embedder: emb, Gate: gate, Analyzer: analyzer, Fallback: fallback}
	if cfg.LLMBaseURL != "" && cfg.LLMModel != "" {
		client, err := openai.NewClient(openai.Config{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.LLMModel, Timeout: cfg.LLMTimeout, Logger: logger})
		if err != nil {
			return nil, err
		}
		svc.Analyzer = openai.NewAnalyzer(client, analyzer)
		svc.Drafter = openai.NewDrafter(client)
		a.engine = "openai"
	}
	if cfg.DatabaseURL != "" {
		pg, err := openPostgres(ctx, cfg, emb, !cfg.NoMigrate)
		if err != nil {
			return nil, err
		}
		a.pg = pg
		a.closers = append(a.closers, pg.Close)
		svc.Store = pg
		svc.Drafts = postgres.NewDrafts(pg)
		svc.QA = postgres.NewQA(pg)
	} else {
		svc.Store = retrieval.NewMemoryStore()
		svc.Drafts = retrieval.NewMemoryDrafts()
		svc.QA = retrieval.NewMemoryQA()
	}
	a.svc = svc
	if cfg.DatabaseURL == "" {
		n, err := demo.Seed(ctx, svc, time.Now())
		if err != nil {
			return nil, err
		}
		logger.Info("in-memory store seeded with demo cases", "cases", n)
	}
	return a, nil
}

// openPostgresForReembed opens the store accepting whatever embedding dimension it
// holds, since reembed is how that dimension changes.
func openPostgresForReembed(ctx context.Context, cfg config) (*postgres.Store, error) {
	return postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{Migrate: !cfg.NoMigrate})
}

// newBuiltinEngines loads what every configuration needs: the screen, the offline
// analyser (the model's fallback) and the playbook drafter (the model's fallback).
func newBuiltinEngines() (*compliance.Gate, *builtin.Analyzer, *playbook.Drafter, error) {
	gate, err := compliance.NewGate()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("compliance packs: %w", err)
	}
	analyzer, err := builtin.NewAnalyzer()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("builtin analyser: %w", err)
	}
	drafter, err := playbook.NewDrafter()
	if err != nil {
		return nil, nil, nil, err
	}
	return gate, analyzer, drafter, nil
}
