// Command parley runs the Parley service and its tools.
//
//	parley                 serve the API (same as `parley serve`)
//	parley eval SUITE      measure an engine on a labelled set (analysis, screen, drafts)
//
// Configuration is by environment variables; see README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}
