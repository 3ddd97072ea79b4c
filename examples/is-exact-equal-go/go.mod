module wasmshim.dev/examples/is-exact-equal-go

go 1.24

require wasmshim.dev/guest v0.0.0

replace wasmshim.dev/guest => ../../guest-sdk/go
