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
	if f, ok := n.exactFloat64(); ok {
		return f
	}
	f, _ := strconv.ParseFloat(string(n), 64) // a range error still yields ±Inf or 0
	return f
}

// exactPowers holds the powers of ten that float64 represents exactly.
var exactPowers = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// exactFloat64 is Clinger's fast path for a literal without an exponent:
// when its digits form an integer d below 2^53 and it has k <= 22 fraction
// digits, d and 10^k are exact doubles and d / 10^k is one correctly rounded
// division, the value ParseFloat computes. That covers the numbers people
// write; strconv's general path costs about 25,000 fuel per call under the
// host's metering, this one a few hundred. ok is false for other literals.
func (n Number) exactFloat64() (f float64, ok bool) {
	s := string(n)
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	var d uint64
	k, point := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			d = d*10 + uint64(c-'0')
			if d >= 1<<53 {
				return 0, false
			}
			if point {
				k++
			}
		case c == '.' && !point:
			point = true
		default: // an exponent, or not a number
			return 0, false
		}
	}
	if len(s) == 0 || k > 22 {
		return 0, false
	}
	f = float64(d) / exactPowers[k]
	if neg {
		f = -f
	}
	return f, true
}

// ParseNumber returns s as a Number if s is exactly one JSON number literal
// (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, no surrounding space).
func ParseNumber(s string) (Number, bool) {
	if n := plainNumberLength(s); n > 0 {
		return Number(s), n == len(s)
	}
	p := parser{data: s}
	return Number(s), p.numberLiteral() == nil && p.pos == len(s)
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
//
// Not inlined: under the host's fuel metering each step of the loop would
// cost a pass over the whole calling function.
//
//go:noinline
func (o Object) Get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}
