module wasmshim.dev/examples/compare-go

go 1.24

require wasmshim.dev/guest v0.0.0

replace wasmshim.dev/guest => ../../guest-sdk/go
