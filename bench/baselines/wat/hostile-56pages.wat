;; A deliberately hostile evaluator for the runtime and fault-matrix tests. Normal requests get
;;   {"command":"eval","result":{"is_correct":true,"feedback":"ok","global":0,"static":0}}
;; where "global" is a NON-exported mutable global counter and "static" a counter in memory, both bumped on
;; every request: with snapshot restore every reply says 1. A request whose envelope contains '#' followed by a
;; mode letter misbehaves instead (the first '#' in the envelope counts, e.g. {"response":"#t","answer":1}):
;;   t trap (unreachable)             l endless loop            r endless recursion
;;   G memory.grow far past the cap, then trap on failure       g grow memory by one page, then answer normally
;;   x proc_exit(3)                   p reply pointer outside memory
;;   L reply length beyond memory     o reply length that overflows u32 arithmetic
;;   u reply not UTF-8                j reply not JSON          a reply is a JSON array
;;   s lower the (non-exported) stack pointer by 4 KiB, then trap
;;   w write a line to stdout, then answer normally
;;   e echo: the feedback is the hex encoding of the whole envelope, byte for byte
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 56)
  (global $heap (mut i32) (i32.const 4096))
  (global $counter (mut i32) (i32.const 0))
  (global $sp (mut i32) (i32.const 131072))
  (data (i32.const 0) "{\"command\":\"eval\",\"result\":{\"is_correct\":true,\"feedback\":\"ok\",\"global\":0,\"static\":0}}")
  (data (i32.const 256) "hello from the guest\n")
  (data (i32.const 300) "[1,2]")
  (data (i32.const 310) "{nope")
  (data (i32.const 320) "\ff\fe\fd")
  (data (i32.const 330) "{\"command\":\"eval\",\"result\":{\"is_correct\":true,\"feedback\":\"")
  (data (i32.const 400) "\"}}")
  (data (i32.const 420) "0123456789abcdef")

  ;; Bump allocator; grows memory when the heap runs out, returns 0 when it cannot.
  (func $alloc (export "alloc") (param $len i32) (result i32)
    (local $p i32) (local $end i32)
    (local.set $p (global.get $heap))
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq
              (memory.grow (i32.sub (i32.add (i32.shr_u (local.get $end) (i32.const 16)) (i32.const 1)) (memory.size)))
              (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $heap (local.get $end))
    (local.get $p))

  ;; Copies [src, src+len) into a fresh [u32 length][bytes] reply and returns its address.
  (func $emit (param $src i32) (param $len i32) (result i32)
    (local $out i32)
    (local.set $out (call $alloc (i32.add (local.get $len) (i32.const 4))))
    (i32.store (local.get $out) (local.get $len))
    (memory.copy (i32.add (local.get $out) (i32.const 4)) (local.get $src) (local.get $len))
    (local.get $out))

  (func $recurse (param $depth i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get $depth) (i32.const 1))) (i32.const 1)))

  (func $echo (param $ptr i32) (param $len i32) (result i32)
    (local $out i32) (local $at i32) (local $i i32) (local $b i32) (local $total i32)
    (local.set $total (i32.add (i32.add (i32.const 58) (i32.const 3)) (i32.shl (local.get $len) (i32.const 1))))
    (local.set $out (call $alloc (i32.add (local.get $total) (i32.const 4))))
    (i32.store (local.get $out) (local.get $total))
    (memory.copy (i32.add (local.get $out) (i32.const 4)) (i32.const 330) (i32.const 58))
    (local.set $at (i32.add (local.get $out) (i32.const 62)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $b (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
        (i32.store8 (local.get $at) (i32.load8_u (i32.add (i32.const 420) (i32.shr_u (local.get $b) (i32.const 4)))))
        (i32.store8 (i32.add (local.get $at) (i32.const 1)) (i32.load8_u (i32.add (i32.const 420) (i32.and (local.get $b) (i32.const 15)))))
        (local.set $at (i32.add (local.get $at) (i32.const 2)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (memory.copy (local.get $at) (i32.const 400) (i32.const 3))
    (local.get $out))

  (func (export "evaluate") (param $ptr i32) (param $len i32) (result i32)
    (local $i i32) (local $mode i32) (local $out i32)
    (block $found
      (loop $scan
        (br_if $found (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.eq (i32.load8_u (i32.add (local.get $ptr) (local.get $i))) (i32.const 35))
          (then
            (local.set $mode (i32.load8_u (i32.add (local.get $ptr) (i32.add (local.get $i) (i32.const 1)))))
            (br $found)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (if (i32.eq (local.get $mode) (i32.const 116)) (then unreachable))
    (if (i32.eq (local.get $mode) (i32.const 108)) (then (loop $forever (br $forever))))
    (if (i32.eq (local.get $mode) (i32.const 114)) (then (drop (call $recurse (i32.const 0)))))
    (if (i32.eq (local.get $mode) (i32.const 71))
      (then (if (i32.eq (memory.grow (i32.const 60000)) (i32.const -1)) (then unreachable))))
    (if (i32.eq (local.get $mode) (i32.const 103)) (then (drop (memory.grow (i32.const 1)))))
    (if (i32.eq (local.get $mode) (i32.const 120)) (then (call $proc_exit (i32.const 3)) unreachable))
    (if (i32.eq (local.get $mode) (i32.const 112)) (then (return (i32.const -16))))
    (if (i32.eq (local.get $mode) (i32.const 76))
      (then
        (local.set $out (call $alloc (i32.const 4)))
        (i32.store (local.get $out) (i32.const 1000000))
        (return (local.get $out))))
    (if (i32.eq (local.get $mode) (i32.const 111))
      (then
        (local.set $out (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)))
        (i32.store (local.get $out) (i32.const -1))
        (return (local.get $out))))
    (if (i32.eq (local.get $mode) (i32.const 117)) (then (return (call $emit (i32.const 320) (i32.const 3)))))
    (if (i32.eq (local.get $mode) (i32.const 106)) (then (return (call $emit (i32.const 310) (i32.const 5)))))
    (if (i32.eq (local.get $mode) (i32.const 97)) (then (return (call $emit (i32.const 300) (i32.const 5)))))
    (if (i32.eq (local.get $mode) (i32.const 115))
      (then (global.set $sp (i32.sub (global.get $sp) (i32.const 4096))) unreachable))
    (if (i32.eq (local.get $mode) (i32.const 119))
      (then
        (local.set $out (call $alloc (i32.const 12)))
        (i32.store (local.get $out) (i32.const 256))
        (i32.store offset=4 (local.get $out) (i32.const 21))
        (drop (call $fd_write (i32.const 1) (local.get $out) (i32.const 1) (i32.add (local.get $out) (i32.const 8))))))
    (if (i32.eq (local.get $mode) (i32.const 101)) (then (return (call $echo (local.get $ptr) (local.get $len)))))
    ;; A normal request: bump both counters and report them.
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (i32.store (i32.const 512) (i32.add (i32.load (i32.const 512)) (i32.const 1)))
    (local.set $out (call $emit (i32.const 0) (i32.const 85)))
    (i32.store8 (i32.add (local.get $out) (i32.const 75)) (i32.add (i32.const 48) (global.get $counter)))
    (i32.store8 (i32.add (local.get $out) (i32.const 86)) (i32.add (i32.const 48) (i32.load (i32.const 512))))
    (local.get $out))
)
