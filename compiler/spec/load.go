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
	"os"
	"path/filepath"
	"reflect"
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
}

// Result is a loaded spec: the validated stack and the warnings found on the way.
type Result struct {
	Stack    *model.Stack
	Warnings []Problem
}

// LoadFile evaluates and validates the spec at path.
func LoadFile(path string, opts Options) (*Result, error) {
	src, err := os.ReadFile(path)
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
	if _, ok := raw.(map[string]any); !ok {
		return nil, &Error{Problems: []Problem{{Pos: path + ":1:1", Message: "the spec must evaluate to an object, got " + describe(raw),
			Hint: "start from `local s = import 'stackc.libsonnet'; s.stack { services: [...] }`"}}}
	}
	var doc document
	(&decoder{ps: ps}).decode("", raw, reflect.ValueOf(&doc).Elem())
	st := doc.toModel(ps)
	st.Profile = opts.Profile
	if len(ps.errs) == 0 {
		applyDefaults(st)
		validate(st, ps)
	}
	loc := newLocator(path, src)
	for i := range ps.errs {
		ps.errs[i].Pos = loc.find(ps.errs[i].Path)
	}
	for i := range ps.warns {
		ps.warns[i].Pos = loc.find(ps.warns[i].Path)
	}
	sortProblems(ps.errs)
	sortProblems(ps.warns)
	if len(ps.errs) > 0 {
		return &Result{Warnings: ps.warns}, &Error{Problems: ps.errs}
	}
	return &Result{Stack: st, Warnings: ps.warns}, nil
}

func validProfile(p string) bool {
	for _, q := range Profiles {
		if p == q {
			return true
		}
	}
	return false
}

// evaluate runs the Jsonnet VM. Jsonnet's own errors keep their location:
// the innermost stack frame in the user's files, not in the library.
func evaluate(path string, src []byte, opts Options) ([]byte, error) {
	vm := jsonnet.MakeVM()
	vm.ExtVar("stackc.profile", opts.Profile)
	vm.Importer(&importer{files: &jsonnet.FileImporter{JPaths: []string{filepath.Dir(path)}}})
	capture := &capturingFormatter{}
	vm.ErrorFormatter = capture
	out, err := vm.EvaluateAnonymousSnippet(path, string(src))
	if err != nil {
		if capture.err != nil {
			return nil, &Error{Problems: []Problem{jsonnetProblem(capture.err)}}
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

// importer serves the embedded library and reads everything else from disk.
type importer struct{ files *jsonnet.FileImporter }

func (i *importer) Import(importedFrom, importedPath string) (jsonnet.Contents, string, error) {
	if importedPath == LibraryName {
		return jsonnet.MakeContents(Library), "<stackc>/" + LibraryName, nil
	}
	return i.files.Import(importedFrom, importedPath)
}

// jsonnetProblem turns a Jsonnet static or runtime error into a Problem
// located in the user's own file: a failed assert in the library is reported
// where the user called the constructor.
func jsonnetProblem(err error) Problem {
	var rt jsonnet.RuntimeError
	if errors.As(err, &rt) {
		p := Problem{Message: trimRuntime(rt.Msg)}
		for _, f := range rt.StackTrace {
			if f.Loc.FileName != "" && !isLibrary(f.Loc.FileName) && f.Loc.Begin.Line > 0 {
				p.Pos = fmt.Sprintf("%s:%d:%d", f.Loc.FileName, f.Loc.Begin.Line, f.Loc.Begin.Column)
				break
			}
		}
		return p
	}
	var static interface {
		Loc() ast.LocationRange
		Error() string
	}
	if errors.As(err, &static) {
		loc := static.Loc()
		p := Problem{Message: static.Error()}
		if loc.IsSet() {
			p.Pos = fmt.Sprintf("%s:%d:%d", loc.FileName, loc.Begin.Line, loc.Begin.Column)
			// The message repeats the location; keep only the text after it.
			p.Message = strings.TrimSpace(strings.TrimPrefix(p.Message, loc.String()))
		}
		return p
	}
	return Problem{Message: err.Error()}
}

func isLibrary(file string) bool { return strings.HasPrefix(file, "<stackc>/") }

// trimRuntime drops the "RUNTIME ERROR:" and "Assertion failed." noise.
func trimRuntime(msg string) string {
	msg = strings.TrimPrefix(msg, "Assertion failed. ")
	return msg
}
