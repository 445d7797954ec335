// Command stackc compiles stack.jsonnet into a complete monitoring stack:
// the app's metric registry, Prometheus config, rules and rule tests,
// Alertmanager config, Grafana dashboards, a Compose file and a review summary.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/google/go-jsonnet/formatter"
	"golang.org/x/mod/module"

	"github.com/stackc/stackc/compiler/build"
	"github.com/stackc/stackc/compiler/spec"
)

// Exit codes.
const (
	exitOK        = 0
	exitSpecError = 1
	exitUsage     = 2
)

const usage = `stackc compiles one Jsonnet spec into a monitoring stack.

Usage:
  stackc build [-o DIR] [--profile P] [SPEC]     compile SPEC (default stack.jsonnet) into DIR (default out)
  stackc check [-o DIR] [--profile P] [SPEC]     fail when DIR differs from what build would write
  stackc fmt [--check] [SPEC...]                 format Jsonnet specs in place (--check: only report)
  stackc diff [--base REF] [--profile P] [SPEC]  print what a spec change does, as Markdown
  stackc verify --service S --url URL [SPEC]     check a running app's metrics against the spec (or --file PATH)
  stackc version                                 print stackc's version
  stackc COMMAND --help                          help for one command

build, check, diff and verify read imports only from the spec's directory tree (--jpath DIR
allows more) and stop an evaluation that runs too long or too big (--eval-timeout,
--eval-memory).

Exit codes: 0 ok, 1 spec errors, stale output or an app that breaks the contract,
2 usage or I/O errors.
`

type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"build", "compile the spec into the output directory", runBuild},
		{"check", "fail when the output directory is stale", runCheck},
		{"fmt", "format Jsonnet specs", runFmt},
		{"diff", "print what a spec change does, as Markdown", runDiff},
		{"verify", "check a running app's metrics against the spec", runVerify},
		{"version", "print stackc's version", runVersion},
	}
}

func main() {
	// A limited spec evaluation runs in this executable started again.
	spec.ServeEvaluator()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "stackc: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// parseFlags parses args into fs, whose output is stderr. Asked for help,
// it prints the usage to stdout, where a user asked to see it, and ends the
// command with exitOK; on a bad flag, which the flag package has already
// reported on stderr, it ends the command with exitUsage.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return exitOK, true
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return exitOK, false
	default:
		return exitUsage, false
	}
}

// buildFlags are the flags build and check share.
type buildFlags struct {
	out, spec string
	eval      evalFlags
	// goImportPath is the Go registry's import path; empty: from the go.mod
	// enclosing out.
	goImportPath string
	// cpuProfile and memProfile name files for Go profiles of the whole
	// command (docs/performance.md); empty: none.
	cpuProfile, memProfile string
}

// evalFlags are the flags of every command that evaluates a spec.
type evalFlags struct {
	profile    string
	importDirs stringList
	timeout    time.Duration
	memoryMiB  int64
}

func (ef *evalFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&ef.profile, "profile", "default", "build profile: "+strings.Join(spec.Profiles, " or "))
	fs.Var(&ef.importDirs, "jpath", "also let the spec import files from `DIR` and search it for imports, like jsonnet -J (repeatable); by default imports are confined to the spec's directory tree")
	fs.DurationVar(&ef.timeout, "eval-timeout", spec.DefaultEvalTimeout, "stop evaluating the spec after this `duration`")
	fs.Int64Var(&ef.memoryMiB, "eval-memory", spec.DefaultEvalMemory>>20, "stop evaluating the spec when it uses more than this many `MiB`")
}

