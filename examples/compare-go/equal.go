package main

import (
	"math"
	"strings"

	"wasmshim.dev/guest"
)

// equal compares a response with an answer, recursively, with the same
// options at every level.
func (o *options) equal(response, answer any) bool {
	switch a := answer.(type) {
	case guest.Number:
		return o.equalNumber(response, a.Float64())
	case string:
		r, ok := response.(string)
		return ok && o.equalString(r, a)
	case bool:
		r, ok := response.(bool)
		return ok && r == a
	case nil:
		return response == nil
	case []any:
		r, ok := response.([]any)
		return ok && o.equalArray(r, a)
	case guest.Object:
		r, ok := response.(guest.Object)
		return ok && o.equalObject(r, a)
	}
	return false
}

// equalNumber accepts a number, or a string that is exactly a JSON number
// literal once trimmed (if trim is set), within atol + rtol*|answer|.
func (o *options) equalNumber(response any, answer float64) bool {
	var r float64
	switch v := response.(type) {
	case guest.Number:
		r = v.Float64()
	case string:
		n, ok := guest.ParseNumber(o.prepare(v))
		if !ok {
			return false
		}
		r = n.Float64()
	default:
		return false
	}
	// The explicit conversion rounds the product, so no fused multiply-add.
	return math.Abs(r-answer) <= o.atol+float64(o.rtol*math.Abs(answer))
}

func (o *options) equalString(response, answer string) bool {
	r, a := o.prepare(response), o.prepare(answer)
	if o.caseSensitive {
		return r == a
	}
	return equalFoldASCII(r, a)
}

func (o *options) equalArray(response, answer []any) bool {
	if len(response) != len(answer) {
		return false
	}
	for i := range answer {
		if !o.equal(response[i], answer[i]) {
			return false
		}
	}
	return true
}

// equalObject needs the same keys (objects carry no duplicate keys) and equal
// values for each.
func (o *options) equalObject(response, answer guest.Object) bool {
	if len(response) != len(answer) {
		return false
	}
	byKey := make(map[string]any, len(response))
	for _, m := range response {
		byKey[m.Key] = m.Value
	}
	for _, m := range answer {
		r, ok := byKey[m.Key]
		if !ok || !o.equal(r, m.Value) {
			return false
		}
	}
	return true
}

// prepare strips leading and trailing ASCII whitespace if trim is set.
func (o *options) prepare(s string) string {
	if o.trim {
		return strings.Trim(s, " \t\n\r")
	}
	return s
}

// equalFoldASCII compares two strings with ASCII letters folded to lower
// case; every other byte must match exactly.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
