package guesttest

import "wasmshim.dev/guest"

// SameJSON reports whether two parsed JSON values are equal the way case
// tables compare replies: object key order is ignored, an integer never
// equals a float, and numbers of the same kind compare by value.
func SameJSON(a, b any) bool {
	switch a := a.(type) {
	case guest.Number:
		b, ok := b.(guest.Number)
		if !ok || a.IsFloat() != b.IsFloat() {
			return false
		}
		if a.IsFloat() {
			return a.Float64() == b.Float64()
		}
		return canonicalInt(a) == canonicalInt(b)
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !SameJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	case guest.Object:
		b, ok := b.(guest.Object)
		if !ok || len(a) != len(b) {
			return false
		}
		for _, m := range a {
			v, ok := b.Get(m.Key)
			if !ok || !SameJSON(m.Value, v) {
				return false
			}
		}
		return true
	default: // nil, bool, string
		return a == b
	}
}

// canonicalInt spells an integer literal without a sign on zero.
func canonicalInt(n guest.Number) string {
	if n == "-0" {
		return "0"
	}
	return string(n)
}
