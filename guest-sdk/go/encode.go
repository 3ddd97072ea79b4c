package guest

import (
	"errors"
	"maps"
	"math"
	"math/bits"
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

// appendValue handles the kinds a reply is mostly made of and leaves the rest
// to appendOtherValue. Under the host's fuel metering every branch a Go
// function takes costs about the size of the whole function, so the common
// path is kept in a small one.
func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	if depth > maxEncodeDepth {
		return dst, errTooDeep
	}
	switch v := v.(type) {
	case string:
		return appendString(dst, v), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case Number:
		return appendNumber(dst, v)
	case Object:
		return appendObject(dst, v, depth)
	case []any:
		return appendArray(dst, v, depth)
	case nil:
		return append(dst, "null"...), nil
	}
	return appendOtherValue(dst, v, depth)
}

func appendOtherValue(dst []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
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
	case []string:
		return appendArray(dst, v, depth)
	case []int:
		return appendArray(dst, v, depth)
	case []float64:
		return appendArray(dst, v, depth)
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
	if n := plainPrefix(s); n == len(s) {
		// The common case: nothing to escape, one copy.
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	return appendEscapedString(dst, s)
}

// plainPrefix returns how many leading bytes of s stand for themselves in a
// JSON string: printable ASCII other than '"' and '\\'. It tests eight bytes
// per step with word arithmetic (a byte below 0x20, a '"', a '\\' or one from
// 0x80 up sets the top bit of its lane, and the lowest lane set is exactly the
// first such byte), because the host charges each step of a Go loop about the
// size of its whole function.
func plainPrefix[T string | []byte](s T) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if m := specialLanes(le64s(s[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	if i == len(s) {
		return i
	}
	tail := [8]byte{'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'} // plain padding for the last, shorter word
	copy(tail[:], s[i:])
	if m := specialLanes(le64(tail[0], tail[1], tail[2], tail[3], tail[4], tail[5], tail[6], tail[7])); m != 0 {
		return i + bits.TrailingZeros64(m)/8
	}
	return len(s)
}

// le64s reads the first eight bytes of s as a little-endian word.
func le64s[T string | []byte](s T) uint64 {
	_ = s[7]
	return le64(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
}

func le64(b0, b1, b2, b3, b4, b5, b6, b7 byte) uint64 {
	return uint64(b0) | uint64(b1)<<8 | uint64(b2)<<16 | uint64(b3)<<24 |
		uint64(b4)<<32 | uint64(b5)<<40 | uint64(b6)<<48 | uint64(b7)<<56
}

// specialLanes sets the top bit of every byte lane of x that holds a byte
// that is not plain (see plainPrefix); lanes above the first one may be set
// spuriously.
func specialLanes(x uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	return ((x - ones*0x20) | (quote - ones) | (backslash - ones) | x) & high
}

// appendEscapedString writes a string that needs escaping or replacement.
func appendEscapedString(dst []byte, s string) []byte {
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
