package spec

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one error or warning in a spec. Pos is "file:line:col" when the
// offending value is written literally in the spec, and empty otherwise;
// Path is the JSON path of the value (services[shop].slos[checkout-latency]).
type Problem struct {
	Pos     string
	Path    string
	Message string
	// Hint is a one-line suggestion of how to fix it.
	Hint string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Pos != "" {
		b.WriteString(p.Pos)
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	if p.Hint != "" {
		b.WriteString("\n\tfix: ")
		b.WriteString(p.Hint)
	}
	return b.String()
}

// Error is every problem that makes a spec invalid, sorted by position.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// problems collects errors and warnings while a spec is checked.
type problems struct {
	errs, warns []Problem
}

func (ps *problems) errorf(path, hint, format string, args ...any) {
	ps.errs = append(ps.errs, Problem{Path: path, Message: fmt.Sprintf(format, args...), Hint: hint})
}

func (ps *problems) warnf(path, hint, format string, args ...any) {
	ps.warns = append(ps.warns, Problem{Path: path, Message: fmt.Sprintf(format, args...), Hint: hint})
}

// sortProblems orders problems by file position (line, then column), then path.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		fi, li, ci := splitPos(ps[i].Pos)
		fj, lj, cj := splitPos(ps[j].Pos)
		if fi != fj {
			return fi < fj
		}
		if li != lj {
			return li < lj
		}
		if ci != cj {
			return ci < cj
		}
		if ps[i].Path != ps[j].Path {
			return ps[i].Path < ps[j].Path
		}
		return ps[i].Message < ps[j].Message
	})
}

// splitPos splits "file:line:col"; a problem without position sorts last.
func splitPos(pos string) (file string, line, col int) {
	if pos == "" {
		return "\xff", 0, 0
	}
	i := strings.LastIndexByte(pos, ':')
	j := strings.LastIndexByte(pos[:max(i, 0)], ':')
	if i < 0 || j < 0 {
		return pos, 0, 0
	}
	fmt.Sscan(pos[j+1:i], &line)
	fmt.Sscan(pos[i+1:], &col)
	return pos[:j], line, col
}
