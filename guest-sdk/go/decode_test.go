package guest

import (
	"errors"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestParseJSONValues(t *testing.T) {
	cases := []struct {
		in   string
		want any
	}{
		{`null`, nil},
		{` true `, true},
		{"\t\r\nfalse", false},
		{`0`, Number("0")},
		{`-0`, Number("-0")},
		{`1.0`, Number("1.0")},
		{`-12.5e+3`, Number("-12.5e+3")},
		{`123456789012345678901234567890`, Number("123456789012345678901234567890")},
		{`""`, ""},
		{`"a\"b\\c\/d\b\f\n\r\t"`, "a\"b\\c/d\b\f\n\r\t"},
		{`"\u00e9\u20ac"`, "é€"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\ud83d"`, "\ufffd"},
		{`"\ude00x"`, "\ufffdx"},
		{`"\ud83d\u0041"`, "\ufffdA"},
		{`"héllo"`, "héllo"},
		{`[]`, []any{}},
		{`[1, "a", [null]]`, []any{Number("1"), "a", []any{nil}}},
		{`{}`, Object{}},
		{`{"b": 1, "a": {"c": []}}`, Object{{"b", Number("1")}, {"a", Object{{"c", []any{}}}}}},
		{`{"a": 1, "b": 2, "a": 3}`, Object{{"a", Number("3")}, {"b", Number("2")}}},
	}
	for _, c := range cases {
		got, err := ParseJSON([]byte(c.in))
		if err != nil {
			t.Errorf("ParseJSON(%s): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseJSON(%s) = %#v, want %#v", c.in, got, c.want)
		}
	}
}

func TestParseJSONDuplicateKeysInLargeObject(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 3*indexThreshold; i++ {
		b.WriteString(`"k` + strconv.Itoa(i) + `":1,`)
	}
	b.WriteString(`"k0":2}`)
	got, err := ParseJSON([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	o := got.(Object)
	if len(o) != 3*indexThreshold || o[0].Key != "k0" || o[0].Value != Number("2") {
		t.Errorf("duplicate key not resolved to first position, last value: len %d, first %v", len(o), o[0])
	}
}

func TestParseJSONRejects(t *testing.T) {
	cases := map[string]string{
		``:                   "unexpected end of input",
		`   `:                "unexpected end of input",
		`nul`:                "expected a value",
		`01`:                 "unexpected data after the value",
		`1.`:                 "invalid number",
		`.5`:                 "expected a value",
		`-`:                  "invalid number",
		`1e`:                 "invalid number",
		`+1`:                 "expected a value",
		`NaN`:                "expected a value",
		`Infinity`:           "expected a value",
		`[1,]`:               "expected a value",
		`[1 2]`:              "expected ',' or ']'",
		`{"a" 1}`:            "expected ':'",
		`{"a":1,}`:           "expected a string key",
		`{a:1}`:              "expected a string key",
		`{"a":1 "b":2}`:      "expected ',' or '}'",
		`"abc`:               "unterminated string",
		`"a\`:                "unterminated string",
		"\"a\x01\"":          "control character in string",
		"\"\\n\x01\"":        "control character in string",
		`"\x"`:               "invalid escape",
		`"\u12"`:             `invalid \u escape`,
		`"\u12g4"`:           `invalid \u escape`,
		`{} {}`:              "unexpected data after the value",
		"\"\xff\"":           "invalid UTF-8",
		"[\"ok\", \"\xc3\"]": "invalid UTF-8",
	}
	for in, reason := range cases {
		_, err := ParseJSON([]byte(in))
		var se *SyntaxError
		if !errors.As(err, &se) || se.Reason != reason {
			t.Errorf("ParseJSON(%q) error = %v, want reason %q", in, err, reason)
		}
	}
}

func TestParseJSONReportsOffset(t *testing.T) {
	_, err := ParseJSON([]byte("[\"ok\", \"\xc3\"]"))
	if err == nil || err.Error() != "invalid JSON at byte 8: invalid UTF-8" {
		t.Errorf("error = %v", err)
	}
}

func TestParseJSONDepthLimit(t *testing.T) {
	nest := func(n int, open, close string) []byte {
		return []byte(strings.Repeat(open, n) + strings.Repeat(close, n))
	}
	if _, err := ParseJSON(nest(MaxDepth, "[", "]")); err != nil {
		t.Errorf("depth %d rejected: %v", MaxDepth, err)
	}
	for _, open := range []string{"[", `{"a":`} {
		_, err := ParseJSON(nest(MaxDepth+1, open, "]"))
		var se *SyntaxError
		if !errors.As(err, &se) || se.Reason != "nested deeper than 128 levels" {
			t.Errorf("depth %d with %s: error = %v", MaxDepth+1, open, err)
		}
	}
	if _, err := ParseJSON(nest(100000, "[", "]")); err == nil {
		t.Error("depth 100000 accepted")
	}
}

// Parsed strings, numbers, arrays and objects share boxing storage (box): more
// values than one chunk holds keep their own contents and dynamic types, also
// across garbage collections, and do not alias the input bytes.
func TestParseJSONBoxedValuesStayDistinct(t *testing.T) {
	const n = 3*boxChunk + 5
	var doc strings.Builder
	doc.WriteString("[")
	want := make([]any, 0, n)
	for i := 0; i < n; i++ {
		if i > 0 {
			doc.WriteString(",")
		}
		switch i % 4 {
		case 0:
			doc.WriteString(strconv.Itoa(100 + i))
			want = append(want, Number(strconv.Itoa(100+i)))
		case 1:
			doc.WriteString(`"s` + strconv.Itoa(i) + `"`)
			want = append(want, "s"+strconv.Itoa(i))
		case 2:
			doc.WriteString(`[` + strconv.Itoa(i) + `.5]`)
			want = append(want, []any{Number(strconv.Itoa(i) + ".5")})
		case 3:
			doc.WriteString(`{"k":"v` + strconv.Itoa(i) + `"}`)
			want = append(want, Object{{"k", "v" + strconv.Itoa(i)}})
		}
	}
	doc.WriteString("]")
	input := []byte(doc.String())
	got, err := ParseJSON(input)
	if err != nil {
		t.Fatal(err)
	}
	for i := range input {
		input[i] = 'x' // the values must not share the caller's buffer
	}
	runtime.GC()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i, v := range got.([]any) {
		if _, isNumber := v.(Number); isNumber != (i%4 == 0) {
			t.Errorf("element %d: dynamic type %T", i, v)
		}
		if i%4 < 2 && v != want[i] {
			t.Errorf("element %d: %v != %v", i, v, want[i])
		}
	}
}
