// Command compare-go is the compare evaluator of examples/README.md: numbers
// within a tolerance, strings exactly or with options, arrays and objects
// element by element.
package main

import "wasmshim.dev/guest"

func init() {
	guest.Register(guest.Evaluator{Eval: evaluate, Preview: preview, Tests: selfTests})
}

// main is never run: a c-shared module only runs its init functions.
func main() {}

var selfTests = []guest.Test{
	{Name: "integer equals float", Response: 1, Answer: 1.0, Expected: true},
	{Name: "tolerance", Response: 0.1001, Answer: 0.1, Params: map[string]any{"atol": 0.001}, Expected: true},
	{Name: "case folding", Response: "Hello ", Answer: "hello", Params: map[string]any{"case_sensitive": false, "trim": true}, Expected: true},
	{Name: "arrays", Response: []any{1, "a"}, Answer: []any{1, "b"}, Expected: false},
}

func evaluate(response, answer any, params guest.Object) (guest.Result, error) {
	o, err := parseOptions(params)
	if err != nil {
		return guest.Result{}, err
	}
	if o.equal(response, answer) {
		return guest.Result{IsCorrect: true, Feedback: o.correctFeedback}, nil
	}
	return guest.Result{IsCorrect: false, Feedback: o.incorrectFeedback}, nil
}
