package main

import (
	"testing"

	"wasmshim.dev/guest/guesttest"
)

// TestCases runs this example's case table (every rule and message of
// lf-functions.md §3) natively.
func TestCases(t *testing.T) {
	guesttest.RunCases(t, "cases.json")
}
