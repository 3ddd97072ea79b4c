module wasmshim.dev/guest

go 1.24
