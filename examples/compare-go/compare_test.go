package main

import (
	"testing"

	"wasmshim.dev/guest"
)

// TestBeyondTheHost covers inputs that the host's request validation never
// lets through, and large values the shared case table does not carry.
func TestBeyondTheHost(t *testing.T) {
	many := `{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10}`
	manyReordered := `{"k10":10,"k9":9,"k8":8,"k7":7,"k6":6,"k5":5,"k4":4,"k3":3,"k2":2,"k1":1.0}`
	cases := map[string]string{
		`{"method":"preview","params":{"response":null}}`:                                     `{"command":"preview","result":{"preview":{"type":"null","response":null}}}`,
		`{"method":"eval","params":{"response":null,"answer":null}}`:                          `{"command":"eval","result":{"is_correct":true,"feedback":"Correct!"}}`,
		`{"method":"eval","params":{"response":"1e400","answer":1e308}}`:                      `{"command":"eval","result":{"is_correct":false,"feedback":"Incorrect."}}`,
		`{"method":"eval","params":{"response":1,"answer":1,"params":{"atol":1e400}}}`:        `{"command":"eval","result":{"is_correct":true,"feedback":"Correct!"}}`,
		`{"method":"eval","params":{"response":` + many + `,"answer":` + manyReordered + `}}`: `{"command":"eval","result":{"is_correct":true,"feedback":"Correct!"}}`,
	}
	for in, want := range cases {
		if got := string(guest.Handle([]byte(in))); got != want {
			t.Errorf("%s\n got %s\nwant %s", in, got, want)
		}
	}
}

func TestEqualFoldASCII(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"", "", true}, {"AbC", "aBc", true}, {"a", "ab", false}, {"É", "é", false}, {"[", "{", false}, {"@", "`", false},
	} {
		if got := equalFoldASCII(c.a, c.b); got != c.want {
			t.Errorf("equalFoldASCII(%q, %q) = %v", c.a, c.b, got)
		}
	}
}
