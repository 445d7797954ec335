package prometheus

import (
	"fmt"
	"strings"
	"sync"
)

// Pretty-printing every rule expression (parse, then Expr.Pretty) was the
// largest cost of the Prometheus target, and most expressions of a large
// spec differ from another one only in the label values they match on
// (service="svc1" vs service="svc2"). Pretty's layout depends on those
// values only through their length: it breaks a line where the printed
// expression grows past a width, and prints a simple value as it is. So
// prettyMemo lays out each expression once per layout key — the
// expression with every simple matcher value replaced by a placeholder of
// the same length — and fills the values back in.
//
// The key keeps everything else: the placeholders are upper-case letters,
// which no other string of the key may be, and an expression where a
// selector matches one label twice with one operator is not shared (Pretty
// sorts matchers as text, so their values would decide the order). The
// first expression of each key is also laid out directly and must agree,
// or the key is not shared.

// prettyMemoMax bounds the memo: a spec whose expressions share nothing
// stops adding layouts instead of holding every expression twice.
const prettyMemoMax = 20000

// prettyMemo shares layouts between the expressions of one build. It is
// safe for concurrent use.
type prettyMemo struct {
	mu      sync.Mutex
	layouts map[string]string
	// unshared marks keys whose first expression disagreed.
	unshared map[string]bool
}

// pretty returns expr in Prometheus's format, as prettyExpr does.
func (m *prettyMemo) pretty(expr string) (string, error) {
	key, values, ok := layoutKey(expr)
	if !ok {
		return prettyExpr(expr)
	}
	m.mu.Lock()
	layout, hit := m.layouts[key]
	skip := m.unshared[key]
	full := len(m.layouts) >= prettyMemoMax
	m.mu.Unlock()
	if hit {
		return fillLayout(layout, values)
	}
	direct, err := prettyExpr(expr)
	if err != nil || skip || full {
		return direct, err
	}
	layout, err = prettyExpr(key)
	var filled string
	if err == nil {
		filled, err = fillLayout(layout, values)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.layouts == nil {
		m.layouts, m.unshared = map[string]string{}, map[string]bool{}
	}
	if err == nil && filled == direct {
		m.layouts[key] = layout
	} else {
		m.unshared[key] = true
	}
	return direct, nil
}

// prettyExpr parses expr and prints it with Expr.Pretty, moved to the
// margin (dedent).
func prettyExpr(expr string) (string, error) {
	e, err := promql.ParseExpr(expr)
	if err != nil {
		return "", err
	}
	return dedent(e.Pretty(0)), nil
}

// isSimpleValue reports whether a matcher value is shared by layout:
// letters, digits, '_' and '-', which print as they are, in a string and
// in a regular expression alike.
func isSimpleValue(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func isPlaceholder(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 'A' || v[i] > 'Z' {
			return false
		}
	}
	return true
}

// placeholder writes index k in base 26 in exactly n upper-case letters,
// or reports that it does not fit.
func placeholder(k, n int) (string, bool) {
	b := make([]byte, n)
	for j := n - 1; j >= 0; j-- {
		b[j] = byte('A' + k%26)
		k /= 26
	}
	return string(b), k == 0
}

func placeholderIndex(p string) int {
	k := 0
	for i := 0; i < len(p); i++ {
		k = k*26 + int(p[i]-'A')
	}
	return k
}

// layoutKey replaces each simple matcher value of expr (see isSimpleValue)
// by a placeholder for its distinct value, of the same length, and returns
// the distinct values by placeholder index. ok is false for an expression
// the memo does not share.
func layoutKey(expr string) (key string, values []string, ok bool) {
	if strings.ContainsAny(expr, "'`") {
		return "", nil, false
	}
	index := map[string]int{}
	var out strings.Builder
	out.Grow(len(expr))
	var matched map[string]bool // name+operator of the current selector's matchers
	copied := 0
	for i := 0; i < len(expr); i++ {
		switch expr[i] {
		case '{':
			matched = map[string]bool{}
			continue
		case '}':
			matched = nil
			continue
		case '"':
		default:
			continue
		}
		end := i + 1
		for end < len(expr) && expr[end] != '"' {
			if expr[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(expr) {
			return "", nil, false
		}
		value := expr[i+1 : end]
		name, op := matcherBefore(expr[:i])
		switch {
		case op == "" || matched == nil:
			// A string that is not a matcher value stays, and must not be
			// mistaken for a placeholder.
			if isPlaceholder(value) {
				return "", nil, false
			}
		case matched[name+op]:
			return "", nil, false
		default:
			matched[name+op] = true
			if !isSimpleValue(value) {
				break
			}
			k, seen := index[value]
			if !seen {
				k = len(values)
				index[value] = k
				values = append(values, value)
			}
			p, fits := placeholder(k, len(value))
			if !fits {
				return "", nil, false
			}
			out.WriteString(expr[copied : i+1])
			out.WriteString(p)
			copied = end
		}
		i = end
	}
	out.WriteString(expr[copied:])
	return out.String(), values, true
}

// matcherBefore finds the label name and operator (=, !=, =~, !~) that
// end before (blanks allowed around the operator); empty when before does
// not end in a label matcher's operator.
func matcherBefore(before string) (name, op string) {
	s := strings.TrimRight(before, " ")
	switch {
	case strings.HasSuffix(s, "!="), strings.HasSuffix(s, "=~"), strings.HasSuffix(s, "!~"):
		op = s[len(s)-2:]
	case strings.HasSuffix(s, "="):
		op = "="
		if strings.HasSuffix(s, "==") {
			return "", ""
		}
	default:
		return "", ""
	}
	s = strings.TrimRight(s[:len(s)-len(op)], " ")
	j := len(s)
	for j > 0 && (s[j-1] >= 'a' && s[j-1] <= 'z' || s[j-1] >= 'A' && s[j-1] <= 'Z' || s[j-1] >= '0' && s[j-1] <= '9' || s[j-1] == '_') {
		j--
	}
	if j == len(s) {
		return "", ""
	}
	return s[j:], op
}

// fillLayout puts the values back for the placeholders of layout.
func fillLayout(layout string, values []string) (string, error) {
	var out strings.Builder
	out.Grow(len(layout))
	copied := 0
	for i := 0; i < len(layout); i++ {
		if layout[i] != '"' {
			continue
		}
		end := i + 1
		for end < len(layout) && layout[end] != '"' {
			if layout[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(layout) {
			return "", fmt.Errorf("internal: unterminated string in %q", layout)
		}
		if p := layout[i+1 : end]; isPlaceholder(p) {
			k := placeholderIndex(p)
			if k >= len(values) || len(values[k]) != len(p) {
				return "", fmt.Errorf("internal: placeholder %s of %q has no value", p, layout)
			}
			out.WriteString(layout[copied : i+1])
			out.WriteString(values[k])
			copied = end
		}
		i = end
	}
	out.WriteString(layout[copied:])
	return out.String(), nil
}
