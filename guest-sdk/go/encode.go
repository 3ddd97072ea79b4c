package guest

import (
	"errors"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// maxEncodeDepth bounds the nesting of encoded values, so that a value that
// contains itself gives an error instead of exhausting the stack.
const maxEncodeDepth = 4 * MaxDepth

var (
	errBadNumber   = errors.New("cannot encode a Number that is not a JSON number literal")
	errUnsupported = errors.New("cannot encode a value of this Go type as JSON")
	errTooDeep     = errors.New("cannot encode a value nested this deeply as JSON")
)

// AppendJSON appends the JSON encoding of v to dst. It encodes nil, bool,
// string, Number, the Go integer and float types, []any, []string, []int,
// []float64, Object (members in order) and map[string]any (keys sorted).
// Strings are fully escaped (invalid UTF-8 becomes U+FFFD). Floats are written
// as Python writes them (FormatFloat), integer Numbers as their digits (a
// "-0" as "0") and float Numbers as the float they denote, so a reply looks
// like the Python platform's. NaN and infinities, which JSON cannot carry,
// become null (as in the Rust and C++ SDKs).
func AppendJSON(dst []byte, v any) ([]byte, error) {
	return appendValue(dst, v, 0)
}

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	if depth > maxEncodeDepth {
		return dst, errTooDeep
	}
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case string:
		return appendString(dst, v), nil
	case Number:
		return appendNumber(dst, v)
	case float64:
		return appendFloat(dst, v)
	case float32:
		return appendFloat(dst, float64(v))
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint64:
		return strconv.AppendUint(dst, v, 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case []any:
		return appendArray(dst, v, depth)
	case []string:
		return appendArray(dst, v, depth)
	case []int:
		return appendArray(dst, v, depth)
	case []float64:
		return appendArray(dst, v, depth)
	case Object:
		return appendObject(dst, v, depth)
	case map[string]any:
		o := make(Object, 0, len(v))
		for _, k := range sortedKeys(v) {
			o = append(o, Member{k, v[k]})
		}
		return appendObject(dst, o, depth)
	default:
		return dst, errUnsupported
	}
}

// sortedKeys returns the keys of m in ascending order.
func sortedKeys(m map[string]any) []string {
	if len(m) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(m))
}

func appendArray[T any](dst []byte, elems []T, depth int) ([]byte, error) {
	dst = append(dst, '[')
	for i, e := range elems {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendValue(dst, e, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

func appendObject(dst []byte, o Object, depth int) ([]byte, error) {
	dst = append(dst, '{')
	for i, m := range o {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, m.Key)
		dst = append(dst, ':')
		var err error
		if dst, err = appendValue(dst, m.Value, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

func appendNumber(dst []byte, n Number) ([]byte, error) {
	if _, ok := ParseNumber(string(n)); !ok {
		return dst, errBadNumber
	}
	switch {
	case n.IsFloat():
		return appendFloat(dst, n.Float64())
	case n == "-0":
		return append(dst, '0'), nil
	default:
		return append(dst, n...), nil
	}
}

func appendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...), nil
	}
	return append(dst, FormatFloat(f)...), nil
}

func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(append(dst, s[start:i]...), `\ufffd`...)
				start = i + 1
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = appendEscape(append(dst, s[start:i]...), c)
		i++
		start = i
	}
	return append(append(dst, s[start:]...), '"')
}

func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, `\n`...)
	case '\r':
		return append(dst, `\r`...)
	case '\t':
		return append(dst, `\t`...)
	case '\b':
		return append(dst, `\b`...)
	case '\f':
		return append(dst, `\f`...)
	}
	const hex = "0123456789abcdef"
	return append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
}
