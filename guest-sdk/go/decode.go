package guest

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// MaxDepth is the deepest nesting of arrays and objects a request body may
// have. Deeper input gives an error reply, never a crash.
const MaxDepth = 128

// indexThreshold is the member count from which an object being parsed gets a
// key index, so that duplicate-key checks stay linear on large objects.
const indexThreshold = 16

// SyntaxError describes input that is not a JSON document the SDK accepts.
type SyntaxError struct {
	// Offset is the byte offset where the problem was found.
	Offset int
	// Reason says what is wrong.
	Reason string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return "invalid JSON at byte " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// ParseJSON parses one JSON document (RFC 8259, no extensions) into nil, bool,
// Number, string, []any and Object values. It fails on invalid UTF-8, on
// nesting deeper than MaxDepth and on anything but whitespace after the value.
func ParseJSON(data []byte) (any, error) {
	return parse(data, 0)
}

// parse parses a document whose outermost value is at nesting level
// startDepth+1; values nested deeper than MaxDepth are refused.
func parse(data []byte, startDepth int) (any, error) {
	if !isASCII(data) && !utf8.Valid(data) {
		return nil, &SyntaxError{Offset: invalidUTF8Offset(data), Reason: "invalid UTF-8"}
	}
	// One copy of the whole document: every string and number in it is then a
	// substring, where converting each from the bytes would allocate (an
	// allocation costs about 10,000 fuel under the host's metering).
	p := parser{data: string(data), depth: startDepth}
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return nil, p.fail("unexpected data after the value")
	}
	return v, nil
}

