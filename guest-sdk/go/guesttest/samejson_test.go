package guesttest

import (
	"testing"

	"wasmshim.dev/guest"
)

func parse(t *testing.T, s string) any {
	t.Helper()
	v, err := guest.ParseJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSameJSON(t *testing.T) {
	same := [][2]string{
		{`null`, `null`},
		{`1`, `1`},
		{`-0`, `0`},
		{`1.0`, `1.00`},
		{`1e1`, `10.0`},
		{`"a"`, `"a"`},
		{`[1,[true]]`, `[1,[true]]`},
		{`{"a":1,"b":[2.5]}`, `{"b":[2.5],"a":1}`},
	}
	for _, c := range same {
		if !SameJSON(parse(t, c[0]), parse(t, c[1])) {
			t.Errorf("%s and %s differ", c[0], c[1])
		}
	}
	different := [][2]string{
		{`1`, `1.0`},
		{`1`, `2`},
		{`0.1`, `0.2`},
		{`1`, `"1"`},
		{`true`, `1`},
		{`null`, `false`},
		{`[1]`, `[1,1]`},
		{`[1]`, `{"1":1}`},
		{`{"a":1}`, `{"a":1,"b":1}`},
		{`{"a":1}`, `{"b":1}`},
		{`{"a":1}`, `{"a":2}`},
	}
	for _, c := range different {
		if SameJSON(parse(t, c[0]), parse(t, c[1])) {
			t.Errorf("%s and %s are the same", c[0], c[1])
		}
	}
}
