package guest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// use installs e as the registered evaluator for the duration of the test.
func use(t *testing.T, e *Evaluator) {
	t.Helper()
	old := registered
	registered = e
	t.Cleanup(func() { registered = old })
}

// echo is an evaluator that reports what it received, and fails on request.
func echo() *Evaluator {
	return &Evaluator{
		Eval: func(response, answer any, params Object) (Result, error) {
			switch v, _ := params.Get("fail"); v {
			case "plain":
				return Result{}, errors.New("boom")
			case "fields":
				return Result{}, &Error{Message: "bad", Fields: map[string]any{"missing": "params.type", "message": "ignored"}}
			case "unencodable fields":
				return Result{}, &Error{Message: "bad", Fields: map[string]any{"x": struct{}{}}}
			case "unencodable result":
				return Result{Extra: map[string]any{"x": struct{}{}}}, nil
			}
			return Result{
				IsCorrect: reflect.DeepEqual(response, answer),
				Feedback:  "fb",
				Extra:     map[string]any{"params": params, "tags": []string{"t"}, "is_correct": "ignored", "feedback": "ignored"},
			}, nil
		},
	}
}

func reply(t *testing.T, envelope string) string {
	t.Helper()
	return string(Handle([]byte(envelope)))
}

func TestEval(t *testing.T) {
	use(t, echo())
	cases := map[string]string{
		`{"method":"eval","params":{"response":[1,"a"],"answer":[1,"a"],"params":{"k":1.50}}}`: `{"command":"eval","result":{"is_correct":true,"feedback":"fb","params":{"k":1.5},"tags":["t"]}}`,
		`{"params":{"answer":1,"response":1.0},"method":"eval"}`:                               `{"command":"eval","result":{"is_correct":false,"feedback":"fb","params":{},"tags":["t"]}}`,
		`{"method":"eval","params":{"response":null,"answer":null}}`:                           `{"command":"eval","result":{"is_correct":true,"feedback":"fb","params":{},"tags":["t"]}}`,
	}
	for in, want := range cases {
		if got := reply(t, in); got != want {
			t.Errorf("%s\n got %s\nwant %s", in, got, want)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	use(t, echo())
	cases := map[string]string{
		`{"method":"eval","params":{"response":1,"answer":1,"params":{"fail":"plain"}}}`:              `{"error":{"message":"boom"}}`,
		`{"method":"eval","params":{"response":1,"answer":1,"params":{"fail":"fields"}}}`:             `{"error":{"message":"bad","missing":"params.type"}}`,
		`{"method":"eval","params":{"response":1,"answer":1,"params":{"fail":"unencodable fields"}}}`: `{"error":{"message":"bad"}}`,
		`{"method":"eval","params":{"response":1,"answer":1,"params":{"fail":"unencodable result"}}}`: `{"error":{"message":"cannot encode a value of this Go type as JSON"}}`,
	}
	for in, want := range cases {
		if got := reply(t, in); got != want {
			t.Errorf("%s\n got %s\nwant %s", in, got, want)
		}
	}
}

func TestMalformedRequests(t *testing.T) {
	use(t, echo())
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	cases := map[string]string{
		``:                               `{"error":{"message":"invalid JSON at byte 0: unexpected end of input"}}`,
		`{"method":"eval"`:               `{"error":{"message":"invalid JSON at byte 16: expected ',' or '}'"}}`,
		`[]`:                             `{"error":{"message":"request envelope must be a JSON object"}}`,
		`{"params":{}}`:                  `{"error":{"message":"request envelope has no method"}}`,
		`{"method":1}`:                   `{"error":{"message":"request envelope has no method"}}`,
		`{"method":"eval"}`:              `{"error":{"message":"request body must be a JSON object"}}`,
		`{"method":"grade","params":{}}`: `{"error":{"message":"unknown method \"grade\""}}`,
		`{"method":"eval","params":[]}`:  `{"error":{"message":"request body must be a JSON object"}}`,
		`{"method":"eval","params":{"answer":1}}`:                                   `{"error":{"message":"request has no response"}}`,
		`{"method":"eval","params":{"response":1}}`:                                 `{"error":{"message":"request has no answer"}}`,
		`{"method":"eval","params":{"response":1,"answer":1,"params":[]}}`:          `{"error":{"message":"params must be a JSON object"}}`,
		`{"method":"eval","params":{"response":1,"answer":1,"params":null}}`:        `{"error":{"message":"params must be a JSON object"}}`,
		"{\"method\":\"eval\",\"params\":{\"response\":\"\xff\",\"answer\":1}}":     `{"error":{"message":"invalid JSON at byte 39: invalid UTF-8"}}`,
		`{"method":"eval","params":{"response":` + deep(MaxDepth) + `,"answer":1}}`: `{"error":{"message":"invalid JSON at byte 165: nested deeper than 128 levels"}}`,
	}
	for in, want := range cases {
		if got := reply(t, in); got != want {
			t.Errorf("%.80q\n got %s\nwant %s", in, got, want)
		}
	}
	ok := `{"method":"eval","params":{"response":` + deep(MaxDepth-1) + `,"answer":1}}`
	if got := reply(t, ok); !strings.HasPrefix(got, `{"command":"eval"`) {
		t.Errorf("a body nested %d levels deep was refused: %s", MaxDepth, got)
	}
}

func TestNothingRegistered(t *testing.T) {
	use(t, nil)
	want := `{"error":{"message":"no evaluator registered: call guest.Register from an init function"}}`
	if got := reply(t, `{"method":"healthcheck","params":{}}`); got != want {
		t.Errorf("got %s", got)
	}
}

func TestPreview(t *testing.T) {
	e := echo()
	use(t, e)
	in := `{"method":"preview","params":{"response":"x"}}`
	if got, want := reply(t, in), `{"error":{"message":"preview not supported"}}`; got != want {
		t.Errorf("without a preview function: got %s", got)
	}
	e.Preview = func(response any, params Object) (any, error) {
		if _, ok := params.Get("fail"); ok {
			return nil, errors.New("no preview")
		}
		return Object{{"latex", response}, {"params", params}}, nil
	}
	cases := map[string]string{
		in: `{"command":"preview","result":{"preview":{"latex":"x","params":{}}}}`,
		`{"method":"preview","params":{"response":1,"params":{"a":true}}}`: `{"command":"preview","result":{"preview":{"latex":1,"params":{"a":true}}}}`,
		`{"method":"preview","params":{"response":1,"params":{"fail":1}}}`: `{"error":{"message":"no preview"}}`,
		`{"method":"preview","params":{"params":{}}}`:                      `{"error":{"message":"request has no response"}}`,
		`{"method":"preview","params":{"response":1,"params":"x"}}`:        `{"error":{"message":"params must be a JSON object"}}`,
	}
	for in, want := range cases {
		if got := reply(t, in); got != want {
			t.Errorf("%s\n got %s\nwant %s", in, got, want)
		}
	}
}

func TestHealthcheck(t *testing.T) {
	e := echo()
	use(t, e)
	want := `{"command":"healthcheck","result":{"tests_passed":true,"successes":[],"failures":[],"errors":[]}}`
	for _, in := range []string{`{"method":"healthcheck","params":{}}`, `{"method":"healthcheck"}`} {
		if got := reply(t, in); got != want {
			t.Errorf("no self-tests: got %s", got)
		}
	}
	e.Tests = []Test{
		{Name: "same", Response: map[string]any{"a": []any{1, "x"}}, Answer: Object{{"a", []any{Number("1"), "x"}}}, Expected: true},
		{Name: "int is not float", Response: 1, Answer: 1.0, Expected: true},
		{Name: "fails", Response: 1, Answer: 1, Params: map[string]any{"fail": "plain"}, Expected: true},
		{Name: "unencodable", Response: struct{}{}, Answer: 1, Expected: true},
	}
	want = `{"command":"healthcheck","result":{"tests_passed":false,` +
		`"successes":[{"name":"same"}],` +
		`"failures":[{"name":"int is not float","expected":true,"got":false}],` +
		`"errors":[{"name":"fails","error":"boom"},{"name":"unencodable","error":"cannot encode a value of this Go type as JSON"}]}}`
	if got := reply(t, `{"method":"healthcheck","params":{}}`); got != want {
		t.Errorf("self-tests:\n got %s\nwant %s", got, want)
	}
}

func TestRegister(t *testing.T) {
	use(t, nil)
	defer func() {
		if recover() == nil {
			t.Error("Register accepted an evaluator without Eval")
		}
	}()
	e := echo()
	e.Tests = []Test{{Name: "one", Response: 1, Answer: 1, Expected: true}}
	Register(*e)
	if got := reply(t, `{"method":"healthcheck","params":{}}`); !strings.Contains(got, `"tests_passed":true`) {
		t.Errorf("after Register: %s", got)
	}
	Register(Evaluator{})
}
