// Package guesttest runs an evaluator's case table natively, through the same
// envelope handling the WebAssembly module uses, so that `go test` checks the
// cases before the module ever reaches a server.
package guesttest

import (
	"errors"
	"os"
	"testing"

	"wasmshim.dev/guest"
)

// RunCases runs every case of the case table at path (the format of
// examples/README.md) through guest.Handle against the registered evaluator
// and compares the reply as JSON values. A raw_request is sent byte for byte
// (so big integers reach the evaluator exactly). Cases that only the host can
// answer are skipped: a status other than 200 or 500, or params.cases.
func RunCases(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := guest.ParseJSON(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	table, _ := doc.(guest.Object)
	list, _ := table.Get("cases")
	cases, ok := list.([]any)
	if !ok {
		t.Fatalf("%s: no cases array", path)
	}
	ran := 0
	for i, c := range cases {
		tc, ok := c.(guest.Object)
		if !ok {
			t.Fatalf("%s: case %d is not an object", path, i)
		}
		if runCase(t, tc) {
			ran++
		}
	}
	t.Logf("%s: %d of %d cases run natively, the rest need the host", path, ran, len(cases))
}

// runCase runs one case and reports whether it could run natively.
func runCase(t *testing.T, tc guest.Object) bool {
	t.Helper()
	name := str(tc, "name")
	body, err := requestBody(tc)
	status, _ := tc.Get("status")
	if err != nil || (status != guest.Number("200") && status != guest.Number("500")) {
		return false
	}
	command := str(tc, "command")
	if command == "" {
		command = "eval"
	}
	envelope, _ := guest.AppendJSON([]byte(`{"method":`), command) // a string always encodes
	envelope = append(append(append(envelope, `,"params":`...), body...), '}')
	reply := guest.Handle(envelope)
	got, err := guest.ParseJSON(reply)
	want, _ := tc.Get("reply")
	if err != nil || !SameJSON(got, want) {
		wantText, _ := guest.AppendJSON(nil, want)
		t.Errorf("case %q:\n got %s\nwant %s", name, reply, wantText)
	}
	return true
}

// requestBody returns the bytes a case sends as its request body; an error
// means the case needs the host (a body that is not JSON, or params.cases).
func requestBody(tc guest.Object) ([]byte, error) {
	var body []byte
	if raw, ok := tc.Get("raw_request"); ok {
		text, _ := raw.(string)
		body = []byte(text)
	} else {
		request, _ := tc.Get("request")
		var err error
		if body, err = guest.AppendJSON(nil, request); err != nil {
			return nil, err
		}
	}
	parsed, err := guest.ParseJSON(body)
	if err != nil {
		return nil, err
	}
	object, _ := parsed.(guest.Object)
	p, _ := object.Get("params")
	params, _ := p.(guest.Object)
	if _, ok := params.Get("cases"); ok {
		return nil, errHostCases
	}
	return body, nil
}

var errHostCases = errors.New("params.cases are applied by the host")

func str(o guest.Object, key string) string {
	v, _ := o.Get(key)
	s, _ := v.(string)
	return s
}
