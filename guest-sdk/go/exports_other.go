//go:build !wasip1

package guest

// reserveBuffers has nothing to reserve outside WebAssembly: the request and
// reply buffers exist only behind the wasip1 exports.
func reserveBuffers() {}