// options are the spec options the flags select: every evaluation from
// the command line is confined and limited (specs come from pull requests).
func (ef *evalFlags) options() spec.Options {
	return spec.Options{
		Profile:    ef.profile,
		ImportDirs: ef.importDirs,
		Limits:     &spec.Limits{Timeout: ef.timeout, Memory: ef.memoryMiB << 20},
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func parseBuildFlags(name, summary string, args []string, stdout, stderr io.Writer) (*buildFlags, int, bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	bf := &buildFlags{}
	fs.StringVar(&bf.out, "o", "out", "output `directory`")
	bf.eval.register(fs)
	fs.StringVar(&bf.goImportPath, "go-import-path", "", "import `path` of the Go registry DIR/metrics (default: from the go.mod enclosing DIR)")
	fs.StringVar(&bf.cpuProfile, "cpuprofile", "", "write a Go CPU profile of the command to `file` (go tool pprof)")
	fs.StringVar(&bf.memProfile, "memprofile", "", "write a Go heap profile taken at the end of the command to `file`")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: stackc %s [-o DIR] [--profile P] [--go-import-path PATH] [SPEC]\n\n%s.\nSPEC defaults to stack.jsonnet.\n\n", name, summary)
		fs.PrintDefaults()
	}
	// Flags may come before or after the spec: `stackc build stack.jsonnet -o x`.
	var specs []string
	for {
		if code, ok := parseFlags(fs, args, stdout); !ok {
			return nil, code, false
		}
		if fs.NArg() == 0 {
			break
		}
		specs = append(specs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch len(specs) {
	case 0:
		bf.spec = "stack.jsonnet"
	case 1:
		bf.spec = specs[0]
	default:
		fmt.Fprintf(stderr, "stackc %s: one spec at most, got %d: %s\n", name, len(specs), strings.Join(specs, " "))
		return nil, exitUsage, false
	}
	return bf, 0, true
}

func runBuild(args []string, stdout, stderr io.Writer) int {
	bf, code, ok := parseBuildFlags("build", "Compile the spec into the output directory; a failed build leaves it untouched", args, stdout, stderr)
	if !ok {
		return code
	}
	stop, err := startProfiles(bf)
	if err != nil {
		fmt.Fprintf(stderr, "stackc build: %v\n", err)
		return exitUsage
	}
	defer func() {
		if err := stop(); err != nil {
			fmt.Fprintf(stderr, "stackc build: %v\n", err)
		}
	}()
	res, code := load(bf, stderr)
	if res == nil {
		return code
	}
	// Build streams every file to disk as its target produces it.
	n, err := build.Build(bf.out, res.Stack)
	if err != nil {
		var foreign *build.ForeignDirError
		if errors.As(err, &foreign) {
			fmt.Fprintf(stderr, "stackc build: %v\n", err)
			return exitUsage
		}
		return compileFailed(bf, err, stderr)
	}
	fmt.Fprintf(stdout, "stackc: wrote %d files to %s\n", n, bf.out)
	return exitOK
}

// startProfiles starts the profiles bf asks for and returns what ends
// them and writes them out.
func startProfiles(bf *buildFlags) (stop func() error, err error) {
	var cpu *os.File
	if bf.cpuProfile != "" {
		if cpu, err = os.Create(bf.cpuProfile); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, err
		}
	}
	return func() error {
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				return err
			}
		}
		if bf.memProfile == "" {
			return nil
		}
		f, err := os.Create(bf.memProfile)
		if err != nil {
			return err
		}
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}, nil
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	bf, code, ok := parseBuildFlags("check", "Validate the spec and fail when the output directory differs from what build would write", args, stdout, stderr)
	if !ok {
		return code
	}
	out, code := compile(bf, stderr)
	if out == nil {
		return code
	}
	stale, err := build.Stale(bf.out, out)
	if err != nil {
		fmt.Fprintf(stderr, "stackc check: %v\n", err)
		return exitUsage
	}
	if len(stale) > 0 {
		fmt.Fprintf(stderr, "stackc check: %s is stale; run `make build` (stackc build) and commit the result:\n", bf.out)
		for _, s := range stale {
			fmt.Fprintf(stderr, "\t%s\n", s)
		}
		return exitSpecError
	}
	fmt.Fprintf(stdout, "stackc: %s is up to date (%d files)\n", bf.out, len(out))
	return exitOK
}

