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

// alloc gives the host size writable bytes for the request envelope.
//
//go:wasmexport alloc
func alloc(size int32) int32 {
	if size < 0 {
		return 0
	}
	requestBuf = make([]byte, size)
	return address(requestBuf)
}

// evaluate answers the envelope at [ptr, ptr+size) and returns the address
// of the reply: a little-endian u32 length, then that many bytes of JSON.
//
//go:wasmexport evaluate
func evaluate(ptr, size int32) int32 {
	prefix := make([]byte, 4, 256)
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
