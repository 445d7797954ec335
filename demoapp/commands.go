package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/stackc/stackc/demoapp/fault"
	"github.com/stackc/stackc/demoapp/loadgen"
)

func runFault(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fault", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sel := addServiceFlags(fs, "service whose admin port to call")
	admin := fs.String("admin", "", "admin API base URL (default http://127.0.0.1:<service adminPort>)")
	errorRate := fs.Float64("errors", 0, "share of requests to fail with 503, 0 to 1")
	latency := fs.Duration("latency", 0, "latency to add to every response, e.g. 200ms")
	lasting := fs.Duration("for", 0, "how long the fault lasts, e.g. 10m (default: until cleared)")
	clearAll := fs.Bool("clear", false, "clear ENDPOINT's fault, or every fault without ENDPOINT")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage:
  demoapp fault ENDPOINT [--errors RATE] [--latency D] [--for D]   inject a fault
  demoapp fault [ENDPOINT] --clear                                 clear one or all faults
  demoapp fault                                                    list active faults

`)
		fs.PrintDefaults()
	}
	// Flags may come before or after the endpoint (demoapp fault checkout
	// --errors 0.5); the flag package stops at the first argument, so parse
	// the rest again after each one.
	var positional []string
	for {
		if code, ok := parseFlags(fs, args); !ok {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) > 1 {
		fmt.Fprintf(stderr, "demoapp fault: one endpoint at most, got %q\n", positional)
		return exitUsage
	}
	endpoint := ""
	if len(positional) == 1 {
		endpoint = positional[0]
	}
	if *admin == "" {
		svc, err := sel.lookup()
		if err != nil {
			fmt.Fprintf(stderr, "demoapp fault: %v\n", err)
			return exitUsage
		}
		*admin = "http://127.0.0.1:" + strconv.Itoa(svc.AdminPort)
	}
	c := fault.Client{Base: *admin}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	injecting := set["errors"] || set["latency"] || set["for"]
	switch {
	case *clearAll && injecting:
		fmt.Fprintln(stderr, "demoapp fault: --clear does not go with --errors, --latency or --for")
		return exitUsage
	case *clearAll:
		if err := c.Clear(ctx, endpoint); err != nil {
			fmt.Fprintf(stderr, "demoapp fault: %v\n", err)
			return exitFailure
		}
		if endpoint == "" {
			fmt.Fprintln(stdout, "cleared every fault")
		} else {
			fmt.Fprintf(stdout, "cleared the fault of %s\n", endpoint)
		}
		return exitOK
	case endpoint != "":
		if !injecting {
			fmt.Fprintln(stderr, "demoapp fault: give --errors and/or --latency (or --clear)")
			return exitUsage
		}
		req := fault.Request{ErrorRate: *errorRate}
		if *latency != 0 {
			req.Latency = latency.String()
		}
		if *lasting != 0 {
			req.For = lasting.String()
		}
		st, err := c.Set(ctx, endpoint, req)
		if err != nil {
			fmt.Fprintf(stderr, "demoapp fault: %v\n", err)
			return exitFailure
		}
		fmt.Fprintln(stdout, describe(st))
		return exitOK
	case injecting:
		fmt.Fprintln(stderr, "demoapp fault: name the endpoint, e.g. demoapp fault checkout --errors 0.5")
		return exitUsage
	}
	l, err := c.List(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "demoapp fault: %v\n", err)
		return exitFailure
	}
	if len(l.Faults) == 0 {
		fmt.Fprintln(stdout, "no active faults")
	}
	for _, st := range l.Faults {
		fmt.Fprintln(stdout, describe(st))
	}
	return exitOK
}

func describe(st fault.Status) string {
	until := "until cleared"
	if st.Expires != "" {
		until = "until " + st.Expires
	}
	return fmt.Sprintf("%s: %g errors, +%s latency, %s", st.Endpoint, st.ErrorRate, st.Latency, until)
}

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sel := addServiceFlags(fs, "service of the spec whose endpoints to drive")
	target := fs.String("target", "", "base URL of the service (default http://127.0.0.1:<service port>)")
	rps := fs.Float64("rps", 10, "requests per second")
	duration := fs.Duration("duration", time.Minute, "how long to run")
	maxRequests := fs.Int("max-requests", 0, "stop after this many requests (default rps x duration)")
	concurrency := fs.Int("concurrency", 32, "most requests in flight")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: demoapp load [flags]\n\nDrive every endpoint of the service, weighted by the spec's sim weights.\n\n")
		fs.PrintDefaults()
	}
	if code, ok := parseOnlyFlags(fs, args, stderr); !ok {
		return code
	}
	svc, err := sel.lookup()
	if err != nil {
		fmt.Fprintf(stderr, "demoapp load: %v\n", err)
		return exitUsage
	}
	if *target == "" {
		*target = "http://127.0.0.1:" + strconv.Itoa(svc.Port)
	}
	fmt.Fprintf(stderr, "demoapp load: %g requests/s to %s for %s\n", *rps, *target, *duration)
	res, err := loadgen.Run(ctx, loadgen.Config{
		Target: *target, Endpoints: svc.Endpoints, RPS: *rps, Duration: *duration,
		MaxRequests: *maxRequests, Concurrency: *concurrency,
	})
	if err != nil {
		fmt.Fprintf(stderr, "demoapp %v\n", err)
		return exitUsage
	}
	fmt.Fprint(stdout, res)
	return exitOK
}

// runHealthcheck exits 0 when the app answers /readyz with 200: the
// container image has no curl, so Docker and Compose health checks call this.
func runHealthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sel := addServiceFlags(fs, "service whose port to check")
	url := fs.String("url", "", "URL to check (default http://127.0.0.1:<service port>/readyz)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *url == "" {
		svc, err := sel.lookup()
		if err != nil {
			fmt.Fprintf(stderr, "demoapp healthcheck: %v\n", err)
			return exitUsage
		}
		*url = "http://127.0.0.1:" + strconv.Itoa(svc.Port) + "/readyz"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "demoapp healthcheck: %v\n", err)
		return exitUsage
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "demoapp healthcheck: %v\n", err)
		return exitFailure
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "demoapp healthcheck: %s: %s\n", *url, resp.Status)
		return exitFailure
	}
	fmt.Fprintln(stdout, "ok")
	return exitOK
}
