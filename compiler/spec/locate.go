package spec

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"

	"github.com/google/go-jsonnet/ast"
	"github.com/google/go-jsonnet/formatter"
)

// locator finds, best effort, where in the spec's Jsonnet text the value at
// a JSON path is written. It follows the path through the AST the way the
// evaluator would build the value: object fields, `a + b` and `a { ... }`
// (right side first, as it overrides), local variables, list elements by
// index or by their name, and the arguments of stackc.libsonnet's
// constructors, positional or named, and the files the spec imports when
// the locator can read them. An element of a list comprehension is found
// in the comprehension's body, which writes every element, but only after
// no literally written element matched. Values computed by conditionals or
// the user's own functions have no single place; then the locator gives up
// and only the path is reported.
type locator struct {
	file string
	root ast.Node
	// steps bounds the work of one find: `local a = a + a; a` would
	// otherwise branch exponentially.
	steps int
	// loose lets a list element match a comprehension's body or an element
	// whose name is computed; find tries it only after an exact walk failed.
	loose bool
	// fetch reads an imported file (nil: imports are not followed); files
	// caches each one's syntax tree by the path fetch found it at.
	fetch fetchFunc
	files map[string]ast.Node
}

// withImports lets the locator follow the spec's imports, read with fetch,
// so that a value written in an imported file is reported there.
func (l *locator) withImports(fetch fetchFunc) *locator {
	l.fetch = fetch
	l.files = map[string]ast.Node{}
	return l
}

// maxSteps is far more than any real spec needs for one path.
const maxSteps = 20000

// newLocator parses src without desugaring, so that the tree still shows
// what the user wrote: named arguments, `a { ... }`, object fields by name.
func newLocator(file string, src []byte) *locator {
	if src == nil {
		return &locator{file: file}
	}
	root, _, err := formatter.SnippetToRawAST(file, string(src))
	if err != nil {
		return &locator{file: file}
	}
	return &locator{file: file, root: root}
}

var pathSegmentRE = regexp.MustCompile(`([^.\[\]]+)|\[([^\]]*)\]`)

// segment is one step of a JSON path: a field key, or a list element named
// by its index or its name (a bracket segment).
type segment struct {
	name    string
	bracket bool
}

func parsePath(path string) []segment {
	var segs []segment
	for _, m := range pathSegmentRE.FindAllStringSubmatch(path, -1) {
		if m[1] != "" {
			segs = append(segs, segment{name: m[1]})
		} else {
			segs = append(segs, segment{name: m[2], bracket: true})
		}
	}
	return segs
}

