package guest

import (
	"errors"
	"math"
	"testing"
)

func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := AppendJSON(nil, v)
	if err != nil {
		t.Fatalf("AppendJSON(%#v): %v", v, err)
	}
	return string(b)
}

func TestAppendJSONValues(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{nil, `null`},
		{true, `true`},
		{"", `""`},
		{"q\"b\\s/\n\r\t\b\f\x00\x1f\x7fé😀", `"q\"b\\s/\n\r\t\b\f\u0000\u001f` + "\x7fé😀\""},
		{"a\xffb\xc3", `"a\ufffdb\ufffd"`},
		{Number("42"), `42`},
		{Number("-0"), `0`},
		{Number("123456789012345678901234567890"), `123456789012345678901234567890`},
		{Number("1.50"), `1.5`},
		{Number("1E5"), `100000.0`},
		{Number("-0.0"), `-0.0`},
		{Number("1e16"), `1e+16`},
		{Number("1e400"), `null`},
		{[]any{math.NaN(), math.Inf(1), math.Inf(-1)}, `[null,null,null]`},
		{1.0, `1.0`},
		{float32(0.5), `0.5`},
		{-7, `-7`},
		{int64(math.MinInt64), `-9223372036854775808`},
		{int32(3), `3`},
		{uint(4), `4`},
		{uint64(math.MaxUint64), `18446744073709551615`},
		{uint32(5), `5`},
		{[]any{}, `[]`},
		{[]any{1, "a", nil, []any{2.5}}, `[1,"a",null,[2.5]]`},
		{[]string{"x", "y"}, `["x","y"]`},
		{[]int{1, 2}, `[1,2]`},
		{[]float64{1, 0.5}, `[1.0,0.5]`},
		{Object{}, `{}`},
		{Object{{"b", 1}, {"a", Object{{"k\"", "v"}}}}, `{"b":1,"a":{"k\"":"v"}}`},
		{map[string]any{"b": 1, "a": 2, "c": map[string]any{}}, `{"a":2,"b":1,"c":{}}`},
		{map[string]any(nil), `{}`},
	}
	for _, c := range cases {
		if got := encode(t, c.v); got != c.want {
			t.Errorf("AppendJSON(%#v) = %s, want %s", c.v, got, c.want)
		}
	}
}

func TestAppendJSONAppends(t *testing.T) {
	b, err := AppendJSON([]byte("x="), []any{1})
	if err != nil || string(b) != "x=[1]" {
		t.Errorf("got %q, %v", b, err)
	}
}

func TestAppendJSONErrors(t *testing.T) {
	cyclic := []any{nil}
	cyclic[0] = cyclic
	cases := []struct {
		v    any
		want error
	}{
		{Number("abc"), errBadNumber},
		{Number(" 1"), errBadNumber},
		{Object{{"k", struct{}{}}}, errUnsupported},
		{map[string]int{"a": 1}, errUnsupported},
		{cyclic, errTooDeep},
	}
	for _, c := range cases {
		if _, err := AppendJSON(nil, c.v); !errors.Is(err, c.want) {
			t.Errorf("AppendJSON(%T) error = %v, want %v", c.v, err, c.want)
		}
	}
}

func TestEncodeParseRoundTrip(t *testing.T) {
	in := `{"s":"\u0000é\"\\","n":[0,-1,1.5,1e-05,1e+16,12345678901234567890],"o":{"z":null,"a":[true,false]}}`
	v, err := ParseJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := encode(t, v); got != in {
		t.Errorf("round trip:\n got %s\nwant %s", got, in)
	}
}
