package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/parley-dev/parley/assistant/httpapi"
)

const usage = `usage: parley [command]

  serve                         run the HTTP API (default)
  eval SUITE --data PATH        measure an engine on a labelled set; SUITE is analysis,
                                screen, drafts or cfpb; --json, --format hatecheck|cold
  migrate                       apply database migrations (PARLEY_DATABASE_URL)
  import --file cases.jsonl     bulk-load cases and events into PostgreSQL, resumable
  reembed                       recompute every embedding with the configured embedder
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
	case "eval":
		return evalCmd(ctx, args[2:], stdout, stderr)
	case "migrate", "import", "reembed":
		return dbCmd(ctx, cmd, args[2:], getenv, stdout, stderr)
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
	widgetKey := cfg.WidgetKey
	if len(widgetKey) == 0 {
		widgetKey = httpapi.NewWidgetKey()
		logger.Warn("PARLEY_WIDGET_KEY not set: widget links are signed with a random key and stop working at the next restart")
	}
	srv := httpapi.NewServer(httpapi.Deps{Service: a.svc, Logger: logger, Keys: cfg.APIKeys, Engine: a.engine, WidgetKey: widgetKey, PublicURL: cfg.PublicURL, WidgetOrigins: cfg.WidgetOrigins})
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
