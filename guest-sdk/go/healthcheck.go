package guest

// runTests runs the self-tests and returns the healthcheck result:
// {"tests_passed":B,"successes":[...],"failures":[...],"errors":[...]}.
func runTests(tests []Test) Object {
	successes, failures, errs := []any{}, []any{}, []any{}
	for _, t := range tests {
		got, err := runTest(t)
		switch {
		case err != nil:
			errs = append(errs, Object{{"name", t.Name}, {"error", err.Error()}})
		case got != t.Expected:
			failures = append(failures, Object{{"name", t.Name}, {"expected", t.Expected}, {"got", got}})
		default:
			successes = append(successes, Object{{"name", t.Name}})
		}
	}
	return Object{
		{"tests_passed", len(failures) == 0 && len(errs) == 0},
		{"successes", successes},
		{"failures", failures},
		{"errors", errs},
	}
}

func runTest(t Test) (bool, error) {
	response, err := roundTrip(t.Response)
	if err != nil {
		return false, err
	}
	answer, err := roundTrip(t.Answer)
	if err != nil {
		return false, err
	}
	params := Object{}
	if t.Params != nil {
		p, err := roundTrip(t.Params)
		if err != nil {
			return false, err
		}
		params = p.(Object)
	}
	r, err := registered.Eval(response, answer, params)
	return r.IsCorrect, err
}

// roundTrip encodes a Go value and parses it back: the value an evaluation
// function receives when a request carries it.
func roundTrip(v any) (any, error) {
	b, err := AppendJSON(nil, v)
	if err != nil {
		return nil, err
	}
	return ParseJSON(b)
}
