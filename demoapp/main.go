// Command demoapp is the instrumented demo service of the stack: it serves
// a service of the spec with the spec's simulated latency and errors and
// the metric registry generated from the same spec (out/metrics), drives
// traffic at it, injects faults through a loopback admin API, and receives
// Alertmanager notifications.
//
//	demoapp [serve] [--service shop] [--listen 127.0.0.1:8080] [--admin-listen 127.0.0.1:9080]
//	demoapp load --rps 20 --duration 5m [--target http://127.0.0.1:8080]
//	demoapp fault checkout --errors 0.5 --latency 200ms --for 10m
//	demoapp fault --clear
//	demoapp inbox --listen 127.0.0.1:9095
//	demoapp healthcheck
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/stackc/stackc/demoapp/inbox"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

const usage = `demoapp is the stack's instrumented demo service.

Usage:
  demoapp [serve] [flags]      serve a service of the spec (default command)
  demoapp load [flags]         drive the service's endpoints with a weighted mix
  demoapp fault [ENDPOINT] [flags]
                               inject (--errors, --latency, --for), clear (--clear)
                               or list faults through the admin API
  demoapp inbox [flags]        receive Alertmanager webhook notifications
  demoapp healthcheck [flags]  exit 0 when the app is ready (for container health checks)
  demoapp COMMAND --help       flags of one command
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" {
		return runServe(ctx, args, stdout, stderr)
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "load":
		return runLoad(ctx, args[1:], stdout, stderr)
	case "fault":
		return runFault(ctx, args[1:], stdout, stderr)
	case "inbox":
		return inbox.Main(ctx, args[1:], stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "demoapp: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// parseFlags parses args into fs. Asked for help, the flag package has
// already printed the usage, so the command ends with exitOK; a bad flag,
// already reported, ends it with exitUsage.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return exitOK, true
	case errors.Is(err, flag.ErrHelp):
		return exitOK, false
	default:
		return exitUsage, false
	}
}

// parseOnlyFlags is parseFlags for a command that takes flags and nothing else.
func parseOnlyFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, ok bool) {
	if code, ok := parseFlags(fs, args); !ok {
		return code, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "demoapp %s: unexpected arguments %q\n", fs.Name(), fs.Args())
		return exitUsage, false
	}
	return exitOK, true
}
