package guest

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
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
	if !utf8.Valid(data) {
		return nil, &SyntaxError{Offset: invalidUTF8Offset(data), Reason: "invalid UTF-8"}
	}
	p := parser{data: data, depth: startDepth}
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
	data  []byte
	pos   int
	depth int
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
		return s, nil
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
		if len(p.data)-p.pos >= len(lit.text) && string(p.data[p.pos:p.pos+len(lit.text)]) == lit.text {
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
	if p.peek() == '-' {
		p.pos++
	}
	switch c := p.peek(); {
	case c == '0':
		p.pos++
	case '1' <= c && c <= '9':
		p.digits()
	default:
		return nil, p.fail("invalid number")
	}
	if p.peek() == '.' {
		p.pos++
		if !p.digits() {
			return nil, p.fail("invalid number")
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if !p.digits() {
			return nil, p.fail("invalid number")
		}
	}
	return Number(p.data[start:p.pos]), nil
}

// digits skips ASCII digits and reports whether there was at least one.
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
	elems := []any{}
	if p.peek() == ']' {
		p.pos++
		p.depth--
		return elems, nil
	}
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
			return elems, nil
		default:
			return nil, p.fail("expected ',' or ']'")
		}
	}
}

func (p *parser) object() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	var b objectBuilder
	if p.peek() == '}' {
		p.pos++
		p.depth--
		return Object{}, nil
	}
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
			return b.members, nil
		default:
			return nil, p.fail("expected ',' or '}'")
		}
	}
}

// string reads a string literal; the input is known to be valid UTF-8.
func (p *parser) string() (string, error) {
	p.pos++
	start := p.pos
	for p.pos < len(p.data) {
		switch c := p.data[p.pos]; {
		case c == '"':
			s := string(p.data[start:p.pos])
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

func hex4(b []byte) (rune, bool) {
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
	if i, ok := b.find(key); ok {
		b.members[i].Value = v
		return
	}
	b.members = append(b.members, Member{key, v})
	switch {
	case b.index != nil:
		b.index[key] = len(b.members) - 1
	case len(b.members) == indexThreshold:
		b.index = make(map[string]int, 2*indexThreshold)
		for i, m := range b.members {
			b.index[m.Key] = i
		}
	}
}

func (b *objectBuilder) find(key string) (int, bool) {
	if b.index != nil {
		i, ok := b.index[key]
		return i, ok
	}
	for i, m := range b.members {
		if m.Key == key {
			return i, true
		}
	}
	return 0, false
}
