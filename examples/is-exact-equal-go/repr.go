package main

import (
	"strconv"
	"strings"
	"unicode"

	"wasmshim.dev/guest"
)

// toStr is Python's str(v): a string as it is, anything else as its repr.
func toStr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

// writeRepr writes Python's repr of a JSON value: None, True, 1, 1.0,
// 'text', [1, 'a'], {'k': 1}.
func writeRepr(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if v {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case guest.Number:
		if v.IsFloat() {
			b.WriteString(guest.FormatFloat(v.Float64()))
		} else {
			b.WriteString(intText(v))
		}
	case string:
		writeStringRepr(b, v)
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e)
		}
		b.WriteByte(']')
	case guest.Object:
		b.WriteByte('{')
		for i, m := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writeStringRepr(b, m.Key)
			b.WriteString(": ")
			writeRepr(b, m.Value)
		}
		b.WriteByte('}')
	}
}

// writeStringRepr quotes s as Python does: single quotes unless s contains a
// single quote and no double quote; backslash escapes for the quote, the
// backslash, \t, \n, \r and unprintable characters (\xhh, \uhhhh, \Uhhhhhhhh).
func writeStringRepr(b *strings.Builder, s string) {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < ' ' || r == 0x7f:
			writeHexEscape(b, `\x`, r, 2)
		case r < 0x80 || unicode.IsPrint(r):
			b.WriteRune(r)
		case r <= 0xff:
			writeHexEscape(b, `\x`, r, 2)
		case r <= 0xffff:
			writeHexEscape(b, `\u`, r, 4)
		default:
			writeHexEscape(b, `\U`, r, 8)
		}
	}
	b.WriteByte(quote)
}

func writeHexEscape(b *strings.Builder, prefix string, r rune, width int) {
	h := strconv.FormatInt(int64(r), 16)
	b.WriteString(prefix)
	b.WriteString(strings.Repeat("0", width-len(h)))
	b.WriteString(h)
}
