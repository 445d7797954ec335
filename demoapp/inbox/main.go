package inbox

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// DefaultListen is the inbox's default address: loopback and the spec's
// default inbox port (network.inboxPort), which the receivers of
// stack.jsonnet post to.
const DefaultListen = "127.0.0.1:9095"

// Main runs `demoapp inbox`: it serves the inbox until ctx is cancelled and
// returns the process exit code (0 after a clean shutdown, 2 for bad flags).
// Alert lines go to stdout, logs to stderr.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", DefaultListen, "address to listen on (host:port)")
	keep := fs.Int("keep", DefaultKeep, "number of alerts to keep in memory")
	maxBytes := fs.Int64("max-bytes", DefaultMaxBytes, "largest accepted notification body, in bytes")
	var hosts hostList
	fs.Var(&hosts, "allow-host", "also accept requests whose Host header is `NAME` (repeatable; loopback names are always accepted), e.g. the inbox's Compose service name")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: demoapp inbox [--listen host:port] [--keep N] [--max-bytes N] [--allow-host NAME]\n\n"+
			"Receives Alertmanager webhook notifications on any POST path, prints one line per alert\n"+
			"and shows the latest at / (HTML) and /api/alerts (JSON).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "inbox: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *keep < 1 || *maxBytes < 1 {
		fmt.Fprintln(stderr, "inbox: --keep and --max-bytes must be positive")
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		logger.Error("cannot listen", "addr", *listen, "err", err)
		return 1
	}
	in := New(Options{Keep: *keep, MaxBytes: *maxBytes, Out: stdout, Logger: logger, Hosts: hosts})
	logger.Info("inbox listening", "url", "http://"+ln.Addr().String()+"/")
	if err := Serve(ctx, ln, in); err != nil {
		logger.Error("inbox stopped", "err", err)
		return 1
	}
	logger.Info("inbox stopped")
	return 0
}

// Serve serves h on ln until ctx is cancelled, then shuts down gracefully.
// It returns nil after a shutdown caused by ctx.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// hostList is the repeatable --allow-host flag.
type hostList []string

func (h *hostList) String() string { return strings.Join(*h, ",") }
func (h *hostList) Set(v string) error {
	if v == "" || strings.ContainsAny(v, ":/ ") {
		return fmt.Errorf("%q is not a host name", v)
	}
	*h = append(*h, v)
	return nil
}
