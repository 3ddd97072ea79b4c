// Package guest turns one Go function into a wasmshim evaluator module.
//
// An evaluator author writes an evaluation function and registers it from an
// init function of package main (a c-shared WebAssembly module never runs
// main):
//
//	func init() {
//		guest.Register(guest.Evaluator{Eval: evaluate})
//	}
//
//	func evaluate(response, answer any, params guest.Object) (guest.Result, error) {
//		r, ok := response.(string)
//		return guest.Result{IsCorrect: ok && r == answer}, nil
//	}
//
//	func main() {}
//
// Built with GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared, the module
// exports memory, alloc, evaluate and _initialize as the wasmshim guest ABI
// requires. The SDK parses the request envelope, calls the evaluation
// function, the optional preview function or the self-tests, and writes the
// reply.
//
// JSON values reach the author as nil, bool, string, Number (the literal text,
// so integers and floats stay distinct as in Python), []any and Object (the
// members in document order). Replies accept the same types and a few more
// (see AppendJSON).
package guest
