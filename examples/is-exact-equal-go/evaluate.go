package main

import "wasmshim.dev/guest"

// evaluate runs the original's steps in order (lf-functions.md §3.2).
func evaluate(response, answer any, params guest.Object) (guest.Result, error) {
	typ, cast, err := castFor(params)
	if err != nil {
		return guest.Result{}, err
	}
	res, err := cast(response)
	if err != nil {
		return guest.Result{}, castError(err, "response", typ)
	}
	ans, err := cast(answer)
	if err != nil {
		return guest.Result{}, castError(err, "answer", typ)
	}
	result := guest.Result{IsCorrect: castEqual(res, ans)}
	feedback, err := submissionFeedback(params)
	if err != nil {
		return guest.Result{}, generic(err)
	}
	if feedback != "" {
		result.Feedback = feedback
	}
	return result, nil
}

// castFor checks params.type (steps 1 and 2) and returns its constructor.
func castFor(params guest.Object) (string, func(any) (any, error), error) {
	t, _ := params.Get("type")
	if !truthy(t) {
		return "", nil, &guest.Error{
			Message: "The evaluation function couldn't process this request: missing parameter",
			Fields:  map[string]any{"missing": "params.type"},
		}
	}
	if _, err := hashKey(t); err != nil {
		return "", nil, generic(err)
	}
	name, _ := t.(string)
	cast, ok := casts[name]
	if !ok {
		return "", nil, &guest.Error{
			Message: "Supplied type " + toStr(t) + " not available",
			Fields:  map[string]any{"valid_types": validTypes},
		}
	}
	return name, cast, nil
}

// castError reports a failed cast: a ValueError names the parameter, any
// other exception is the generic error.
func castError(err error, param, typ string) error {
	if isValueError(err) {
		return &guest.Error{Message: "Could not cast `" + param + "` parameter to " + typ}
	}
	return generic(err)
}

// submissionFeedback is step 6: "You have submitted {n} responses." when
// params.submission_context has the count and display_submission_count is
// truthy; "" otherwise.
func submissionFeedback(params guest.Object) (string, error) {
	sc, ok := params.Get("submission_context")
	if !ok {
		return "", nil
	}
	context, ok := sc.(guest.Object)
	if !ok {
		return "", attributeError("'" + typeName(sc) + "' object has no attribute 'get'")
	}
	count, hasCount := context.Get("submissions_per_student_per_response_area")
	display, _ := params.Get("display_submission_count")
	if !hasCount || !truthy(display) {
		return "", nil
	}
	n, err := plusOne(count)
	if err != nil {
		return "", err
	}
	return "You have submitted " + n + " responses.", nil
}

// plusOne is Python's str(count + 1).
func plusOne(count any) (string, error) {
	switch c := count.(type) {
	case bool:
		if c {
			return "2", nil
		}
		return "1", nil
	case guest.Number:
		if c.IsFloat() {
			return guest.FormatFloat(c.Float64() + 1), nil
		}
		return string(pyInt(intText(c)).plusOne()), nil
	case string, []any:
		t := typeName(count)
		return "", typeError(`can only concatenate ` + t + ` (not "int") to ` + t)
	}
	return "", typeError("unsupported operand type(s) for +: '" + typeName(count) + "' and 'int'")
}
