package artifact

import (
	"bytes"
	"encoding"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// The fast encoder writes the block YAML that yaml.v3's Encoder (indent 2)
// writes, byte for byte, for the values the targets encode: structs with
// yaml tags, maps with string keys, slices, strings, numbers, booleans,
// pointers and yaml.Marshaler/encoding.TextMarshaler values. It exists
// because yaml.v3's emitter, event by event and byte by byte, was the
// largest cost of a build (tens of MB of rules and rule tests). Anything
// else — a yaml.Node, a flow or inline field, a non-string map key, a
// string that needs yaml.v3's rarer scalar forms (non-ASCII text, control
// characters, tabs, block scalars that need indentation or keep hints) —
// makes it give up with errSlowPath, and YAML encodes the whole document
// with yaml.v3 instead. The tests compare both encoders on generated and
// fuzzed values.
//
// The rules below follow yaml.v3 v3.0.5: encode.go (marshal, stringv,
// floatv, structv), emitterc.go (yaml_emitter_analyze_scalar,
// yaml_emitter_select_scalar_style and the scalar writers), resolve.go
// (resolve) and sorter.go (keyList.Less).

// errSlowPath says that the fast encoder does not handle a value.
var errSlowPath = errors.New("artifact: value needs yaml.v3's encoder")

var (
	nodeType          = reflect.TypeFor[yaml.Node]()
	timeType          = reflect.TypeFor[time.Time]()
	durationType      = reflect.TypeFor[time.Duration]()
	marshalerType     = reflect.TypeFor[yaml.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType      = reflect.TypeFor[yaml.IsZeroer]()
)

// fastYAML appends the YAML of v to buf, or returns errSlowPath.
func fastYAML(buf *bytes.Buffer, v any) (err error) {
	defer func() {
		// yaml.v3 reports a Marshaler's failure by panicking too; a panic
		// here sends the document to yaml.v3, which reports it its way.
		if r := recover(); r != nil {
			err = errSlowPath
		}
	}()
	e := fastEncoder{buf: buf}
	val, k, err := e.resolve(reflect.ValueOf(v))
	if err != nil {
		return err
	}
	switch k {
	case kindMapping:
		if e.isEmpty(val, k) {
			return errSlowPath
		}
		return e.mapping(val, 0, false)
	default:
		return errSlowPath
	}
}

type fastEncoder struct {
	buf *bytes.Buffer
}

// The kinds of YAML node a Go value becomes.
const (
	kindNull = iota
	kindScalar
	kindMapping
	kindSequence
)

// resolve follows yaml.v3's marshal: nil pointers are null, Marshalers and
// TextMarshalers are replaced by what they return, pointers and interfaces
// are followed. It returns the value to write and its kind; a scalar's
// value is its final string form (see scalarText).
func (e *fastEncoder) resolve(v reflect.Value) (reflect.Value, int, error) {
	for {
		if !v.IsValid() || v.Kind() == reflect.Pointer && v.IsNil() {
			return v, kindNull, nil
		}
		if v.Kind() == reflect.Interface {
			// yaml.v3 looks at the dynamic value.
			if v.IsNil() {
				return v, kindNull, nil
			}
			v = v.Elem()
			continue
		}
		t := v.Type()
		switch {
		case t == nodeType || t == reflect.PointerTo(nodeType) || t == timeType || t == reflect.PointerTo(timeType):
			return v, 0, errSlowPath
		case t == durationType:
			return reflect.ValueOf(time.Duration(v.Int()).String()), kindScalar, nil
		case t.Implements(marshalerType):
			out, err := v.Interface().(yaml.Marshaler).MarshalYAML()
			if err != nil {
				return v, 0, errSlowPath
			}
			if out == nil {
				return v, kindNull, nil
			}
			v = reflect.ValueOf(out)
			continue
		case t.Implements(textMarshalerType):
			text, err := v.Interface().(encoding.TextMarshaler).MarshalText()
			if err != nil {
				return v, 0, errSlowPath
			}
			return reflect.ValueOf(string(text)), kindScalar, nil
		}
		switch v.Kind() {
		case reflect.Pointer:
			v = v.Elem()
		case reflect.Map:
			if t.Key().Kind() != reflect.String {
				return v, 0, errSlowPath
			}
			return v, kindMapping, nil
		case reflect.Struct:
			return v, kindMapping, nil
		case reflect.Slice, reflect.Array:
			return v, kindSequence, nil
		case reflect.String, reflect.Bool,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
			reflect.Float32, reflect.Float64:
			return v, kindScalar, nil
		default:
			return v, 0, errSlowPath
		}
	}
}

// isEmpty reports whether a mapping or sequence has no entries ({} or []).
func (e *fastEncoder) isEmpty(v reflect.Value, k int) bool {
	switch {
	case k == kindSequence:
		return v.Len() == 0
	case k == kindMapping && v.Kind() == reflect.Map:
		return v.Len() == 0
	case k == kindMapping:
		fields, err := structFields(v.Type())
		if err != nil {
			return false
		}
		for _, f := range fields {
			if !f.omitEmpty || !isZero(v.Field(f.index)) {
				return false
			}
		}
		return true
	}
	return false
}

// entry is one key and value of a mapping.
type entry struct {
	key   string
	value reflect.Value
	flow  bool
}

// entries lists a struct's fields (without the omitted empty ones) or a
// map's entries in yaml.v3's key order.
func (e *fastEncoder) entries(v reflect.Value) ([]entry, error) {
	if v.Kind() == reflect.Map {
		out := make([]entry, 0, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			out = append(out, entry{key: iter.Key().String(), value: iter.Value()})
		}
		slices.SortFunc(out, func(a, b entry) int {
			switch {
			case keyLess(a.key, b.key):
				return -1
			case keyLess(b.key, a.key):
				return 1
			}
			return 0
		})
		return out, nil
	}
	fields, err := structFields(v.Type())
	if err != nil {
		return nil, err
	}
	out := make([]entry, 0, len(fields))
	for _, f := range fields {
		fv := v.Field(f.index)
		if f.omitEmpty && isZero(fv) {
			continue
		}
		out = append(out, entry{f.key, fv, f.flow})
	}
	return out, nil
}

// mapping writes the non-empty mapping v with its keys at column indent;
// inline says that the first key goes on the current line, after "- ".
func (e *fastEncoder) mapping(v reflect.Value, indent int, inline bool) error {
	entries, err := e.entries(v)
	if err != nil {
		return err
	}
	for i, en := range entries {
		if !plainKey(en.key) {
			return errSlowPath
		}
		if i > 0 || !inline {
			e.spaces(indent)
		}
		e.buf.WriteString(en.key)
		e.buf.WriteByte(':')
		if en.flow {
			if err := e.flowSequence(en.value); err != nil {
				return err
			}
			continue
		}
		if err := e.value(en.value, indent); err != nil {
			return err
		}
	}
	return nil
}

// value writes v after "key:" or "-" whose column is indent, through the
// end of its last line.
func (e *fastEncoder) value(v reflect.Value, indent int) error {
	v, k, err := e.resolve(v)
	if err != nil {
		return err
	}
	switch {
	case k == kindNull:
		e.buf.WriteString(" null\n")
	case k == kindScalar:
		return e.scalar(v, indent+2)
	case e.isEmpty(v, k) && k == kindMapping:
		e.buf.WriteString(" {}\n")
	case e.isEmpty(v, k):
		e.buf.WriteString(" []\n")
	case k == kindMapping:
		e.buf.WriteByte('\n')
		return e.mapping(v, indent+2, false)
	default:
		e.buf.WriteByte('\n')
		return e.sequence(v, indent+2)
	}
	return nil
}

// sequence writes the non-empty sequence v with its dashes at column indent.
func (e *fastEncoder) sequence(v reflect.Value, indent int) error {
	for i := range v.Len() {
		e.spaces(indent)
		e.buf.WriteByte('-')
		item, k, err := e.resolve(v.Index(i))
		if err != nil {
			return err
		}
		switch {
		case k == kindMapping && !e.isEmpty(item, k):
			e.buf.WriteByte(' ')
			if err := e.mapping(item, indent+2, true); err != nil {
				return err
			}
		case k == kindSequence && !e.isEmpty(item, k):
			// "- - item": not written by the targets.
			return errSlowPath
		default:
			if err := e.value(item, indent); err != nil {
				return err
			}
		}
	}
	return nil
}

// flowSequence writes a ,flow field that is a sequence of strings or
// numbers as " [a, b]\n"; other flow values go to yaml.v3.
func (e *fastEncoder) flowSequence(v reflect.Value) error {
	v, k, err := e.resolve(v)
	if err != nil {
		return err
	}
	if k != kindSequence {
		return errSlowPath
	}
	e.buf.WriteString(" [")
	for i := range v.Len() {
		item, k, err := e.resolve(v.Index(i))
		if err != nil {
			return err
		}
		if k != kindScalar {
			return errSlowPath
		}
		if i > 0 {
			e.buf.WriteString(", ")
		}
		if item.Kind() != reflect.String {
			var tmp bytes.Buffer
			sub := fastEncoder{buf: &tmp}
			if err := sub.scalar(item, 0); err != nil {
				return err
			}
			// scalar wrote " text\n".
			e.buf.Write(bytes.TrimSpace(tmp.Bytes()))
			continue
		}
		if err := e.flowString(item.String()); err != nil {
			return err
		}
	}
	e.buf.WriteString("]\n")
	return nil
}

// flowString writes s inside a flow sequence: yaml.v3's stringv asks for
// the plain style unless s would read as another type (then double
// quotes) or has a line break (double quotes in flow), and the emitter
// falls back to single and then double quotes by its flow rules.
func (e *fastEncoder) flowString(s string) error {
	a, ok := analyze(s)
	if !ok || strings.Contains(s, "\n") {
		return errSlowPath
	}
	style := styleDouble
	if resolvesToString(s) && !isBase60Float(s) && !isOldBool(s) {
		style = stylePlain
	}
	if style == stylePlain && (!a.flowPlainAllowed || s == "") {
		style = styleSingle
	}
	if style == styleSingle && !a.singleQuotedAllowed {
		style = styleDouble
	}
	e.writeQuoted(s, style)
	return nil
}

func (e *fastEncoder) spaces(n int) {
	const blanks = "                                                                "
	for n > len(blanks) {
		e.buf.WriteString(blanks)
		n -= len(blanks)
	}
	e.buf.WriteString(blanks[:n])
}

// scalar writes " " and the scalar v (resolved) through the end of its
// line; a literal block's lines are indented to column indent.
func (e *fastEncoder) scalar(v reflect.Value, indent int) error {
	var s string
	switch v.Kind() {
	case reflect.String:
		s = v.String()
	case reflect.Bool:
		s = strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s = strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		s = strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		precision := 64
		if v.Kind() == reflect.Float32 {
			precision = 32
		}
		s = strconv.FormatFloat(v.Float(), 'g', -1, precision)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
	default:
		return errSlowPath
	}
	if v.Kind() != reflect.String {
		// Numbers and booleans are plain, and none of them needs quoting.
		e.buf.WriteByte(' ')
		e.buf.WriteString(s)
		e.buf.WriteByte('\n')
		return nil
	}
	return e.stringScalar(s, indent)
}

// Scalar styles (yaml_*_SCALAR_STYLE).
const (
	stylePlain = iota
	styleSingle
	styleDouble
	styleLiteral
)

// stringScalar writes the string s as yaml.v3's stringv and the emitter
// would in a block mapping value or sequence item.
func (e *fastEncoder) stringScalar(s string, indent int) error {
	a, ok := analyze(s)
	if !ok {
		return errSlowPath
	}
	// stringv: the requested style.
	var style int
	switch {
	case strings.Contains(s, "\n"):
		style = styleLiteral
	case resolvesToString(s) && !isBase60Float(s) && !isOldBool(s):
		style = stylePlain
	default:
		style = styleDouble
	}
	// yaml_emitter_select_scalar_style, block context, not a key.
	if style == stylePlain && !a.blockPlainAllowed {
		style = styleSingle
	}
	if style == styleSingle && !a.singleQuotedAllowed {
		style = styleDouble
	}
	if style == styleLiteral && !a.blockAllowed {
		style = styleDouble
	}
	e.buf.WriteByte(' ')
	switch style {
	case stylePlain, styleSingle, styleDouble:
		e.writeQuoted(s, style)
	case styleLiteral:
		// Only the strip form (|-, no final line break) without an
		// indentation hint (no leading blank or break) is written here.
		if s[0] == ' ' || s[0] == '\n' || s[len(s)-1] == '\n' {
			return errSlowPath
		}
		e.buf.WriteString("|-\n")
		for line := range strings.SplitSeq(s, "\n") {
			if line != "" {
				e.spaces(indent)
				e.buf.WriteString(line)
			}
			e.buf.WriteByte('\n')
		}
		return nil
	}
	e.buf.WriteByte('\n')
	return nil
}

// writeQuoted writes s in the plain, single- or double-quoted style
// (printable ASCII and line breaks, no line folding).
func (e *fastEncoder) writeQuoted(s string, style int) {
	switch style {
	case stylePlain:
		e.buf.WriteString(s)
	case styleSingle:
		e.buf.WriteByte('\'')
		e.buf.WriteString(strings.ReplaceAll(s, "'", "''"))
		e.buf.WriteByte('\'')
	default:
		e.buf.WriteByte('"')
		for i := 0; i < len(s); i++ {
			switch c := s[i]; c {
			case '\n':
				e.buf.WriteString(`\n`)
			case '"':
				e.buf.WriteString(`\"`)
			case '\\':
				e.buf.WriteString(`\\`)
			default:
				e.buf.WriteByte(c)
			}
		}
		e.buf.WriteByte('"')
	}
}

// plainKey reports whether a mapping key is written as it is: the fast
// encoder writes no quoted or complex keys.
func plainKey(k string) bool {
	if k == "" || len(k) > 128 || strings.Contains(k, "\n") {
		return false
	}
	a, ok := analyze(k)
	return ok && a.blockPlainAllowed && resolvesToString(k) && !isBase60Float(k) && !isOldBool(k)
}

// analysis is what yaml_emitter_analyze_scalar finds about a scalar.
type analysis struct {
	blockPlainAllowed, flowPlainAllowed, singleQuotedAllowed, blockAllowed bool
}

// analyze is yaml_emitter_analyze_scalar for printable ASCII and line
// breaks; other text (ok false) goes to yaml.v3.
func analyze(s string) (a analysis, ok bool) {
	if s == "" {
		return analysis{blockPlainAllowed: true, singleQuotedAllowed: true}, true
	}
	var (
		flowIndicators                                           bool
		blockIndicators, lineBreaks                              bool
		leadingSpace, leadingBreak, trailingSpace, trailingBreak bool
		breakSpace, spaceBreak, previousSpace, previousBreak     bool
		precededByWhitespace                                     = true
	)
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		blockIndicators = true
		flowIndicators = true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\n' && (c < 0x20 || c > 0x7e) {
			return a, false
		}
		followedByWhitespace := i+1 >= len(s) || s[i+1] == ' ' || s[i+1] == '\n'
		if i == 0 {
			switch c {
			case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
				flowIndicators = true
				blockIndicators = true
			case '?', ':':
				flowIndicators = true
				if followedByWhitespace {
					blockIndicators = true
				}
			case '-':
				if followedByWhitespace {
					flowIndicators = true
					blockIndicators = true
				}
			}
		} else {
			switch c {
			case ',', '?', '[', ']', '{', '}':
				flowIndicators = true
			case ':':
				flowIndicators = true
				if followedByWhitespace {
					blockIndicators = true
				}
			case '#':
				if precededByWhitespace {
					flowIndicators = true
					blockIndicators = true
				}
			}
		}
		switch c {
		case ' ':
			if i == 0 {
				leadingSpace = true
			}
			if i == len(s)-1 {
				trailingSpace = true
			}
			if previousBreak {
				breakSpace = true
			}
			previousSpace, previousBreak = true, false
		case '\n':
			lineBreaks = true
			if i == 0 {
				leadingBreak = true
			}
			if i == len(s)-1 {
				trailingBreak = true
			}
			if previousSpace {
				spaceBreak = true
			}
			previousSpace, previousBreak = false, true
		default:
			previousSpace, previousBreak = false, false
		}
		precededByWhitespace = c == ' ' || c == '\n'
	}
	a = analysis{blockPlainAllowed: true, flowPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: true}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak {
		a.blockPlainAllowed = false
		a.flowPlainAllowed = false
	}
	if trailingSpace {
		a.blockAllowed = false
	}
	if breakSpace || spaceBreak {
		a.blockPlainAllowed = false
		a.flowPlainAllowed = false
		a.singleQuotedAllowed = false
	}
	if spaceBreak {
		a.blockAllowed = false
	}
	if lineBreaks {
		a.blockPlainAllowed = false
		a.flowPlainAllowed = false
	}
	if blockIndicators {
		a.blockPlainAllowed = false
	}
	if flowIndicators {
		a.flowPlainAllowed = false
	}
	return a, true
}

