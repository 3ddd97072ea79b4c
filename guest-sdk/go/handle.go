package guest

import (
	"errors"
	"strconv"
)

// Handle answers one request envelope, {"method":"eval"|"preview"|"healthcheck",
// "params":<request body>}, with the reply: {"command":...,"result":...} or
// {"error":{"message":...}}. The module's evaluate export calls it; it is
// exported so that evaluators can be tested natively.
func Handle(envelope []byte) []byte {
	return appendReply(nil, envelope)
}

// appendReply appends the reply to envelope to dst.
func appendReply(dst, envelope []byte) []byte {
	reply, err := respond(dst, envelope)
	if err != nil {
		return appendError(dst, err)
	}
	return reply
}

// respond appends the successful reply to envelope to dst, or returns the
// error to reply with.
func respond(dst, envelope []byte) ([]byte, error) {
	if registered == nil {
		return nil, errors.New("no evaluator registered: call guest.Register from an init function")
	}
	v, err := parse(envelope, -1) // the body, one level down, may nest MaxDepth levels
	if err != nil {
		return nil, err
	}
	env, ok := v.(Object)
	if !ok {
		return nil, errors.New("request envelope must be a JSON object")
	}
	m, _ := env.Get("method")
	method, ok := m.(string)
	if !ok {
		return nil, errors.New("request envelope has no method")
	}
	if method == "healthcheck" {
		return appendResult(dst, method, runTests(registered.Tests))
	}
	b, _ := env.Get("params")
	body, ok := b.(Object)
	if !ok {
		return nil, errors.New("request body must be a JSON object")
	}
	switch method {
	case "eval":
		return appendEval(dst, body)
	case "preview":
		result, err := preview(body)
		if err != nil {
			return nil, err
		}
		return appendResult(dst, method, result)
	default:
		return nil, errors.New("unknown method " + strconv.Quote(method))
	}
}

// appendResult appends {"command":command,"result":result}.
func appendResult(dst []byte, command string, result any) ([]byte, error) {
	dst = append(dst, `{"command":`...)
	dst = appendString(dst, command)
	dst = append(dst, `,"result":`...)
	dst, err := appendValue(dst, result, 1)
	if err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
}

// appendEval runs the evaluation function on the body and appends the reply
// {"command":"eval","result":{"is_correct":...,"feedback":...,<Extra>...}},
// written directly rather than built as an Object first: every allocation
// costs about 10,000 fuel under the host's metering.
func appendEval(dst []byte, body Object) ([]byte, error) {
	response, ok := body.Get("response")
	if !ok {
		return nil, errors.New("request has no response")
	}
	answer, ok := body.Get("answer")
	if !ok {
		return nil, errors.New("request has no answer")
	}
	params, err := paramsOf(body)
	if err != nil {
		return nil, err
	}
	r, err := registered.Eval(response, answer, params)
	if err != nil {
		return nil, err
	}
	dst = append(dst, `{"command":"eval","result":{"is_correct":`...)
	dst = strconv.AppendBool(dst, r.IsCorrect)
	if r.Feedback != nil {
		dst = append(dst, `,"feedback":`...)
		if dst, err = appendValue(dst, r.Feedback, 2); err != nil {
			return nil, err
		}
	}
	if len(r.Extra) != 0 {
		if dst, err = appendExtra(dst, r.Extra); err != nil {
			return nil, err
		}
	}
	return append(dst, "}}"...), nil
}

// appendExtra appends the members of a result's Extra, keys sorted, except
// is_correct and feedback. A function of its own: the loop would otherwise
// make every eval pay for it (see appendValue).
func appendExtra(dst []byte, extra map[string]any) ([]byte, error) {
	for _, k := range sortedKeys(extra) {
		if k != "is_correct" && k != "feedback" {
			dst = append(appendString(append(dst, ','), k), ':')
			var err error
			if dst, err = appendValue(dst, extra[k], 2); err != nil {
				return nil, err
			}
		}
	}
	return dst, nil
}

// preview runs the preview function on the body and returns the result object.
func preview(body Object) (any, error) {
	if registered.Preview == nil {
		return nil, errors.New("preview not supported")
	}
	response, ok := body.Get("response")
	if !ok {
		return nil, errors.New("request has no response")
	}
	params, err := paramsOf(body)
	if err != nil {
		return nil, err
	}
	p, err := registered.Preview(response, params)
	if err != nil {
		return nil, err
	}
	return Object{{"preview", p}}, nil
}

// paramsOf returns the body's params; a body without params has empty ones.
func paramsOf(body Object) (Object, error) {
	p, ok := body.Get("params")
	if !ok {
		return Object{}, nil
	}
	params, ok := p.(Object)
	if !ok {
		return nil, errors.New("params must be a JSON object")
	}
	return params, nil
}

// appendError appends the error reply for err. An *Error's fields stand next
// to the message; if they cannot be encoded, the message stands alone.
func appendError(dst []byte, err error) []byte {
	msg := Object{{"message", err.Error()}}
	inner := msg
	var e *Error
	if errors.As(err, &e) {
		for _, k := range sortedKeys(e.Fields) {
			if k != "message" {
				inner = append(inner, Member{k, e.Fields[k]})
			}
		}
	}
	reply, encErr := AppendJSON(dst, Object{{"error", inner}})
	if encErr != nil {
		reply, _ = AppendJSON(dst, Object{{"error", msg}}) // a string always encodes
	}
	return reply
}
