// Command is-exact-equal-go is a port of Lambda Feedback's isExactEqual
// evaluation function (lf-functions.md §3): both values are cast with the
// Python constructor named by params.type and compared with Python equality.
package main

import "wasmshim.dev/guest"

func init() {
	guest.Register(guest.Evaluator{Eval: evaluate, Preview: preview, Tests: selfTests})
}

// main is never run: a c-shared module only runs its init functions.
func main() {}

// selfTests are the upstream unit tests that expect a result (not an error).
var selfTests = []guest.Test{
	{Name: "evaluate as int", Response: "45", Answer: "45", Params: map[string]any{"type": "int"}, Expected: true},
	{Name: "evaluate as float", Response: "4.8", Answer: "4.80", Params: map[string]any{"type": "float"}, Expected: true},
	{Name: "evaluate as string", Response: "dogs", Answer: "dogs", Params: map[string]any{"type": "str"}, Expected: true},
	{Name: "evaluate as string incorrect", Response: "1", Answer: "1.0", Params: map[string]any{"type": "str"}, Expected: false},
	{Name: "evaluate as dict", Response: map[string]any{"b": 2, "a": 1}, Answer: guest.Object{{Key: "a", Value: 1}, {Key: "b", Value: 2}}, Params: map[string]any{"type": "dict"}, Expected: true},
	{Name: "display submission count", Response: 1, Answer: 1, Params: map[string]any{
		"type": "int", "display_submission_count": true,
		"submission_context": map[string]any{"submissions_per_student_per_response_area": 3},
	}, Expected: true},
}

// preview is the legacy platform's fallback: the response, unchanged.
func preview(response any, _ guest.Object) (any, error) {
	return response, nil
}
