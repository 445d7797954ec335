// Package spec loads stack.jsonnet: it evaluates the Jsonnet with the
// embedded stackc.libsonnet, decodes the result strictly, fills in defaults
// and validates it into a *model.Stack. Every problem points into the spec:
// file:line:col where the value is written literally, its JSON path always.
package spec

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	jsonnet "github.com/google/go-jsonnet"
	"github.com/google/go-jsonnet/ast"

	"github.com/stackc/stackc/compiler/model"
)

// Library is the source of stackc.libsonnet, importable from every spec.
//
//go:embed stackc.libsonnet
var Library string

// LibraryName is the import path of the embedded library.
const LibraryName = "stackc.libsonnet"

// Profiles are the build profiles a spec can be evaluated with.
var Profiles = []string{"default", "demo"}

// Options select how a spec is evaluated.
type Options struct {
	// Profile is "default" or "demo"; the spec reads it as s.profile.
	Profile string
	// ImportDirs are directories beyond the spec's own directory tree that
	// imports may read from; they are searched after the importing file's
	// directory, like jsonnet -J. Nothing else outside the tree is read.
	ImportDirs []string
	// Files reads the spec's imports; nil reads the file system.
	Files Files
	// Limits, when set, evaluate the spec in a child process bounded in
	// time and memory (see Limits).
	Limits *Limits
	// GoImportPath becomes the model's GoImportPath: the import path of the
	// generated Go registry, a build setting the spec cannot set.
	GoImportPath string
}

// Result is a loaded spec: the validated stack and the warnings found on the way.
type Result struct {
	Stack    *model.Stack
	Warnings []Problem
}

// LoadFile evaluates and validates the spec at path.
func LoadFile(path string, opts Options) (*Result, error) {
	var src []byte
	var err error
	if opts.Files != nil {
		var abs string
		if abs, err = filepath.Abs(path); err == nil {
			src, err = opts.Files.ReadFile(abs)
		}
	} else {
		src, err = OSFiles{}.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	return Load(path, src, opts)
}

// Load evaluates and validates a spec whose text is src; path names it in
// errors and anchors its relative imports. A spec error is an *Error.
func Load(path string, src []byte, opts Options) (*Result, error) {
	if opts.Profile == "" {
		opts.Profile = "default"
	}
	if !validProfile(opts.Profile) {
		return nil, fmt.Errorf("unknown profile %q (want one of %v)", opts.Profile, Profiles)
	}
	out, err := evaluate(path, src, opts)
	if err != nil {
		return nil, err
	}
	return Decode(path, src, out, opts)
}

// Decode validates already evaluated spec JSON. src, the spec's Jsonnet
// text, is only used to find the line of a problem; it may be nil.
func Decode(path string, src []byte, evaluated []byte, opts Options) (*Result, error) {
	if opts.Profile == "" {
		opts.Profile = "default"
	}
	ps := &problems{}
	dec := json.NewDecoder(bytes.NewReader(evaluated))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, &Error{Problems: []Problem{{Pos: path, Message: "spec is not valid JSON: " + err.Error()}}}
	}
	if dec.More() {
		return nil, &Error{Problems: []Problem{{Pos: path, Message: "spec is not valid JSON: more than one value"}}}
	}
	if _, ok := raw.(map[string]any); !ok {
		pos := newLocator(path, src).find("")
		if pos == "" {
			pos = path
		}
		return nil, &Error{Problems: []Problem{{Pos: pos, Message: "the spec must evaluate to an object, got " + describe(raw),
			Hint: "start from `local s = import 'stackc.libsonnet'; s.stack { services: [...] }`"}}}
	}
	var doc document
	set := explicit{}
	(&decoder{ps: ps, set: set}).decode("", "", raw, reflect.ValueOf(&doc).Elem())
	st := doc.toModel(ps)
	st.Profile = opts.Profile
	st.Source = filepath.Base(path)
	st.GoImportPath = opts.GoImportPath
	applyDefaults(st, set)
	// Validate even a spec that did not decode cleanly, so every problem is
	// reported at once, but drop what follows from a value that could not be
	// read: a wrong-typed objective would also be "out of range".
	decodeErrs := len(ps.errs)
	validate(st, set, ps)
	ps.errs = append(ps.errs[:decodeErrs], dropShadowed(ps.errs[:decodeErrs], ps.errs[decodeErrs:])...)
	if len(ps.errs)+len(ps.warns) > 0 {
		locate(path, src, opts, ps)
	}
	if len(ps.errs) > 0 {
		return &Result{Warnings: ps.warns}, &Error{Problems: ps.errs}
	}
	return &Result{Stack: st, Warnings: ps.warns}, nil
}

