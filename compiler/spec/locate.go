package spec

import (
	"fmt"
	"regexp"

	jsonnet "github.com/google/go-jsonnet"
	"github.com/google/go-jsonnet/ast"
	"github.com/google/go-jsonnet/toolutils"
)

// locator finds, best effort, where in the spec's Jsonnet text the value at
// a JSON path is written. Values built by functions or comprehensions have
// no single place; then only the path is reported.
type locator struct {
	file string
	root ast.Node
}

func newLocator(file string, src []byte) *locator {
	if src == nil {
		return &locator{file: file}
	}
	root, err := jsonnet.SnippetToAST(file, string(src))
	if err != nil {
		return &locator{file: file}
	}
	return &locator{file: file, root: root}
}

var pathSegmentRE = regexp.MustCompile(`([^.\[\]]+)|\[([^\]]*)\]`)

// find returns "file:line:col" for a JSON path such as
// services[shop].slos[checkout-latency].threshold, or "" when the path's
// value cannot be traced to one place in the text.
//
// It walks the path narrowing a scope in the AST: a [name] segment narrows
// to the innermost object or call that has the string literal name as its
// name (field, named or first positional argument); a key narrows to the
// field or named argument of that name. The deepest scope reached is the
// answer, so a positional argument resolves to the call that holds it.
func (l *locator) find(path string) string {
	if l.root == nil || path == "" {
		return ""
	}
	scope := l.root
	matched := false
	for _, m := range pathSegmentRE.FindAllStringSubmatch(path, -1) {
		var next ast.Node
		if m[1] != "" {
			next = findKey(scope, m[1])
		} else if m[2] != "" && !isIndex(m[2]) {
			next = findNamed(scope, m[2])
		}
		if next != nil {
			scope = next
			matched = true
		}
	}
	if !matched {
		return ""
	}
	loc := scope.Loc()
	if loc == nil || !loc.IsSet() {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", l.file, loc.Begin.Line, loc.Begin.Column)
}

func isIndex(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// findKey returns the value of the first field or named argument called key
// below scope (breadth first, so the nearest one wins).
func findKey(scope ast.Node, key string) ast.Node {
	var found ast.Node
	walkBreadthFirst(scope, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Object:
			for _, f := range n.Fields {
				if fieldName(f) == key && f.Expr2 != nil {
					found = f.Expr2
					return false
				}
			}
		case *ast.Apply:
			for _, a := range n.Arguments.Named {
				if string(a.Name) == key {
					found = a.Arg
					return false
				}
			}
		}
		return true
	})
	return found
}

// findNamed returns the innermost object or call below scope whose name
// (field "name", named argument name=, or first positional argument) is the
// string literal name.
func findNamed(scope ast.Node, name string) ast.Node {
	var found ast.Node
	walkBreadthFirst(scope, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Object:
			for _, f := range n.Fields {
				if fieldName(f) == "name" && isString(f.Expr2, name) {
					found = n
					return false
				}
			}
		case *ast.Apply:
			for _, a := range n.Arguments.Named {
				if string(a.Name) == "name" && isString(a.Arg, name) {
					found = n
					return false
				}
			}
			if len(n.Arguments.Positional) > 0 && isString(n.Arguments.Positional[0].Expr, name) {
				found = n
				return false
			}
		}
		return true
	})
	return found
}

func fieldName(f ast.ObjectField) string {
	switch f.Kind {
	case ast.ObjectFieldID:
		if f.Id != nil {
			return string(*f.Id)
		}
	case ast.ObjectFieldStr:
		if s, ok := f.Expr1.(*ast.LiteralString); ok {
			return s.Value
		}
	}
	return ""
}

func isString(n ast.Node, value string) bool {
	s, ok := n.(*ast.LiteralString)
	return ok && s.Value == value
}

// walkBreadthFirst visits scope and its descendants nearest first until
// visit returns false.
func walkBreadthFirst(scope ast.Node, visit func(ast.Node) bool) {
	queue := []ast.Node{scope}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n == nil {
			continue
		}
		if !visit(n) {
			return
		}
		queue = append(queue, toolutils.Children(n)...)
	}
}
