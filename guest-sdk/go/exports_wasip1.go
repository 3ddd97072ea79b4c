//go:build wasip1

package guest

import (
	"errors"
	"unsafe"
)

// requestBuf is the buffer alloc handed out last; it stays alive until the next
// request (the host restores memory after every request anyway).
var requestBuf []byte

// replyBuf holds the last reply until the host has read it.
var replyBuf []byte

var errNotAllocated = errors.New("evaluate: the request does not lie in the buffer returned by alloc")

// alloc gives the host size writable bytes for the request envelope. A
// request that fits reuses the buffer warm-up left behind (in the host's
// snapshot): no allocation, which costs about 10,000 fuel, and no zeroing of
// bytes the host overwrites anyway. Parsed values copy what they keep, so the
// buffer can be reused.
//
//go:wasmexport alloc
func alloc(size int32) int32 {
	if size < 0 {
		return 0
	}
	if int(size) <= cap(requestBuf) && size > 0 {
		requestBuf = requestBuf[:size]
	} else {
		requestBuf = make([]byte, size)
	}
	return address(requestBuf)
}

// reserveBuffers gives the request and reply buffers the capacity that
// ordinary requests need; called at the end of warm-up.
func reserveBuffers() {
	requestBuf = make([]byte, 0, requestReserve)
	replyBuf = make([]byte, 0, replyReserve)
}

// evaluate answers the envelope at [ptr, ptr+size) and returns the address
// of the reply: a little-endian u32 length, then that many bytes of JSON.
//
//go:wasmexport evaluate
func evaluate(ptr, size int32) int32 {
	prefix := append(replyBuf[:0], 0, 0, 0, 0)
	if ptr == address(requestBuf) && size >= 0 && int(size) <= len(requestBuf) {
		replyBuf = appendReply(prefix, requestBuf[:size])
	} else {
		replyBuf = appendError(prefix, errNotAllocated)
	}
	n := uint32(len(replyBuf) - 4)
	replyBuf[0], replyBuf[1], replyBuf[2], replyBuf[3] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
	return address(replyBuf)
}

func address(b []byte) int32 {
	return int32(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
}