// isASCII reports whether data is all ASCII, eight bytes per step: the
// common request, for which utf8.Valid would cost about 8,000 fuel.
func isASCII(data []byte) bool {
	i := 0
	for ; i+8 <= len(data); i += 8 {
		d := data[i : i+8 : i+8]
		if le64(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7])&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(data); i++ {
		if data[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func invalidUTF8Offset(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(data)
}

type parser struct {
	data  string
	pos   int
	depth int
	// Chunks of storage for boxing parsed values (see box).
	strings []string
	arrays  [][]any
	objects []Object
}

func (p *parser) fail(reason string) error {
	return &SyntaxError{Offset: p.pos, Reason: reason}
}

// peek returns the current byte, or 0 at the end of the input.
func (p *parser) peek() byte {
	if p.pos < len(p.data) {
		return p.data[p.pos]
	}
	return 0
}

// skipSpace is kept out of line, as are the other loops of the parser: under
// the host's fuel metering each branch a Go function takes costs about the
// size of the whole function, so a loop inlined into object() would cost a
// pass over object() per byte.
//
//go:noinline
func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value() (any, error) {
	switch c := p.peek(); {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.string()
		if err != nil {
			return nil, err
		}
		return p.boxString(s), nil
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	default:
		return p.literal()
	}
}

func (p *parser) literal() (any, error) {
	for _, lit := range [...]struct {
		text  string
		value any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if len(p.data)-p.pos >= len(lit.text) && p.data[p.pos:p.pos+len(lit.text)] == lit.text {
			p.pos += len(lit.text)
			return lit.value, nil
		}
	}
	if p.pos == len(p.data) {
		return nil, p.fail("unexpected end of input")
	}
	return nil, p.fail("expected a value")
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (p *parser) number() (any, error) {
	start := p.pos
	if n := plainNumberLength(p.data[start:]); n > 0 {
		p.pos += n
	} else if err := p.numberLiteral(); err != nil {
		return nil, err
	}
	if p.pos == start+1 {
		return smallNumbers[p.data[start]-'0'], nil // a single digit: no allocation
	}
	return box(&p.strings, any(Number("")), p.data[start:p.pos]), nil
}

// plainNumberLength returns the length of the literal at the start of s if it
// is -?(0|[1-9][0-9]*)(\.[0-9]+)? without an exponent, else 0. The common
// number in a small function of its own (see skipSpace); numberLiteral reads
// the others and reports the errors.
//
//go:noinline
func plainNumberLength(s string) int {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	first := i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i == first || (i-first > 1 && s[first] == '0') {
		return 0
	}
	if i < len(s) && s[i] == '.' {
		i++
		fraction := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == fraction {
			return 0
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		return 0
	}
	return i
}

// numberLiteral moves past a number literal, or fails where it is invalid.
//
//go:noinline
func (p *parser) numberLiteral() error {
	if p.peek() == '-' {
		p.pos++
	}
	switch c := p.peek(); {
	case c == '0':
		p.pos++
	case '1' <= c && c <= '9':
		p.digits()
	default:
		return p.fail("invalid number")
	}
	if p.peek() == '.' {
		p.pos++
		if !p.digits() {
			return p.fail("invalid number")
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if !p.digits() {
			return p.fail("invalid number")
		}
	}
	return nil
}

// Values stored in an interface without an allocation (boxing a string
// allocates, and an allocation costs about 10,000 fuel under the host's
// metering): the method names and the numbers 0 to 9.
var (
	boxedMethods = [...]any{"eval", "preview", "healthcheck"}
	smallNumbers = [...]any{Number("0"), Number("1"), Number("2"), Number("3"), Number("4"),
		Number("5"), Number("6"), Number("7"), Number("8"), Number("9")}
)

// boxString returns s as an interface value, shared for the method names.
func (p *parser) boxString(s string) any {
	switch s {
	case "eval":
		return boxedMethods[0]
	case "preview":
		return boxedMethods[1]
	case "healthcheck":
		return boxedMethods[2]
	}
	return box(&p.strings, any(""), s)
}

// boxChunk is how many values box stores per allocation.
const boxChunk = 32

// box returns v as an interface value of template's dynamic type (T itself)
// without an allocation per value. Go stores a string or slice in an interface
// as a type word and a pointer to a heap copy of the value, one allocation
// each, and under the host's fuel metering an allocation costs about 10,000
// fuel: a document with a hundred numbers would pay a million. box keeps the
// copies in chunks of boxChunk instead, and points the interface's data word
// at a slot. The chunk stays alive as long as any value in it (the garbage
// collector follows interior pointers). Not inlined, for the reason skipSpace
// gives.
//
//go:noinline
func box[T any](chunk *[]T, template any, v T) any {
	if len(*chunk) == 0 {
		*chunk = make([]T, boxChunk)
	}
	slot := &(*chunk)[0]
	*chunk = (*chunk)[1:]
	*slot = v
	// An empty interface is two words, the type and a pointer to the value;
	// template supplies the type (it holds a T, so the layout is T's).
	words := (*[2]unsafe.Pointer)(unsafe.Pointer(&template))
	words[1] = unsafe.Pointer(slot)
	return template
}

// digits skips ASCII digits and reports whether there was at least one.
//
//go:noinline
func (p *parser) digits() bool {
	start := p.pos
	for c := p.peek(); '0' <= c && c <= '9'; c = p.peek() {
		p.pos++
	}
	return p.pos > start
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return p.fail("nested deeper than " + strconv.Itoa(MaxDepth) + " levels")
	}
	p.pos++
	p.skipSpace()
	return nil
}

func (p *parser) array() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	if p.peek() == ']' {
		p.pos++
		p.depth--
		return []any{}, nil
	}
	// Room for a few elements at once: each growth is a call to growslice and
	// mallocgc, about 10,000 fuel apiece under the host's metering.
	elems := make([]any, 0, 4)
	for {
		p.skipSpace()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		elems = append(elems, v)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			p.depth--
			return box(&p.arrays, any([]any(nil)), elems), nil
		default:
			return nil, p.fail("expected ',' or ']'")
		}
	}
}

func (p *parser) object() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	if p.peek() == '}' {
		p.pos++
		p.depth--
		return Object{}, nil
	}
	b := objectBuilder{members: make(Object, 0, 4)} // as for arrays
	for {
		p.skipSpace()
		if p.peek() != '"' {
			return nil, p.fail("expected a string key")
		}
		key, err := p.string()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ':' {
			return nil, p.fail("expected ':'")
		}
		p.pos++
		p.skipSpace()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		b.set(key, v)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			p.depth--
			return box(&p.objects, any(Object(nil)), b.members), nil
		default:
			return nil, p.fail("expected ',' or '}'")
		}
	}
}

// string reads a string literal; the input is known to be valid UTF-8.
//
//go:noinline
func (p *parser) string() (string, error) {
	p.pos++
	start := p.pos
	p.pos += plainPrefix(p.data[start:]) // the common run of plain bytes, eight at a time
	if p.pos < len(p.data) && p.data[p.pos] == '"' {
		p.pos++
		return p.data[start : p.pos-1], nil
	}
	return p.stringRest(start)
}

// stringRest continues a string literal that started at start from its first
// byte that is not plain: non-ASCII, an escape, a control character or the
// end of the input.
//
//go:noinline
func (p *parser) stringRest(start int) (string, error) {
	for p.pos < len(p.data) {
		switch c := p.data[p.pos]; {
		case c == '"':
			s := p.data[start:p.pos]
			p.pos++
			return s, nil
		case c == '\\':
			return p.escapedString(append([]byte(nil), p.data[start:p.pos]...))
		case c < 0x20:
			return "", p.fail("control character in string")
		}
		p.pos++
	}
	return "", p.fail("unterminated string")
}

// escapedString continues a string literal at a backslash; buf holds the
// text before it.
func (p *parser) escapedString(buf []byte) (string, error) {
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), nil
		case c < 0x20:
			return "", p.fail("control character in string")
		case c != '\\':
			buf = append(buf, c)
			p.pos++
			continue
		}
		p.pos++
		if p.pos == len(p.data) {
			break
		}
		switch e := p.data[p.pos]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.unicodeEscape()
			if !ok {
				return "", p.fail(`invalid \u escape`)
			}
			buf = utf8.AppendRune(buf, r)
			continue
		default:
			return "", p.fail("invalid escape")
		}
		p.pos++
	}
	return "", p.fail("unterminated string")
}

