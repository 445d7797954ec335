package simulate

// Expression templates. The rule files of a thousand SLOs hold tens of
// thousands of expressions but only a few dozen distinct ones up to the
// contents of their string literals (the service, SLO, job and endpoint
// names of the matchers). Parsing each distinct template once, and
// filling in each rule's own literals, gives every rule what keying and
// selecting it needs (its selectors and its canonical form) without a
// PromQL parse per rule; the full expression is parsed only for the rules
// that are evaluated (rule.parsed).

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/util/strutil"
)

// placeholderPrefix starts the contents a template gives its i-th string
// literal: valid as a label value, a regular expression and a label name,
// so the template parses wherever the literal stood.
const placeholderPrefix = "stackc_literal_"

// exprTemplate is one parsed expression template.
type exprTemplate struct {
	// printed is the template expression as PromQL prints it, its
	// placeholders numbered in the order of the literals in the text.
	printed string
	reads   []templateRead
	// identity is, per literal, the identity label whose matcher value
	// the literal is ("" for any other literal): canonical replaces it.
	identity []string
}

// templateRead is a selector of a template and how far back it reads;
// filled says whether its name or matchers hold placeholders.
type templateRead struct {
	read
	filled bool
}

// templates are the expression templates met while reading the input,
// by template text, and the regular expression matchers of the rules'
// selectors by type, name and value (compiling a regular expression costs
// more than the rest of a selector).
type templates struct {
	mu       sync.Mutex
	byText   map[string]*exprTemplate
	matchers map[[3]string]*labels.Matcher
	// canonical holds each canonical form once: the rules of SLOs of
	// one shape share theirs, and a thousand copies would be most of
	// the parsed rules' memory.
	canonical map[string]string
}

func newTemplates() *templates {
	return &templates{byText: map[string]*exprTemplate{}, matchers: map[[3]string]*labels.Matcher{}, canonical: map[string]string{}}
}

// intern returns the one copy of the canonical form c.
func (ts *templates) intern(c string) string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if prev, ok := ts.canonical[c]; ok {
		return prev
	}
	ts.canonical[c] = c
	return c
}

// split returns the template text of expr, its string literals' contents
// replaced by placeholders, and the literals' values; ok is false when the
// text is not one split handles (a placeholder-like literal, a line break
// in a quoted string), which is then parsed as it is.
func split(expr string) (tmpl string, lits []string, ok bool) {
	if strings.Contains(expr, placeholderPrefix) {
		return "", nil, false
	}
	var b strings.Builder
	b.Grow(len(expr))
	last := 0
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch c {
		case '#': // a comment, to the end of the line
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
			continue
		case '"', '\'', '`':
		default:
			continue
		}
		start := i
		for i++; ; i++ {
			if i >= len(expr) {
				return "", nil, false
			}
			if expr[i] == c {
				break
			}
			if c == '`' {
				continue
			}
			if expr[i] == '\n' {
				return "", nil, false
			}
			if expr[i] == '\\' {
				i++
			}
		}
		v, err := strutil.Unquote(expr[start : i+1])
		if err != nil {
			return "", nil, false
		}
		b.WriteString(expr[last : start+1])
		b.WriteString(placeholderPrefix)
		b.WriteString(strconv.Itoa(len(lits)))
		last = i
		lits = append(lits, v)
	}
	b.WriteString(expr[last:])
	return b.String(), lits, true
}

