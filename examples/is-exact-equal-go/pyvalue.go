package main

import (
	"math"
	"strconv"

	"wasmshim.dev/guest"
)

// typeName is the Python type name of a JSON value.
func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case guest.Number:
		if v.IsFloat() {
			return "float"
		}
		return "int"
	case string:
		return "str"
	case []any:
		return "list"
	default:
		return "dict"
	}
}

// truthy is Python's bool() of a JSON value.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case guest.Number:
		if v.IsFloat() {
			return v.Float64() != 0
		}
		return v != "0" && v != "-0"
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	default:
		return len(v.(guest.Object)) > 0
	}
}

// intText is the decimal text of a JSON integer literal: JSON forbids
// leading zeros, so only "-0" needs fixing.
func intText(n guest.Number) string {
	if n == "-0" {
		return "0"
	}
	return string(n)
}

// numberKey spells a bool or number so that Python-equal numbers (1, 1.0,
// True) get the same key. ok is false for other values.
func numberKey(v any) (key string, ok bool) {
	switch v := v.(type) {
	case bool:
		if v {
			return "1", true
		}
		return "0", true
	case guest.Number:
		if !v.IsFloat() {
			return intText(v), true
		}
		return floatKey(v.Float64()), true
	}
	return "", false
}

// floatKey spells an integral float as the integer it equals, exactly.
func floatKey(f float64) string {
	switch {
	case f == 0:
		return "0"
	case f == math.Trunc(f) && !math.IsInf(f, 0):
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return "f" + guest.FormatFloat(f)
}

// pyEqual is Python's == on two JSON values: numbers and booleans compare by
// value, lists element by element, dicts by key set and values.
func pyEqual(a, b any) bool {
	ak, aNum := numberKey(a)
	bk, bNum := numberKey(b)
	if aNum || bNum {
		return aNum && bNum && ak == bk
	}
	switch a := a.(type) {
	case nil:
		return b == nil
	case string:
		b, ok := b.(string)
		return ok && a == b
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !pyEqual(a[i], b[i]) {
				return false
			}
		}
		return true
	default:
		b, ok := b.(guest.Object)
		return ok && objectDict(a.(guest.Object)).equal(objectDict(b))
	}
}
