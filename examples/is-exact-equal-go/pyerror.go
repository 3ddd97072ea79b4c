package main

import "wasmshim.dev/guest"

// pyError is a Python exception raised by the original code; its class
// decides whether a cast failure is reported as a cast error (ValueError) or
// as the platform's generic error (anything else).
type pyError struct {
	class string // "ValueError", "TypeError", "OverflowError", "AttributeError"
	msg   string // str(e), the generic error's detail
}

func (e *pyError) Error() string {
	return e.msg
}

func valueError(msg string) error     { return &pyError{"ValueError", msg} }
func typeError(msg string) error      { return &pyError{"TypeError", msg} }
func overflowError(msg string) error  { return &pyError{"OverflowError", msg} }
func attributeError(msg string) error { return &pyError{"AttributeError", msg} }

// isValueError reports whether err is a Python ValueError.
func isValueError(err error) bool {
	e, ok := err.(*pyError)
	return ok && e.class == "ValueError"
}

// generic is the legacy layer's reply to an exception it does not know.
func generic(err error) error {
	return &guest.Error{
		Message: "An exception was raised while executing the evaluation function.",
		Fields:  map[string]any{"detail": err.Error()},
	}
}