// find returns "file:line:col" for a JSON path such as
// services[shop].slos[checkout-latency].threshold, or "" when the value
// cannot be traced to one place in the text. A value that is not written
// at all (a missing team, a defaulted bucket list) or not literally (an
// element of a comprehension) is reported at the nearest enclosing value
// that is. The empty path is the spec's expression.
func (l *locator) find(path string) string {
	if l.root == nil {
		return ""
	}
	segs := parsePath(path)
	n := l.walkRoot(segs)
	// Climb to the nearest ancestor that is written down: the parent of a
	// missing field, or the comprehension that computes a list. Stop below
	// the top-level fields, which say too little about where to look.
	for end := len(segs) - 1; n == nil && end >= 1; end-- {
		if end == 1 && len(segs) > 2 {
			break
		}
		n = l.walkRoot(segs[:end])
	}
	if n == nil {
		return ""
	}
	loc := n.Loc()
	if loc == nil || !loc.IsSet() {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", l.display(fileOf(loc)), loc.Begin.Line, loc.Begin.Column)
}

// walkRoot walks segs from the spec's expression, first matching list
// elements exactly, then loosely (see locator.loose).
func (l *locator) walkRoot(segs []segment) ast.Node {
	for _, loose := range []bool{false, true} {
		l.steps, l.loose = maxSteps, loose
		if n := l.walk(l.root, nil, segs, 0); n != nil {
			return n
		}
	}
	return nil
}

// display names a file of the spec as the user does: the spec by the path
// it was given, an import by that path's directory and the import's place
// relative to the spec.
func (l *locator) display(file string) string {
	if file == "" || file == l.file || !filepath.IsAbs(file) {
		return l.file
	}
	main, err := filepath.Abs(l.file)
	if err != nil {
		return file
	}
	rel, err := filepath.Rel(filepath.Dir(main), file)
	if err != nil || !filepath.IsLocal(rel) {
		return file
	}
	return filepath.Join(filepath.Dir(l.file), rel)
}

// fileOf returns the name a node's file was parsed under: the spec's path
// as given, or the absolute path of an import.
func fileOf(loc *ast.LocationRange) string {
	if loc == nil || loc.File == nil {
		return ""
	}
	return string(loc.File.DiagnosticFileName)
}

// imported returns the syntax tree of the file an import node names, or nil.
func (l *locator) imported(imp *ast.Import) ast.Node {
	if l.fetch == nil || imp.File == nil {
		return nil
	}
	from := ""
	if f := fileOf(imp.Loc()); f != l.file {
		from = f
	}
	at, data, err := l.fetch(from, imp.File.Value)
	if err != nil {
		return nil
	}
	if root, ok := l.files[at]; ok {
		return root
	}
	root, _, err := formatter.SnippetToRawAST(at, string(data))
	if err != nil {
		root = nil
	}
	l.files[at] = root
	return root
}

// maxDepth bounds the walk: a spec like `local x = x; x` must not hang it.
const maxDepth = 200

// env maps local variables to the expression bound to them.
type env map[ast.Identifier]binding

type binding struct {
	node ast.Node
	env  env
}

func (e env) with(ids []ast.Identifier, nodes []ast.Node) env {
	out := make(env, len(e)+len(ids))
	for k, v := range e {
		out[k] = v
	}
	for i, id := range ids {
		out[id] = binding{node: nodes[i], env: out}
	}
	return out
}

// resolve strips parentheses and locals and follows variables to the
// expression they name.
func resolve(n ast.Node, e env) (ast.Node, env) {
	for range maxDepth {
		switch t := n.(type) {
		case *ast.Parens:
			n = t.Inner
		case *ast.Local:
			ids := make([]ast.Identifier, len(t.Binds))
			nodes := make([]ast.Node, len(t.Binds))
			for i, b := range t.Binds {
				ids[i], nodes[i] = b.Variable, b.Body
			}
			e = e.with(ids, nodes)
			n = t.Body
		case *ast.Var:
			b, ok := e[t.Id]
			if !ok || b.node == nil {
				return n, e
			}
			n, e = b.node, b.env
		default:
			return n, e
		}
	}
	return nil, e
}

// walk returns the node written for the value at segs below n, or nil.
func (l *locator) walk(n ast.Node, e env, segs []segment, depth int) ast.Node {
	l.steps--
	if n == nil || depth > maxDepth || l.steps < 0 {
		return nil
	}
	n, e = resolve(n, e)
	if n == nil || len(segs) == 0 {
		return n
	}
	seg, rest := segs[0], segs[1:]
	switch t := n.(type) {
	case *ast.Binary:
		if t.Op != ast.BopPlus {
			return nil
		}
		if i, ok := index(seg); ok {
			return l.walkConcat(t, e, i, rest, depth)
		}
		if found := l.walk(t.Right, e, segs, depth+1); found != nil {
			return found
		}
		return l.walk(t.Left, e, segs, depth+1)
	case *ast.ApplyBrace:
		if found := l.walk(t.Right, e, segs, depth+1); found != nil {
			return found
		}
		return l.walk(t.Left, e, segs, depth+1)
	case *ast.Object:
		// A bracket segment on an object is a map written as fields, like
		// labels={ payment: [...] } for the path labels[payment].
		e = objectLocals(t, e)
		for _, f := range t.Fields {
			if f.Kind != ast.ObjectLocal && f.Kind != ast.ObjectAssert && fieldName(f) == seg.name {
				return l.walk(f.Expr2, e, rest, depth+1)
			}
		}
	case *ast.Array:
		if !seg.bracket {
			return nil
		}
		if i, ok := index(seg); ok {
			if i < len(t.Elements) {
				return l.walk(t.Elements[i].Expr, e, rest, depth+1)
			}
			return nil
		}
		var computed []ast.Node
		for _, el := range t.Elements {
			switch l.nameOf(el.Expr, e, depth+1) {
			case seg.name:
				return l.walk(el.Expr, e, rest, depth+1)
			case "":
				computed = append(computed, el.Expr)
			}
		}
		// A name that is not written literally (s.service('svc-%d' % i))
		// may be the one sought when no other element could be.
		if l.loose && len(computed) == 1 {
			return l.walk(computed[0], e, rest, depth+1)
		}
	case *ast.ArrayComp:
		// Every element is the body evaluated once per iteration; the
		// loop's variables have no single value.
		if !seg.bracket || !l.loose {
			return nil
		}
		if name := l.nameOf(t.Body, e, depth+1); name != "" && name != seg.name {
			if _, isIndex := index(seg); !isIndex {
				return nil
			}
		}
		var vars []ast.Identifier
		for spec := &t.Spec; spec != nil; spec = spec.Outer {
			vars = append(vars, spec.VarName)
		}
		return l.walk(t.Body, e.with(vars, make([]ast.Node, len(vars))), rest, depth+1)
	case *ast.Import:
		if root := l.imported(t); root != nil {
			return l.walk(root, nil, segs, depth+1)
		}
	case *ast.Apply:
		if seg.bracket {
			return nil
		}
		if arg := libraryArg(t, seg.name); arg != nil {
			return l.walk(arg, e, rest, depth+1)
		}
	}
	return nil
}

// walkConcat finds element i of `left + right` when left is a list literal.
func (l *locator) walkConcat(b *ast.Binary, e env, i int, rest []segment, depth int) ast.Node {
	left, le := resolve(b.Left, e)
	arr, ok := left.(*ast.Array)
	if !ok {
		return nil
	}
	if i < len(arr.Elements) {
		return l.walk(arr.Elements[i].Expr, le, rest, depth+1)
	}
	return l.walk(b.Right, e, append([]segment{{name: strconv.Itoa(i - len(arr.Elements)), bracket: true}}, rest...), depth+1)
}

// nameOf returns the literal name of a list element: its name field, or
// the name argument of the library constructor that builds it.
func (l *locator) nameOf(n ast.Node, e env, depth int) string {
	l.steps--
	if depth > maxDepth || l.steps < 0 {
		return ""
	}
	n, e = resolve(n, e)
	switch t := n.(type) {
	case *ast.Object:
		for _, f := range t.Fields {
			if f.Kind != ast.ObjectLocal && fieldName(f) == "name" {
				if s, ok := f.Expr2.(*ast.LiteralString); ok {
					return s.Value
				}
			}
		}
	case *ast.ApplyBrace:
		if name := l.nameOf(t.Right, e, depth+1); name != "" {
			return name
		}
		return l.nameOf(t.Left, e, depth+1)
	case *ast.Binary:
		if t.Op != ast.BopPlus {
			return ""
		}
		if name := l.nameOf(t.Right, e, depth+1); name != "" {
			return name
		}
		return l.nameOf(t.Left, e, depth+1)
	case *ast.Apply:
		if arg := libraryArg(t, "name"); arg != nil {
			if s, ok := arg.(*ast.LiteralString); ok {
				return s.Value
			}
		}
	}
	return ""
}

func index(seg segment) (int, bool) {
	if !seg.bracket || seg.name == "" {
		return 0, false
	}
	i, err := strconv.Atoi(seg.name)
	return i, err == nil && i >= 0
}

func objectLocals(o *ast.Object, e env) env {
	var ids []ast.Identifier
	var nodes []ast.Node
	for _, f := range o.Fields {
		if f.Kind == ast.ObjectLocal && f.Id != nil {
			ids = append(ids, *f.Id)
			nodes = append(nodes, f.Expr2)
		}
	}
	if len(ids) == 0 {
		return e
	}
	return e.with(ids, nodes)
}

// paramAliases maps an output field to the constructor parameter it comes
// from where the two are spelled differently.
var paramAliases = map[string]string{"endpoints": "endpoint"}

// libraryArg returns the argument expression of a call to a stackc.libsonnet
// constructor (s.endpoint(...)) that becomes the output field key, or nil.
func libraryArg(call *ast.Apply, key string) ast.Node {
	target, ok := call.Target.(*ast.Index)
	if !ok || target.Id == nil {
		return nil
	}
	params, ok := librarySignatures()[string(*target.Id)]
	if !ok {
		return nil
	}
	param := key
	if alias, ok := paramAliases[key]; ok {
		param = alias
	}
	for _, a := range call.Arguments.Named {
		if string(a.Name) == param {
			return a.Arg
		}
	}
	for i, p := range params {
		if p == param && i < len(call.Arguments.Positional) {
			return call.Arguments.Positional[i].Expr
		}
	}
	return nil
}

// librarySignatures maps every constructor of stackc.libsonnet to its
// parameter names, read from the embedded library itself so the two cannot
// drift apart.
var librarySignatures = sync.OnceValue(func() map[string][]string {
	sigs := map[string][]string{}
	root, _, err := formatter.SnippetToRawAST(LibraryName, Library)
	if err != nil {
		panic("stackc.libsonnet does not parse: " + err.Error())
	}
	n, _ := resolve(root, nil)
	obj, ok := n.(*ast.Object)
	if !ok {
		panic("stackc.libsonnet is not an object")
	}
	for _, f := range obj.Fields {
		if f.Method == nil || f.Id == nil {
			continue
		}
		var params []string
		for _, p := range f.Method.Parameters {
			params = append(params, string(p.Name))
		}
		sigs[string(*f.Id)] = params
	}
	return sigs
})

func fieldName(f ast.ObjectField) string {
	switch f.Kind {
	case ast.ObjectFieldID:
		if f.Id != nil {
			return string(*f.Id)
		}
	case ast.ObjectFieldStr, ast.ObjectFieldExpr:
		if s, ok := f.Expr1.(*ast.LiteralString); ok {
			return s.Value
		}
	}
	return ""
}
