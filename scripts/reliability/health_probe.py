#!/usr/bin/env python3
"""Polls GET /health on one kept-alive connection every 10 ms for SECONDS and prints one JSON line with the
latency percentiles (ms), the number of probes and the failures. Used by load.sh while wrk saturates the server."""
import http.client
import json
import sys
import time


def main():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    latencies, failures, first_failure = [], 0, None
    connection = None
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/health")
            reply = connection.getresponse()
            body = reply.read()
            if reply.status != 200 or body != b'{"status":"ok"}\n':
                raise RuntimeError(f"{reply.status} {body!r}")
            latencies.append((time.monotonic() - started) * 1000)
        except Exception as error:  # a failed probe is counted, then the probe reconnects
            failures += 1
            first_failure = first_failure or repr(error)
            connection = None
        time.sleep(0.01)
    latencies.sort()

    def percentile(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))], 2) if latencies else None

    print(json.dumps({"probes": len(latencies), "failures": failures, "first_failure": first_failure,
                      "p50_ms": percentile(50), "p99_ms": percentile(99),
                      "max_ms": round(latencies[-1], 2) if latencies else None}))


if __name__ == "__main__":
    main()