// unicodeEscape reads the hex digits after `\u` (and a following low
// surrogate escape). A lone surrogate becomes U+FFFD.
func (p *parser) unicodeEscape() (rune, bool) {
	r, ok := hex4(p.data[p.pos+1:])
	if !ok {
		return 0, false
	}
	p.pos += 5
	if !utf16.IsSurrogate(r) {
		return r, true
	}
	rest := p.data[p.pos:]
	if r < 0xdc00 && len(rest) >= 6 && rest[0] == '\\' && rest[1] == 'u' {
		if low, ok := hex4(rest[2:]); ok && 0xdc00 <= low && low <= 0xdfff {
			p.pos += 6
			return utf16.DecodeRune(r, low), true
		}
	}
	return utf8.RuneError, true
}

func hex4(b string) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// objectBuilder collects members, resolving a repeated key as Python does:
// first position, last value.
type objectBuilder struct {
	members Object
	index   map[string]int
}

func (b *objectBuilder) set(key string, v any) {
	if b.index == nil {
		if i := b.members.index(key); i >= 0 {
			b.members[i].Value = v
			return
		}
		b.members = append(b.members, Member{key, v})
		if len(b.members) == indexThreshold {
			b.buildIndex()
		}
		return
	}
	if i, ok := b.index[key]; ok {
		b.members[i].Value = v
		return
	}
	b.members = append(b.members, Member{key, v})
	b.index[key] = len(b.members) - 1
}

// buildIndex indexes the members once the object has indexThreshold of them.
//
//go:noinline
func (b *objectBuilder) buildIndex() {
	b.index = make(map[string]int, 2*indexThreshold)
	for i, m := range b.members {
		b.index[m.Key] = i
	}
}

// index returns the position of key in o, or -1. A small function of its own
// (see skipSpace).
//
//go:noinline
func (o Object) index(key string) int {
	for i := range o {
		if o[i].Key == key {
			return i
		}
	}
	return -1
}
