#!/usr/bin/env python3
"""Per-connection fairness under keep-alive load: N connections each send requests back to back for a fixed
time (asyncio, raw sockets, 127.0.0.1 only); prints per-connection completion counts and the real (not
coordinated-omission corrected) latency percentiles. For finding out whether some connections starve.

Usage: fairness.py PORT [CONNECTIONS=64] [SECONDS=5] [BODY]
"""
import asyncio
import statistics
import sys
import time

port = int(sys.argv[1])
connections = int(sys.argv[2]) if len(sys.argv) > 2 else 64
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5
body = (sys.argv[4] if len(sys.argv) > 4 else '{"response": 1, "answer": 1}').encode()
request = (b"POST / HTTP/1.1\r\nHost: bench\r\ncommand: eval\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n" % len(body)) + body


async def client(latencies, counts, index, stop_at):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        counts[index] += 1
    writer.close()


async def main():
    latencies, counts = [], [0] * connections
    stop_at = time.perf_counter() + seconds
    await asyncio.gather(*(client(latencies, counts, i, stop_at) for i in range(connections)))
    latencies.sort()
    ms = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1e3
    print(f"{len(latencies)} requests in {seconds} s ({len(latencies) / seconds:.0f}/s) over {connections} connections")
    print(f"latency ms: mean {statistics.mean(latencies) * 1e3:.2f} p50 {ms(0.5):.2f} p90 {ms(0.9):.2f} "
          f"p99 {ms(0.99):.2f} max {latencies[-1] * 1e3:.2f}")
    counts.sort()
    print(f"requests per connection: min {counts[0]} p10 {counts[len(counts) // 10]} median {counts[len(counts) // 2]} "
          f"max {counts[-1]}")


asyncio.run(main())
