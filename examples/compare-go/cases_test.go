package main

import (
	"testing"

	"wasmshim.dev/guest/guesttest"
)

// TestSharedCases runs examples/cases.json, which compare-rust and
// compare-cpp pass too.
func TestSharedCases(t *testing.T) {
	guesttest.RunCases(t, "../cases.json")
}
