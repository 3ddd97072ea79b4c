package guest

import (
	"math"
	"strconv"
	"strings"
)

// FormatFloat formats f as Python's repr does: the shortest text that reads
// back as f, in positional notation for exponents from -4 to 15 ("0.0001",
// "1.0", "1000000000000000.0") and in scientific notation otherwise ("1e-05",
// "1e+16"); "inf", "-inf" and "nan" for the non-finite values.
func FormatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	sci := strconv.FormatFloat(f, 'e', -1, 64) // e.g. "-1.5e+16": Python's layout already
	exp, _ := strconv.Atoi(sci[strings.IndexByte(sci, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return sci
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s
}
