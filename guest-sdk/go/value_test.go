package guest

import (
	"math"
	"testing"
)

func TestNumber(t *testing.T) {
	cases := []struct {
		n       Number
		isFloat bool
		f       float64
	}{
		{"0", false, 0},
		{"-0", false, 0},
		{"42", false, 42},
		{"1.0", true, 1},
		{"1e3", true, 1000},
		{"2E-1", true, 0.2},
		{"9007199254740993", false, 9007199254740992},
		{"1e400", true, math.Inf(1)},
		{"-1e400", true, math.Inf(-1)},
		{"1e-400", true, 0},
	}
	for _, c := range cases {
		if got := c.n.IsFloat(); got != c.isFloat {
			t.Errorf("Number(%s).IsFloat() = %v", c.n, got)
		}
		if got := c.n.Float64(); got != c.f {
			t.Errorf("Number(%s).Float64() = %v, want %v", c.n, got, c.f)
		}
	}
}

func TestParseNumber(t *testing.T) {
	for _, s := range []string{"0", "-0", "1.5", "-1.5e+10", "10E5", "123456789012345678901234567890"} {
		if n, ok := ParseNumber(s); !ok || string(n) != s {
			t.Errorf("ParseNumber(%q) = %q, %v", s, n, ok)
		}
	}
	for _, s := range []string{"", " 1", "1 ", "01", "1.", ".5", "+1", "1e", "0x10", "inf", "NaN", "1_000", "--1"} {
		if _, ok := ParseNumber(s); ok {
			t.Errorf("ParseNumber(%q) accepted", s)
		}
	}
}

func TestObjectGet(t *testing.T) {
	o := Object{{"a", 1}, {"b", nil}}
	if v, ok := o.Get("a"); !ok || v != 1 {
		t.Errorf("Get(a) = %v, %v", v, ok)
	}
	if v, ok := o.Get("b"); !ok || v != nil {
		t.Errorf("Get(b) = %v, %v", v, ok)
	}
	if _, ok := o.Get("c"); ok {
		t.Error("Get(c) found a missing key")
	}
}
