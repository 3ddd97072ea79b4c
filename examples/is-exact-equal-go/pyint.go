package main

import (
	"math"
	"strconv"
	"strings"
)

// pyInt is a Python int as its canonical decimal text: no leading zeros, no
// sign on zero. Equal ints have equal text.
type pyInt string

// makeInt builds a pyInt from a sign ("", "+" or "-") and decimal digits.
func makeInt(sign, digits string) pyInt {
	digits = strings.TrimLeft(digits, "0")
	switch {
	case digits == "":
		return "0"
	case sign == "-":
		return pyInt("-" + digits)
	}
	return pyInt(digits)
}

// truncate is int() of a float: toward zero.
func truncate(f float64) (pyInt, error) {
	switch {
	case math.IsNaN(f):
		return "", valueError("cannot convert float NaN to integer")
	case math.IsInf(f, 0):
		return "", overflowError("cannot convert float infinity to integer")
	}
	sign, digits := splitSign(strconv.FormatFloat(math.Trunc(f), 'f', 0, 64)) // exact for integral floats
	return makeInt(sign, digits), nil
}

// plusOne is n + 1.
func (n pyInt) plusOne() pyInt {
	if n[0] == '-' {
		return makeInt("-", addOne(string(n[1:]), -1))
	}
	return makeInt("", addOne(string(n), 1))
}

// addOne adds delta (+1 or -1) to a positive decimal number.
func addOne(digits string, delta int) string {
	b := []byte(digits)
	for i := len(b) - 1; i >= 0; i-- {
		d := int(b[i]-'0') + delta
		if 0 <= d && d <= 9 {
			b[i] = byte('0' + d)
			return string(b)
		}
		b[i] = byte('0' + (d+10)%10) // carry or borrow into the next digit
	}
	return "1" + string(b) // only an increment carries out of the top digit
}
