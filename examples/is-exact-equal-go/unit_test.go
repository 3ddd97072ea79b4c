package main

import (
	"strings"
	"testing"
	"unicode"

	"wasmshim.dev/guest"
	"wasmshim.dev/guest/guesttest"
)

const genericMsg = `"message":"An exception was raised while executing the evaluation function."`

// TestBeyondTheHost covers inputs that the host's request validation never
// lets through (null values, numbers outside the double range) but that the
// original handles, so the port must too.
func TestBeyondTheHost(t *testing.T) {
	huge := "1" + strings.Repeat("0", 400)
	cases := map[string]string{
		`{"response":null,"answer":1,"params":{"type":"int"}}`:                      `{"error":{` + genericMsg + `,"detail":"int() argument must be a string, a bytes-like object or a real number, not 'NoneType'"}}`,
		`{"response":null,"answer":1,"params":{"type":"float"}}`:                    `{"error":{` + genericMsg + `,"detail":"float() argument must be a string or a real number, not 'NoneType'"}}`,
		`{"response":null,"answer":1,"params":{"type":"dict"}}`:                     `{"error":{` + genericMsg + `,"detail":"'NoneType' object is not iterable"}}`,
		`{"response":null,"answer":"None","params":{"type":"str"}}`:                 `{"command":"eval","result":{"is_correct":true}}`,
		`{"response":1e400,"answer":1,"params":{"type":"int"}}`:                     `{"error":{` + genericMsg + `,"detail":"cannot convert float infinity to integer"}}`,
		`{"response":` + huge + `,"answer":1,"params":{"type":"float"}}`:            `{"error":{` + genericMsg + `,"detail":"int too large to convert to float"}}`,
		`{"response":` + huge + `,"answer":"` + huge + `","params":{"type":"int"}}`: `{"command":"eval","result":{"is_correct":true}}`,
		`{"response":1e400,"answer":"inf","params":{"type":"str"}}`:                 `{"command":"eval","result":{"is_correct":true}}`,
		`{"response":-1e400,"answer":"-inf","params":{"type":"float"}}`:             `{"command":"eval","result":{"is_correct":true}}`,
		`{"response":-0,"answer":"0","params":{"type":"str"}}`:                      `{"command":"eval","result":{"is_correct":true}}`,
		`{"response":[-0],"answer":[0.0],"params":{"type":"dict"}}`:                 `{"error":{` + genericMsg + `,"detail":"cannot convert dictionary update sequence element #0 to a sequence"}}`,
		`{"response":[[-0,1]],"answer":[[0.0,1]],"params":{"type":"dict"}}`:         `{"command":"eval","result":{"is_correct":true}}`,
		`{"response":1,"answer":1,"params":{"type":"int","submission_context":{"submissions_per_student_per_response_area":-0},"display_submission_count":1}}`: `{"command":"eval","result":{"is_correct":true,"feedback":"You have submitted 1 responses."}}`,
	}
	for body, want := range cases {
		got := guest.Handle([]byte(`{"method":"eval","params":` + body + `}`))
		g, err1 := guest.ParseJSON(got)
		w, err2 := guest.ParseJSON([]byte(want))
		if err1 != nil || err2 != nil || !guesttest.SameJSON(g, w) {
			t.Errorf("%.100s\n got %s\nwant %s", body, got, want)
		}
	}
}

func TestPlusOne(t *testing.T) {
	cases := map[pyInt]pyInt{
		"0": "1", "8": "9", "9": "10", "199": "200", "99999999999999999999": "100000000000000000000",
		"-1": "0", "-2": "-1", "-10": "-9", "-100": "-99", "-1000000000000000000000": "-999999999999999999999",
	}
	for n, want := range cases {
		if got := n.plusOne(); got != want {
			t.Errorf("%s + 1 = %s, want %s", n, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	cases := map[float64]pyInt{0: "0", -0.5: "0", 4.8: "4", -4.8: "-4", 1e20: "100000000000000000000", -1e22: "-10000000000000000000000"}
	for f, want := range cases {
		if got, err := truncate(f); err != nil || got != want {
			t.Errorf("int(%v) = %s, %v; want %s", f, got, err, want)
		}
	}
}

// TestDecimalDigitRuns checks what digitValue relies on: Go's table of
// decimal digits (Nd) is made of runs of ten code points, zero first.
func TestDecimalDigitRuns(t *testing.T) {
	check := func(lo, hi, stride uint32) {
		if stride != 1 || (hi-lo+1)%10 != 0 {
			t.Errorf("Nd range %#x-%#x (stride %d) is not runs of ten", lo, hi, stride)
		}
	}
	for _, r := range unicode.Nd.R16 {
		check(uint32(r.Lo), uint32(r.Hi), uint32(r.Stride))
	}
	for _, r := range unicode.Nd.R32 {
		check(r.Lo, r.Hi, r.Stride)
	}
	for r, want := range map[rune]int{'0': 0, '7': 7, '\u0665': 5, '\uff19': 9, '\U0001d7ce': 0, '\U0001d7ff': 9} {
		if got, ok := digitValue(r); !ok || got != want {
			t.Errorf("digitValue(%q) = %d, %v", r, got, ok)
		}
	}
	if _, ok := digitValue('\u00b2'); ok {
		t.Error("superscript two counted as a decimal digit")
	}
}

func TestPreviewEchoes(t *testing.T) {
	got := guest.Handle([]byte(`{"method":"preview","params":{"response":{"b":[1.50,-0],"a":null}}}`))
	if want := `{"command":"preview","result":{"preview":{"b":[1.5,0],"a":null}}}`; string(got) != want {
		t.Errorf("got %s", got)
	}
}
