package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/assistant/httpapi"
	"github.com/parley-dev/parley/retrieval"
	"github.com/parley-dev/parley/retrieval/demo"
)

const usage = `usage: parley [serve | eval SUITE --data PATH [--json]]

  serve     run the HTTP API (default)
  eval      measure an engine on a labelled set; SUITE is analysis, screen or drafts
`

// run is the whole program, so tests can run it end to end.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 1 {
		cmd = args[1]
	}
	switch cmd {
	case "serve":
		return serve(ctx, getenv, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// app is the wired service with what must be closed on exit.
type app struct {
	svc     *assistant.Service
	engine  string
	closers []func()
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// wire builds stores and engines from the configuration.
func wire(ctx context.Context, cfg config, logger *slog.Logger) (*app, error) {
	a := &app{engine: "builtin"}
	svc := &assistant.Service{Logger: logger, Embedder: retrieval.NewHashEmbedder(retrieval.DefaultHashDimension)}
	if cfg.DatabaseURL != "" {
		return nil, errors.New("PARLEY_DATABASE_URL is set but this build has no PostgreSQL store yet")
	}
	svc.Store = retrieval.NewMemoryStore()
	a.svc = svc
	n, err := demo.Seed(ctx, svc, time.Now())
	if err != nil {
		return nil, err
	}
	logger.Info("in-memory store seeded with demo cases", "cases", n)
	return a, nil
}

func serve(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogLevel)
	a, err := wire(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.close()
	if len(cfg.APIKeys) == 0 {
		logger.Warn("NO API KEYS CONFIGURED: the API is open to anyone who can reach it; set PARLEY_API_KEYS before exposing it")
	}
	srv := httpapi.NewServer(httpapi.Deps{Service: a.svc, Logger: logger, Keys: cfg.APIKeys, Engine: a.engine})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	logger.Info("parley listening", "addr", ln.Addr().String(), "config", cfg.String())
	fmt.Fprintf(stdout, "parley listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Drain in-flight requests for up to 10 s, then stop.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	logger.Info("shutting down")
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
