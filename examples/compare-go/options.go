package main

import (
	"errors"

	"wasmshim.dev/guest"
)

// options are the evaluator's params, with their defaults filled in.
type options struct {
	atol, rtol        float64
	caseSensitive     bool
	trim              bool
	correctFeedback   string
	incorrectFeedback string
}

// parseOptions reads the params in the documented order; the first one of the
// wrong type is the error.
func parseOptions(params guest.Object) (options, error) {
	o := options{caseSensitive: true, correctFeedback: "Correct!", incorrectFeedback: "Incorrect."}
	if len(params) == 0 {
		// Most requests have no params; the lookups below would cost them
		// about 30,000 fuel under the host's metering.
		return o, nil
	}
	err := firstError(
		numberParam(params, "atol", &o.atol),
		numberParam(params, "rtol", &o.rtol),
		boolParam(params, "case_sensitive", &o.caseSensitive),
		boolParam(params, "trim", &o.trim),
		stringParam(params, "correct_response_feedback", &o.correctFeedback),
		stringParam(params, "incorrect_response_feedback", &o.incorrectFeedback),
	)
	return o, err
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func numberParam(params guest.Object, name string, dst *float64) error {
	v, ok := params.Get(name)
	if !ok {
		return nil
	}
	n, ok := v.(guest.Number)
	if !ok {
		return errors.New("params." + name + " must be a number")
	}
	*dst = n.Float64()
	return nil
}

func boolParam(params guest.Object, name string, dst *bool) error {
	v, ok := params.Get(name)
	if !ok {
		return nil
	}
	b, ok := v.(bool)
	if !ok {
		return errors.New("params." + name + " must be a boolean")
	}
	*dst = b
	return nil
}

func stringParam(params guest.Object, name string, dst *string) error {
	v, ok := params.Get(name)
	if !ok {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return errors.New("params." + name + " must be a string")
	}
	*dst = s
	return nil
}
