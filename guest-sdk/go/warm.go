package guest

import (
	"runtime"
	"strings"
)

// heapReserve is how far Register grows the Go heap before it frees the block
// again. The freed pages stay in the heap, and in the host's snapshot, so
// requests allocate from them instead of growing linear memory (which makes
// the host replace the instance). The heap grows in 512 KiB arenas, and
// 512 KiB is the most that fits in the same arenas as no reserve at all
// (measured on compare-go: 56 pages after initialisation with 0, 256 KiB or
// 512 KiB, 64 with 1 MiB). It keeps request bodies up to about 30 KB (two
// arrays of 2,000 floats) from growing memory; 1 MiB would reach about 75 KB,
// but every request would copy 512 KiB more on restore (about 25 µs).
const heapReserve = 512 << 10

// requestReserve and replyReserve are the capacities of the request and reply
// buffers that warm-up leaves in the snapshot (exports_wasip1.go): larger
// requests and replies still work, with an allocation.
const (
	requestReserve = 4 << 10
	replyReserve   = 1 << 10
)

// reservation keeps the reserved block reachable until it is dropped, so that
// the compiler cannot elide the allocation.
var reservation []byte

// warmUp prepares the state the host snapshots after _initialize, so that
// every restored request starts warm:
//  1. it serves one request of every kind, which fills the runtime's caches;
//  2. it reserves heap, then collects it (the collection empties the
//     allocation caches again, hence step 3);
//  3. it serves the requests again and parses a document nested MaxDepth
//     levels deep, which leaves the goroutine stack grown (a restored request
//     would otherwise pay for growing and copying it).
//
// Measured on compare-go, in wasm instructions per request on a freshly
// restored instance, without and with warm-up: a small eval 99k and 83k, a
// healthcheck 341k and 202k, a body beyond the depth limit 1020k (and memory
// growth) and 106k.
func warmUp() {
	serveSamples()
	reservation = make([]byte, heapReserve)
	reservation = nil
	runtime.GC()
	serveSamples()
	deep := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if v, err := ParseJSON([]byte(deep)); err == nil {
		AppendJSON(nil, v)
	}
	reserveBuffers()
}

// serveSamples answers a healthcheck, two malformed requests and, for every
// self-test, an eval and a preview request.
func serveSamples() {
	Handle([]byte(`{"method":"healthcheck","params":{}}`))
	Handle([]byte(`{"method":"unknown","params":{}}`))
	Handle([]byte(`not JSON`))
	for _, t := range registered.Tests {
		body := Object{{"response", t.Response}, {"answer", t.Answer}}
		if t.Params != nil {
			body = append(body, Member{"params", t.Params})
		}
		for _, method := range [...]string{"eval", "preview"} {
			if envelope, err := AppendJSON(nil, Object{{"method", method}, {"params", body}}); err == nil {
				Handle(envelope)
			}
		}
	}
}
