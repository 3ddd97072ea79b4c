package main

import (
	"strconv"

	"wasmshim.dev/guest"
)

// pyDict is a Python dict built from JSON values: keys are None, bools,
// numbers or strings, and Python-equal keys (1, 1.0, True) are one key.
type pyDict struct {
	keys   []any
	values []any
	index  map[string]int // hash key → position
}

func newDict() *pyDict {
	return &pyDict{index: map[string]int{}}
}

// hashKey spells a hashable value so that equal values share a spelling;
// lists and dicts are unhashable.
func hashKey(v any) (string, error) {
	if k, ok := numberKey(v); ok {
		return "n" + k, nil
	}
	switch v := v.(type) {
	case nil:
		return "None", nil
	case string:
		return "s" + v, nil
	}
	return "", typeError("unhashable type: '" + typeName(v) + "'")
}

// set stores value under key; an equal key keeps its first spelling and
// position, as in Python.
func (d *pyDict) set(key, value any) error {
	h, err := hashKey(key)
	if err != nil {
		return err
	}
	if i, ok := d.index[h]; ok {
		d.values[i] = value
		return nil
	}
	d.index[h] = len(d.keys)
	d.keys = append(d.keys, key)
	d.values = append(d.values, value)
	return nil
}

// equal is Python's == on dicts: the same keys, and equal values for each.
func (d *pyDict) equal(other *pyDict) bool {
	if len(d.keys) != len(other.keys) {
		return false
	}
	for h, i := range d.index {
		j, ok := other.index[h]
		if !ok || !pyEqual(d.values[i], other.values[j]) {
			return false
		}
	}
	return true
}

// objectDict is dict(o) for a JSON object: a copy with string keys.
func objectDict(o guest.Object) *pyDict {
	d := newDict()
	for _, m := range o {
		d.set(m.Key, m.Value) // string keys are always hashable
	}
	return d
}

// toDict is Python's dict(v).
func toDict(v any) (any, error) {
	switch v := v.(type) {
	case guest.Object:
		return objectDict(v), nil
	case []any:
		return pairsDict(v)
	case string:
		if v == "" {
			return newDict(), nil
		}
		// Each element of a non-empty string is a one-character string.
		return nil, valueError("dictionary update sequence element #0 has length 1; 2 is required")
	}
	return nil, typeError("'" + typeName(v) + "' object is not iterable")
}

// pairsDict is dict() of a list: every element must be a sequence of two
// items, a key and a value.
func pairsDict(items []any) (any, error) {
	d := newDict()
	for i, item := range items {
		pair, ok := sequence(item)
		n := strconv.Itoa(i)
		if !ok {
			return nil, typeError("cannot convert dictionary update sequence element #" + n + " to a sequence")
		}
		if len(pair) != 2 {
			return nil, valueError("dictionary update sequence element #" + n + " has length " + strconv.Itoa(len(pair)) + "; 2 is required")
		}
		if err := d.set(pair[0], pair[1]); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// sequence lists the items Python gets by iterating v: a list's elements, a
// string's characters, a dict's keys. Other values are not iterable.
func sequence(v any) ([]any, bool) {
	switch v := v.(type) {
	case []any:
		return v, true
	case string:
		var chars []any
		for _, r := range v {
			chars = append(chars, string(r))
		}
		return chars, true
	case guest.Object:
		keys := make([]any, len(v))
		for i, m := range v {
			keys[i] = m.Key
		}
		return keys, true
	}
	return nil, false
}
