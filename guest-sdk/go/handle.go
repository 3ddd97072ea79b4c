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
		return AppendJSON(dst, Object{{"command", method}, {"result", runTests(registered.Tests)}})
	}
	b, _ := env.Get("params")
	body, ok := b.(Object)
	if !ok {
		return nil, errors.New("request body must be a JSON object")
	}
	var result any
	switch method {
	case "eval":
		result, err = eval(body)
	case "preview":
		result, err = preview(body)
	default:
		err = errors.New("unknown method " + strconv.Quote(method))
	}
	if err != nil {
		return nil, err
	}
	return AppendJSON(dst, Object{{"command", method}, {"result", result}})
}

// eval runs the evaluation function on the body and returns the result object.
func eval(body Object) (any, error) {
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
	result := Object{{"is_correct", r.IsCorrect}}
	if r.Feedback != nil {
		result = append(result, Member{"feedback", r.Feedback})
	}
	for _, k := range sortedKeys(r.Extra) {
		if k != "is_correct" && k != "feedback" {
			result = append(result, Member{k, r.Extra[k]})
		}
	}
	return result, nil
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
