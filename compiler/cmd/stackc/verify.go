package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/compiler/verify"
)

// stdin is where `stackc verify --file -` reads; tests replace it.
var stdin io.Reader = os.Stdin

func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	service := fs.String("service", "", "the spec's `service` the app is")
	rawURL := fs.String("url", "", "fetch the exposition from this `URL` (http or https), e.g. http://127.0.0.1:8080/metrics")
	file := fs.String("file", "", "read the exposition from this `file` (- for standard input)")
	timeout := fs.Duration("timeout", verify.DefaultTimeout, "give up fetching --url after this `duration`")
	maxBytes := fs.Int64("max-bytes", verify.DefaultMaxBytes, "refuse an exposition larger than this many `bytes`")
	var ef evalFlags
	ef.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: stackc verify --service S (--url URL | --file PATH) [--profile P] [SPEC]\n\n"+
			"Check a running app's metrics against the stack built from SPEC (default\n"+
			"stack.jsonnet): every metric the rules and dashboards read exists with its type\n"+
			"and labels, the latency SLOs' buckets exist, label values stay within the spec's\n"+
			"sets (raw request paths are reported with the route to use), and no metric has\n"+
			"more series than the spec's worst case. Prometheus text format, OpenMetrics and\n"+
			"protobuf, picked by Content-Type (a file: by its content).\n"+
			"Exit 0: the app keeps the contract; 1: it does not (one line per problem);\n"+
			"2: usage, spec, fetch or parse error.\n\n")
		fs.PrintDefaults()
	}
	// Flags may come before or after the spec.
	var specs []string
	for {
		if code, ok := parseFlags(fs, args, stdout); !ok {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		specs = append(specs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	specPath := "stack.jsonnet"
	switch len(specs) {
	case 0:
	case 1:
		specPath = specs[0]
	default:
		fmt.Fprintf(stderr, "stackc verify: one spec at most, got %d\n", len(specs))
		return exitUsage
	}
	switch {
	case *service == "":
		fmt.Fprintf(stderr, "stackc verify: --service is required: the spec's service the app is\n")
		return exitUsage
	case (*rawURL == "") == (*file == ""):
		fmt.Fprintf(stderr, "stackc verify: give exactly one of --url and --file\n")
		return exitUsage
	case *timeout <= 0 || *maxBytes <= 0:
		fmt.Fprintf(stderr, "stackc verify: --timeout and --max-bytes must be positive\n")
		return exitUsage
	}

	res, err := spec.LoadFile(specPath, ef.options())
	if err != nil {
		var specErr *spec.Error
		if errors.As(err, &specErr) {
			if src, rerr := os.ReadFile(specPath); rerr == nil {
				specErr.Locate(specPath, src)
			}
			fmt.Fprintf(stderr, "%s\n", specErr)
			fmt.Fprintf(stderr, "stackc verify: %d error(s) in %s; fix the spec first (stackc build)\n", len(specErr.Problems), specPath)
			return exitUsage
		}
		fmt.Fprintf(stderr, "stackc verify: %v\n", err)
		return exitUsage
	}
	if _, err := verify.Service(res.Stack, *service); err != nil {
		fmt.Fprintf(stderr, "stackc verify: --service: %v\n", err)
		return exitUsage
	}

	var data []byte
	var contentType, source string
	if *rawURL != "" {
		source = *rawURL
		data, contentType, err = verify.Fetch(context.Background(), *rawURL, *timeout, *maxBytes)
	} else {
		source = *file
		data, err = readExposition(*file, *maxBytes)
	}
	if err != nil {
		fmt.Fprintf(stderr, "stackc verify: %v\n", err)
		return exitUsage
	}
	exp, err := verify.Parse(data, contentType)
	if err != nil {
		fmt.Fprintf(stderr, "stackc verify: %s: %v\n", source, err)
		return exitUsage
	}
	report, err := verify.Check(res.Stack, *service, exp)
	if err != nil {
		fmt.Fprintf(stderr, "stackc verify: %v\n", err)
		return exitUsage
	}
	if len(report.Problems) == 0 {
		fmt.Fprintln(stdout, report.Summary(source))
		return exitOK
	}
	for _, p := range report.Problems {
		fmt.Fprintln(stderr, report.Line(p))
	}
	fmt.Fprintln(stderr, report.Summary(source))
	return exitSpecError
}

// readExposition reads a file (or standard input for "-"), at most maxBytes.
func readExposition(path string, maxBytes int64) ([]byte, error) {
	if path == "-" {
		return verify.ReadCapped(stdin, maxBytes)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := verify.ReadCapped(f, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}