// locate finds every problem's position, in the spec or a file it
// imports, and sorts the problems by it.
func locate(path string, src []byte, opts Options, ps *problems) {
	loc := newLocator(path, src)
	if res, err := newResolver(path, opts); err == nil {
		loc.withImports(res.resolve)
	}
	for i := range ps.errs {
		ps.errs[i].Pos = loc.find(ps.errs[i].Path)
	}
	for i := range ps.warns {
		ps.warns[i].Pos = loc.find(ps.warns[i].Path)
	}
	sortProblems(ps.errs)
	sortProblems(ps.warns)
}

// dropShadowed returns the problems of later that are not about a value
// at, below or directly above the path of a problem in first: a value
// that could not be read leaves a zero behind, and what validation says
// about it, or about the list or object holding it (a label value of the
// wrong type reads as an empty value of its label), follows from the
// first problem. Problems about the spec's top-level sections (services,
// alerting, seriesBudget) are kept: they never follow from one value.
func dropShadowed(first, later []Problem) []Problem {
	var out []Problem
	for _, p := range later {
		shadowed := false
		for _, f := range first {
			if under(p.Path, f.Path) || (strings.ContainsAny(p.Path, ".[") && under(f.Path, p.Path)) {
				shadowed = true
				break
			}
		}
		if !shadowed {
			out = append(out, p)
		}
	}
	return out
}

// under reports whether path is at or below parent.
func under(path, parent string) bool {
	return path == parent || strings.HasPrefix(path, parent+".") || strings.HasPrefix(path, parent+"[")
}

func validProfile(p string) bool {
	for _, q := range Profiles {
		if p == q {
			return true
		}
	}
	return false
}

// evaluate runs the Jsonnet VM, in a sandboxed child process when
// opts.Limits asks for one. Jsonnet's own errors keep their location.
func evaluate(path string, src []byte, opts Options) ([]byte, error) {
	res, err := newResolver(path, opts)
	if err != nil {
		return nil, err
	}
	if opts.Limits != nil {
		return evaluateInChild(path, src, opts, res)
	}
	return evaluateWith(path, src, opts.Profile, res.resolve)
}

// fetchFunc resolves and reads one import (see resolver.resolve).
type fetchFunc func(importedFrom, importedPath string) (foundAt string, data []byte, err error)

// evaluateWith runs the VM in this process, reading imports with fetch.
func evaluateWith(path string, src []byte, profile string, fetch fetchFunc) ([]byte, error) {
	vm := jsonnet.MakeVM()
	vm.ExtVar("stackc.profile", profile)
	vm.Importer(&importer{fetch: fetch, contents: map[string]jsonnet.Contents{}})
	capture := &capturingFormatter{}
	vm.ErrorFormatter = capture
	out, err := vm.EvaluateAnonymousSnippet(path, string(src))
	if err != nil {
		if capture.err != nil {
			return nil, &Error{Problems: []Problem{jsonnetProblem(capture.err, newLocator(path, src))}}
		}
		return nil, &Error{Problems: []Problem{{Pos: path, Message: err.Error()}}}
	}
	return []byte(out), nil
}

// capturingFormatter keeps the typed error go-jsonnet would otherwise only
// hand back as a formatted string.
type capturingFormatter struct{ err error }

func (c *capturingFormatter) Format(err error) string                  { c.err = err; return err.Error() }
func (c *capturingFormatter) SetMaxStackTraceSize(int)                 {}
func (c *capturingFormatter) SetColorFormatter(jsonnet.ColorFormatter) {}

// importer serves the embedded library and everything else through fetch,
// which confines imports to the spec's directory tree (see resolver).
type importer struct {
	fetch    fetchFunc
	library  jsonnet.Contents
	contents map[string]jsonnet.Contents
}