// compile loads and compiles the spec, printing warnings and errors. A nil
// result comes with the exit code to return.
func compile(bf *buildFlags, stderr io.Writer) (map[string][]byte, int) {
	res, code := load(bf, stderr)
	if res == nil {
		return nil, code
	}
	out, err := build.Compile(res.Stack)
	if err != nil {
		return nil, compileFailed(bf, err, stderr)
	}
	return out, exitOK
}

// load loads and validates the spec, printing warnings and errors. A nil
// result comes with the exit code to return.
func load(bf *buildFlags, stderr io.Writer) (*spec.Result, int) {
	importPath := bf.goImportPath
	if importPath == "" {
		var err error
		if importPath, _, err = build.GoImportPath(bf.out); err != nil {
			fmt.Fprintf(stderr, "stackc: %v\n", err)
			return nil, exitUsage
		}
	} else if err := module.CheckImportPath(importPath); err != nil {
		fmt.Fprintf(stderr, "stackc: --go-import-path: %v\n", err)
		return nil, exitUsage
	}
	opts := bf.eval.options()
	opts.GoImportPath = importPath
	res, err := spec.LoadFile(bf.spec, opts)
	if res != nil {
		for _, w := range res.Warnings {
			fmt.Fprintf(stderr, "warning: %s\n", w)
		}
	}
	if err != nil {
		return nil, compileFailed(bf, err, stderr)
	}
	return res, exitOK
}

// compileFailed reports an error of loading or compiling the spec; a spec
// problem a target finds is located in the spec like the loader's.
func compileFailed(bf *buildFlags, err error, stderr io.Writer) int {
	var specErr *spec.Error
	if errors.As(err, &specErr) {
		if src, rerr := os.ReadFile(bf.spec); rerr == nil {
			specErr.Locate(bf.spec, src)
		}
		fmt.Fprintf(stderr, "%s\n", specErr)
		fmt.Fprintf(stderr, "stackc: %d error(s) in %s; nothing was written\n", len(specErr.Problems), bf.spec)
		return exitSpecError
	}
	fmt.Fprintf(stderr, "stackc: %v\n", err)
	return exitUsage
}

func runFmt(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fmt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check", false, "only report files that are not formatted (exit 1)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: stackc fmt [--check] [SPEC...]\n\nFormat Jsonnet files in place with go-jsonnet's formatter.\nSPEC defaults to stack.jsonnet.\n\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	files := fs.Args()
	if len(files) == 0 {
		files = []string{"stack.jsonnet"}
	}
	sort.Strings(files)
	code := exitOK
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "stackc fmt: %v\n", err)
			return exitUsage
		}
		formatted, err := formatter.Format(f, string(src), formatter.DefaultOptions())
		if err != nil {
			fmt.Fprintf(stderr, "%s\n", spec.SyntaxProblem(f, err))
			code = exitSpecError
			continue
		}
		if formatted == string(src) {
			continue
		}
		if *check {
			fmt.Fprintf(stderr, "%s is not formatted; run `stackc fmt %s`\n", f, f)
			code = exitSpecError
			continue
		}
		if err := os.WriteFile(f, []byte(formatted), 0o644); err != nil {
			fmt.Fprintf(stderr, "stackc fmt: %v\n", err)
			return exitUsage
		}
		fmt.Fprintf(stdout, "formatted %s\n", f)
	}
	return code
}

// runVersion prints the module version stackc was built from (a tagged
// version with go install pkg@version, "(devel)" from a checkout), its VCS
// revision when the build recorded one, and the Go version.
func runVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" {
			fmt.Fprintln(stdout, "Usage: stackc version\n\nPrint stackc's version.")
			return exitOK
		}
		fmt.Fprintf(stderr, "stackc version: unexpected arguments %q\n", args)
		return exitUsage
	}
	fmt.Fprintln(stdout, versionLine())
	return exitOK
}

func versionLine() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "stackc (unknown version)"
	}
	line := "stackc " + info.Main.Version
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			line += " " + s.Value
		case "vcs.modified":
			if s.Value == "true" {
				line += "+dirty"
			}
		}
	}
	return line + " " + info.GoVersion
}