// resolvesToString reports whether yaml.v3's resolve reads the plain
// scalar s as a string (resolve.go).
func resolvesToString(s string) bool {
	if s == "" {
		return false // null
	}
	// resolve consults its table of special words only for the first
	// characters of its resolveTable (so "<<" is a plain string here).
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "~", "null", "Null", "NULL",
		".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
		"-.inf", "-.Inf", "-.INF":
		return false
	}
	switch c := s[0]; {
	case c == '.':
		_, err := strconv.ParseFloat(s, 64)
		return err != nil
	case c == '+' || c == '-' || c >= '0' && c <= '9':
		if isTimestamp(s) {
			return false
		}
		plain := strings.ReplaceAll(s, "_", "")
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return false
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return false
		}
		if yamlStyleFloat.MatchString(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return false
			}
		}
		for _, p := range []struct {
			prefix string
			base   int
		}{{"0b", 2}, {"-0b", 2}, {"0o", 8}, {"-0o", 8}} {
			if digits, ok := strings.CutPrefix(plain, p.prefix); ok {
				if p.prefix[0] == '-' {
					digits = "-" + digits
				}
				if _, err := strconv.ParseInt(digits, p.base, 64); err == nil {
					return false
				}
				if p.prefix[0] != '-' {
					if _, err := strconv.ParseUint(digits, p.base, 64); err == nil {
						return false
					}
				}
			}
		}
	}
	return true
}

var yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// isTimestamp is resolve.go's parseTimestamp succeeding.
func isTimestamp(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, format := range []string{
		"2006-1-2T15:4:5.999999999Z07:00",
		"2006-1-2t15:4:5.999999999Z07:00",
		"2006-1-2 15:4:5.999999999",
		"2006-1-2",
	} {
		if _, err := time.Parse(format, s); err == nil {
			return true
		}
	}
	return false
}

var base60float = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`)

func isBase60Float(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	if !(c == '+' || c == '-' || c >= '0' && c <= '9') || strings.IndexByte(s, ':') < 0 {
		return false
	}
	return base60float.MatchString(s)
}

func isOldBool(s string) bool {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
		"n", "N", "no", "No", "NO", "off", "Off", "OFF":
		return true
	}
	return false
}

// keyLess is sorter.go's keyList.Less for two string keys: letters before
// digits after a common prefix, and digit runs compared as numbers.
func keyLess(a, b string) bool {
	ar, br := []rune(a), []rune(b)
	digits := false
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			digits = unicode.IsDigit(ar[i])
			continue
		}
		al := unicode.IsLetter(ar[i])
		bl := unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			if digits {
				return al
			}
			return bl
		}
		var ai, bi int
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an = 1
					bn = 1
					break
				}
			}
		}
		for ai = i; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for bi = i; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

// field is one encoded struct field (yaml.go's getStructInfo).
type field struct {
	key       string
	index     int
	omitEmpty bool
	// flow writes a sequence of scalars on one line: [a, b].
	flow bool
}

var structFieldsCache sync.Map // reflect.Type → []field or error

// structFields lists the fields yaml.v3 encodes of struct type t, in
// order; flow and inline fields send the value to yaml.v3.
func structFields(t reflect.Type) ([]field, error) {
	if c, ok := structFieldsCache.Load(t); ok {
		if fs, ok := c.([]field); ok {
			return fs, nil
		}
		return nil, errSlowPath
	}
	var fs []field
	seen := map[string]bool{}
	var err error
	for i := range t.NumField() {
		f := t.Field(i)
		if f.PkgPath != "" && !f.Anonymous {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "" && !strings.Contains(string(f.Tag), ":") {
			tag = string(f.Tag)
		}
		if tag == "-" {
			continue
		}
		name, flags, _ := strings.Cut(tag, ",")
		fi := field{key: name, index: i}
		for flag := range strings.SplitSeq(flags, ",") {
			switch flag {
			case "":
			case "omitempty":
				fi.omitEmpty = true
			case "flow":
				fi.flow = true
			default: // inline, or an error yaml.v3 reports
				err = errSlowPath
			}
		}
		if fi.key == "" {
			fi.key = strings.ToLower(f.Name)
		}
		if seen[fi.key] {
			err = errSlowPath
		}
		seen[fi.key] = true
		fs = append(fs, fi)
	}
	if err != nil {
		structFieldsCache.Store(t, err)
		return nil, err
	}
	structFieldsCache.Store(t, fs)
	return fs, nil
}

// isZero is yaml.go's isZero, which decides omitempty.
func isZero(v reflect.Value) bool {
	kind := v.Kind()
	if v.Type().Implements(isZeroerType) {
		if (kind == reflect.Pointer || kind == reflect.Interface) && v.IsNil() {
			return true
		}
		return v.Interface().(yaml.IsZeroer).IsZero()
	}
	switch kind {
	case reflect.String:
		return v.Len() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Struct:
		vt := v.Type()
		for i := v.NumField() - 1; i >= 0; i-- {
			if vt.Field(i).PkgPath != "" {
				continue
			}
			if !isZero(v.Field(i)) {
				return false
			}
		}
		return true
	}
	return false
}
