package main

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// maxIntDigits is Python's limit on the digits int() converts from a string
// (sys.get_int_max_str_digits()).
const maxIntDigits = 4300

// parseInt is Python's int(s) for a string: Unicode whitespace around, an
// optional sign, decimal digits of any script with single underscores between
// them, leading zeros allowed.
func parseInt(s string) (any, error) {
	invalid := valueError("invalid literal for int() with base 10")
	t, ok := asciiNumber(s)
	if !ok {
		return nil, invalid
	}
	sign, t := splitSign(t)
	digits, ok := removeUnderscores(t)
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return nil, invalid
	}
	if len(digits) > maxIntDigits {
		return nil, valueError("Exceeds the limit (4300 digits) for integer string conversion")
	}
	return makeInt(sign, digits), nil
}

// parseFloat is Python's float(s) for a string: Unicode whitespace around, an
// optional sign, then inf, infinity or nan in any case, or a decimal number
// with an optional exponent and single underscores between digits.
func parseFloat(s string) (any, error) {
	invalid := valueError("could not convert string to float")
	t, ok := asciiNumber(s)
	if !ok {
		return nil, invalid
	}
	sign, body := splitSign(t)
	switch strings.ToLower(body) {
	case "inf", "infinity":
		if sign == "-" {
			return math.Inf(-1), nil
		}
		return math.Inf(1), nil
	case "nan":
		return math.NaN(), nil
	}
	digits, ok := removeUnderscores(body)
	if !ok || !isDecimal(digits) {
		return nil, invalid
	}
	f, _ := strconv.ParseFloat(sign+digits, 64) // out of range gives ±Inf or 0, as in Python
	return f, nil
}

// asciiNumber strips Unicode whitespace from s and turns decimal digits of
// any script into ASCII digits, as Python does before parsing a number. Any
// other non-ASCII character makes it fail.
func asciiNumber(s string) (string, bool) {
	s = strings.TrimFunc(s, unicode.IsSpace)
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteByte(byte(r))
			continue
		}
		d, isDigit := digitValue(r)
		if !isDigit {
			return "", false
		}
		b.WriteByte(byte('0' + d))
	}
	return b.String(), true
}

// digitValue is the value of a Unicode decimal digit (category Nd). Nd
// characters come in contiguous runs of ten, zero first.
func digitValue(r rune) (int, bool) {
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	return 0, false
}

func splitSign(s string) (sign, rest string) {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		return s[:1], s[1:]
	}
	return "", s
}

// removeUnderscores drops underscores that stand between two digits; any
// other underscore makes it fail.
func removeUnderscores(s string) (string, bool) {
	if !strings.Contains(s, "_") {
		return s, true
	}
	isDigit := func(i int) bool { return i >= 0 && i < len(s) && '0' <= s[i] && s[i] <= '9' }
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '_' {
			b.WriteByte(s[i])
		} else if !isDigit(i-1) || !isDigit(i+1) {
			return "", false
		}
	}
	return b.String(), true
}

// isDecimal matches digits [. [digits]] | . digits, then [(e|E) [sign] digits].
func isDecimal(s string) bool {
	i, mantissa := 0, 0
	digits := func() int {
		start := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i - start
	}
	mantissa += digits()
	if i < len(s) && s[i] == '.' {
		i++
		mantissa += digits()
	}
	if mantissa == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
