package guest

import (
	"strconv"
	"strings"
)

// Number is a JSON number, kept as its literal text so that no precision is
// lost and integers stay distinct from floats.
type Number string

// IsFloat reports whether the literal is a float in Python's sense: it has a
// fraction or an exponent ("1.0", "1e3"). "1" and "-0" are integers.
func (n Number) IsFloat() bool {
	return strings.ContainsAny(string(n), ".eE")
}

// Float64 returns the nearest double. Literals beyond the double range give
// ±Inf, as Python's float() does.
func (n Number) Float64() float64 {
	f, _ := strconv.ParseFloat(string(n), 64) // a range error still yields ±Inf or 0
	return f
}

// ParseNumber returns s as a Number if s is exactly one JSON number literal
// (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, no surrounding space).
func ParseNumber(s string) (Number, bool) {
	p := parser{data: []byte(s)}
	_, err := p.number()
	return Number(s), err == nil && p.pos == len(s)
}

// Member is one key and value of an Object.
type Member struct {
	Key   string
	Value any
}

// Object is a JSON object with its members in document order. A key that
// appears twice in the document keeps its first position and its last value,
// as in Python.
type Object []Member

// Get returns the value of key and whether the object has it.
func (o Object) Get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}
