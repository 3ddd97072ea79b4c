package guest

// Func is an evaluation function: it marks the student's response against
// the answer. A returned error becomes an error reply; return an *Error to add
// fields next to the message.
type Func func(response, answer any, params Object) (Result, error)

// PreviewFunc builds the preview of a response: the value of the reply's
// "preview" key.
type PreviewFunc func(response any, params Object) (any, error)

// Result is the outcome of one evaluation.
type Result struct {
	// IsCorrect becomes the reply's "is_correct".
	IsCorrect bool
	// Feedback becomes the reply's "feedback" unless it is nil. It is usually
	// a string (Lambda Feedback also accepts an object or an array).
	Feedback any
	// Extra holds further keys of the result, e.g. "response_latex" or
	// "tags". It cannot replace "is_correct" or "feedback".
	Extra map[string]any
}

// Test is one self-test, run by the healthcheck command. Response, Answer and
// Params are Go values; they are encoded to JSON and parsed back, so the
// evaluation function sees exactly what a request would give it (1 is an
// integer, 1.0 a float, a map an Object).
type Test struct {
	// Name identifies the test in the healthcheck result.
	Name string
	// Response and Answer are the values under test.
	Response any
	Answer   any
	// Params are the evaluation params; nil means {}.
	Params map[string]any
	// Expected is the is_correct the test expects.
	Expected bool
}

// Evaluator is everything a module serves.
type Evaluator struct {
	// Eval answers the eval command. Required.
	Eval Func
	// Preview answers the preview command; without it, preview requests get
	// the error reply "preview not supported".
	Preview PreviewFunc
	// Tests are the self-tests run by the healthcheck command.
	Tests []Test
}

// Error is an error reply with fields next to its message, like Lambda
// Feedback's EvaluationException: {"error":{"message":Message, <Fields>...}}.
type Error struct {
	// Message becomes the reply's error message.
	Message string
	// Fields are further keys of the error object (e.g. "detail"); a key
	// "message" is ignored.
	Fields map[string]any
}

// Error implements error.
func (e *Error) Error() string {
	return e.Message
}

// registered is the evaluator installed by Register.
var registered *Evaluator

// Register installs e as the module's evaluator. Call it once, from an init
// function of package main: a c-shared WebAssembly module runs init functions
// during _initialize but never runs main. Register then serves one request of
// every kind (the self-tests as eval and preview requests, a healthcheck, an
// error) and reserves heap, so that the host's snapshot, taken after
// _initialize, holds warm caches and enough free heap for ordinary requests.
func Register(e Evaluator) {
	if e.Eval == nil {
		panic("guest.Register: Evaluator.Eval is nil")
	}
	registered = &e
	warmUp()
}
