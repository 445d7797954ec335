package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-jsonnet/ast"
	"github.com/google/go-jsonnet/toolutils"
)

// jsonnetHint suggests a fix for the Jsonnet errors people make most with
// stackc.libsonnet: a misspelt constructor, a misspelt or missing argument,
// an undefined variable. pos is where Jsonnet reported the error.
func (l *locator) jsonnetHint(pos, msg string) string {
	if strings.HasPrefix(msg, "couldn't open import ") {
		return hintForImport(msg)
	}
	if name, ok := strings.CutPrefix(msg, "Unknown variable: "); ok {
		return fmt.Sprintf("define it first (local %s = ...;) or check the spelling", name)
	}
	nodes := l.nodesAt(pos)
	for _, n := range nodes {
		switch n := n.(type) {
		case *ast.Apply:
			fn, params, ok := libraryFunc(n)
			if !ok {
				continue
			}
			sig := fmt.Sprintf("s.%s takes (%s)", fn, strings.Join(params, ", "))
			if arg, ok := strings.CutPrefix(msg, "function has no parameter "); ok {
				if near := nearest(arg, params); near != "" {
					return fmt.Sprintf("did you mean %s=? %s", near, sig)
				}
			}
			if strings.HasPrefix(msg, "function has no parameter ") || strings.HasPrefix(msg, "Missing argument: ") ||
				strings.HasPrefix(msg, "Too many arguments") || strings.Contains(msg, "Argument ") {
				return sig
			}
		case *ast.Index:
			field, ok := strings.CutPrefix(msg, "Field does not exist: ")
			if !ok || n.Id == nil || string(*n.Id) != field {
				continue
			}
			if _, known := librarySignatures()[field]; known {
				continue
			}
			names := constructorNames()
			if near := nearest(field, names); near != "" {
				return fmt.Sprintf("did you mean s.%s? stackc.libsonnet has %s", near, strings.Join(names, ", "))
			}
			return "stackc.libsonnet has " + strings.Join(names, ", ") + " (and stack, profile)"
		}
	}
	return ""
}

// nodesAt returns the nodes of the spec that begin exactly at pos
// ("file:line:col"), outermost first.
func (l *locator) nodesAt(pos string) []ast.Node {
	file, line, col := splitPos(pos)
	if l.root == nil || file != l.file || line == 0 {
		return nil
	}
	var out []ast.Node
	queue := []ast.Node{l.root}
	for steps := 0; len(queue) > 0 && steps < 1<<20; steps++ {
		n := queue[0]
		queue = queue[1:]
		if n == nil {
			continue
		}
		if loc := n.Loc(); loc != nil && loc.Begin.Line == line && loc.Begin.Column == col {
			out = append(out, n)
		}
		queue = append(queue, toolutils.Children(n)...)
	}
	return out
}

// libraryFunc names the stackc.libsonnet constructor a call applies.
func libraryFunc(call *ast.Apply) (string, []string, bool) {
	target, ok := call.Target.(*ast.Index)
	if !ok || target.Id == nil {
		return "", nil, false
	}
	params, ok := librarySignatures()[string(*target.Id)]
	return string(*target.Id), params, ok
}

func constructorNames() []string {
	var names []string
	for n := range librarySignatures() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// nearest returns the candidate within two edits of s, if there is one.
func nearest(s string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two short names.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