// literalIndex returns the index of the literal whose placeholder s is, or -1.
func literalIndex(s string) int {
	n, ok := strings.CutPrefix(s, placeholderPrefix)
	if !ok {
		return -1
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 {
		return -1
	}
	return i
}

// template returns the parsed template of text, which has n literals.
func (ts *templates) template(text string, n int) (*exprTemplate, error) {
	ts.mu.Lock()
	t, ok := ts.byText[text]
	ts.mu.Unlock()
	if ok {
		return t, nil
	}
	expr, err := promParser.ParseExpr(text)
	if err != nil {
		return nil, err
	}
	t = &exprTemplate{printed: expr.String(), identity: make([]string, n)}
	for _, rd := range reads(expr) {
		filled := literalIndex(rd.sel.Name) >= 0
		for _, m := range rd.sel.LabelMatchers {
			if i := literalIndex(m.Value); i >= 0 && i < n {
				filled = true
				if identityLabels[m.Name] {
					t.identity[i] = m.Name
				}
			}
			filled = filled || literalIndex(m.Name) >= 0
		}
		t.reads = append(t.reads, templateRead{rd, filled})
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if prev, ok := ts.byText[text]; ok {
		return prev, nil
	}
	ts.byText[text] = t
	return t, nil
}

// fill returns the selectors of the template with the literals lits, and
// the canonical form of the expression: the printed template and the
// literals, with the values of identity labels' matchers replaced.
func (ts *templates) fill(t *exprTemplate, lits []string) ([]read, string, error) {
	lit := func(s string) string {
		if i := literalIndex(s); i >= 0 && i < len(lits) {
			return lits[i]
		}
		return s
	}
	out := make([]read, len(t.reads))
	for j, tr := range t.reads {
		if !tr.filled {
			out[j] = tr.read
			continue
		}
		sel := *tr.sel // its offset and @ modifier
		vs := &sel
		vs.Name, vs.LabelMatchers = lit(tr.sel.Name), make([]*labels.Matcher, len(tr.sel.LabelMatchers))
		notEmpty := vs.Name != "" || tr.sel.BypassEmptyMatcherCheck
		for k, m := range tr.sel.LabelMatchers {
			name, value := lit(m.Name), lit(m.Value)
			var err error
			if vs.LabelMatchers[k], err = ts.matcher(m, name, value); err != nil {
				return nil, "", err
			}
			notEmpty = notEmpty || !vs.LabelMatchers[k].Matches("")
		}
		if !notEmpty {
			// What the parser says of the expression itself.
			return nil, "", fmt.Errorf("vector selector must contain at least one non-empty matcher")
		}
		out[j] = read{sel: vs, back: tr.back}
	}
	var b strings.Builder
	b.WriteString(t.printed)
	for i, v := range lits {
		if t.identity[i] != "" {
			fmt.Fprintf(&b, " <%s>", t.identity[i])
		} else {
			b.WriteString(" ")
			b.WriteString(strconv.Quote(v))
		}
	}
	return out, b.String(), nil
}

// matcher returns the matcher of tm's type with name and value: one for
// all the rules that use it (a regular expression costs more to compile
// than the rest of a selector, and an SLO's service and slo matchers
// stand in each of its rules).
func (ts *templates) matcher(tm *labels.Matcher, name, value string) (*labels.Matcher, error) {
	if name == tm.Name && value == tm.Value {
		return tm, nil
	}
	key := [3]string{tm.Type.String(), name, value}
	ts.mu.Lock()
	m, ok := ts.matchers[key]
	ts.mu.Unlock()
	if ok {
		return m, nil
	}
	m, err := labels.NewMatcher(tm.Type, name, value)
	if err != nil {
		return nil, err
	}
	ts.mu.Lock()
	ts.matchers[key] = m
	ts.mu.Unlock()
	return m, nil
}

// parseRule fills in r's selectors and canonical form from the template
// of its expression, or from the expression itself when it has none (or
// the template does not parse: the error is then the expression's own).
func (ts *templates) parseRule(r *rule) error {
	if text, lits, ok := split(r.Expr); ok {
		if t, err := ts.template(text, len(lits)); err == nil {
			r.reads, r.canonical, err = ts.fill(t, lits)
			r.canonical = ts.intern(r.canonical)
			return err
		}
	}
	expr, err := r.parsed()
	if err != nil {
		return err
	}
	// r is not shared yet: canonicalExpr may swap its matchers.
	r.reads, r.canonical = reads(expr), canonicalExpr(expr)
	return nil
}