func (i *importer) Import(importedFrom, importedPath string) (jsonnet.Contents, string, error) {
	if importedPath == LibraryName {
		// go-jsonnet insists on one Contents instance per path and VM.
		if i.library == (jsonnet.Contents{}) {
			i.library = jsonnet.MakeContents(Library)
		}
		return i.library, libraryPrefix + LibraryName, nil
	}
	if isLibrary(importedFrom) {
		importedFrom = ""
	}
	foundAt, data, err := i.fetch(importedFrom, importedPath)
	if err != nil {
		return jsonnet.Contents{}, "", fmt.Errorf("couldn't open import %q: %v", importedPath, err)
	}
	c, ok := i.contents[foundAt]
	if !ok {
		c = jsonnet.MakeContentsRaw(data)
		i.contents[foundAt] = c
	}
	return c, foundAt, nil
}

const libraryPrefix = "<stackc>/"

// jsonnetProblem turns a Jsonnet static or runtime error into a Problem
// located in the user's own file. An error raised in user code is reported
// where it was raised. A failed assert in the library is reported at the
// argument or call it is about: go-jsonnet records the fields and list
// elements it was manifesting, which is a JSON path the locator can follow
// into the spec; failing that, at the innermost call from the user's code.
func jsonnetProblem(err error, loc *locator) Problem {
	var rt jsonnet.RuntimeError
	if errors.As(err, &rt) {
		p := Problem{Message: trimRuntime(rt.Msg), Path: manifestPath(rt.StackTrace)}
		var inner, user string
		for _, f := range rt.StackTrace {
			if !f.Loc.IsSet() {
				continue
			}
			file := locFile(f.Loc)
			pos := fmt.Sprintf("%s:%d:%d", file, f.Loc.Begin.Line, f.Loc.Begin.Column)
			inner = file
			if !isLibrary(file) {
				user = pos
			}
		}
		switch {
		case inner != "" && !isLibrary(inner):
			p.Pos = user
		case loc.find(p.Path) != "":
			p.Pos = loc.find(p.Path)
		default:
			p.Pos = user
		}
		if p.Pos == "" {
			p.Pos = loc.file
		}
		p.Hint = loc.jsonnetHint(p.Pos, p.Message)
		return p
	}
	var static interface {
		Loc() ast.LocationRange
		Error() string
	}
	if errors.As(err, &static) {
		l := static.Loc()
		p := Problem{Pos: loc.file, Message: static.Error()}
		if l.IsSet() {
			p.Pos = fmt.Sprintf("%s:%d:%d", locFile(l), l.Begin.Line, l.Begin.Column)
			// The message repeats the location; keep only the text after it.
			if _, msg, ok := strings.Cut(p.Message, l.String()); ok {
				p.Message = strings.TrimSpace(msg)
			}
		}
		p.Hint = loc.jsonnetHint(p.Pos, p.Message)
		return p
	}
	return Problem{Pos: loc.file, Message: err.Error()}
}

// SyntaxProblem turns an error of go-jsonnet's parser or formatter for the
// file at path into a Problem, worded like every other spec error.
func SyntaxProblem(path string, err error) Problem {
	return jsonnetProblem(err, &locator{file: path})
}

// locFile names the file of a location; go-jsonnet leaves FileName empty
// for the spec itself, which it evaluates as a snippet.
func locFile(l ast.LocationRange) string {
	if l.FileName != "" {
		return l.FileName
	}
	if l.File != nil {
		return string(l.File.DiagnosticFileName)
	}
	return ""
}

// manifestPath turns the manifestation frames of a runtime error (Field
// "services", Array element 0, ...) into a JSON path: services[0].
func manifestPath(frames []jsonnet.TraceFrame) string {
	var b strings.Builder
	for _, f := range frames {
		if f.Loc.File != nil {
			continue
		}
		switch name := f.Loc.FileName; {
		case strings.HasPrefix(name, "Field "):
			field, err := strconv.Unquote(strings.TrimPrefix(name, "Field "))
			if err != nil {
				return b.String()
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(field)
		case strings.HasPrefix(name, "Array element "):
			b.WriteString("[" + strings.TrimPrefix(name, "Array element ") + "]")
		}
	}
	return b.String()
}

func isLibrary(file string) bool { return strings.HasPrefix(file, libraryPrefix) }

// trimRuntime drops go-jsonnet's "Assertion failed." prefix of a message
// the library already words completely.
func trimRuntime(msg string) string {
	return strings.TrimPrefix(msg, "Assertion failed. ")
}
