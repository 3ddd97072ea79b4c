package main

import (
	"math"

	"wasmshim.dev/guest"
)

// casts are the constructors params.type can name.
var casts = map[string]func(any) (any, error){
	"float": toFloat,
	"int":   toInt,
	"str":   func(v any) (any, error) { return toStr(v), nil },
	"dict":  toDict,
}

// validTypes lists the names in the original's order, for the error reply.
var validTypes = []string{"float", "int", "str", "dict"}

// toInt is Python's int(v); the result is a pyInt.
func toInt(v any) (any, error) {
	switch v := v.(type) {
	case bool:
		if v {
			return pyInt("1"), nil
		}
		return pyInt("0"), nil
	case guest.Number:
		if !v.IsFloat() {
			return pyInt(intText(v)), nil
		}
		return truncate(v.Float64())
	case string:
		return parseInt(v)
	}
	return nil, typeError("int() argument must be a string, a bytes-like object or a real number, not '" + typeName(v) + "'")
}

// toFloat is Python's float(v); the result is a float64.
func toFloat(v any) (any, error) {
	switch v := v.(type) {
	case bool:
		if v {
			return 1.0, nil
		}
		return 0.0, nil
	case guest.Number:
		f := v.Float64()
		if !v.IsFloat() && math.IsInf(f, 0) {
			return nil, overflowError("int too large to convert to float")
		}
		return f, nil
	case string:
		return parseFloat(v)
	}
	return nil, typeError("float() argument must be a string or a real number, not '" + typeName(v) + "'")
}

// castEqual compares two results of the same cast with Python's ==.
func castEqual(a, b any) bool {
	switch a := a.(type) {
	case pyInt:
		return a == b.(pyInt)
	case float64:
		return a == b.(float64)
	case string:
		return a == b.(string)
	default:
		return a.(*pyDict).equal(b.(*pyDict))
	}
}
