#!/usr/bin/env python3
"""Runs every benchmark scenario of bench/run against every system, in one invocation, and writes the raw
figures as JSON (bench/scripts/report.py turns them into bench/RESULTS.md and the chart).

Usage: bench.py [--quick] OUTPUT.json   (run from the repository root; bench/run builds everything first)

Only 127.0.0.1 is ever contacted; every load run is bounded by wrk's -d, every server is started and stopped
here by its PID.
"""

import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
os.chdir(ROOT)

QUICK = "--quick" in sys.argv
OUTPUT = [a for a in sys.argv[1:] if not a.startswith("--")][0]

WASMSHIM = "target/release/wasmshim"
MUSL = "target/x86_64-unknown-linux-musl/release/wasmshim"
WASMTIME_HOST = "bench/baselines/wasmtime-host/target/release/wasmtime-host"
PY_SERVER = "bench/baselines/python/server.py"
SANDBOX = "bench/target/release/sandbox"
LUA = "bench/wrk/post.lua"
MODULES = {
    "rust": "target/examples/compare-rust.wasm",
    "cpp": "target/examples/compare-cpp.wasm",
    "go": "target/examples/compare-go.wasm",
}
NUMERIC = '{"response": 1, "answer": 1}'
STRING = '{"response": "Hello ", "answer": "hello", "params": {"case_sensitive": false, "trim": true}}'
BODIES = {"numeric": NUMERIC, "string": STRING}

REPS = 1 if QUICK else 3
DURATION = 1 if QUICK else 4  # seconds per wrk run
WARMUP = 1 if QUICK else 2
SEQUENTIAL = 100 if QUICK else 500
COLD = 3 if QUICK else 9
RETRIES = 0 if QUICK else int(os.environ.get("BENCH_RETRIES", "2"))  # repeats of a disturbed wrk run
QUIET_WAIT = 90  # seconds to wait for the machine to quiet down before repeating one
RETRY_BUDGET = 300  # seconds that waiting and repeating may add to a whole run
THREADS = 2

TMP = tempfile.mkdtemp(prefix="wasmshim-bench-")
LIVE = []  # servers started here, stopped at exit


def log(*args):
    print("bench:", *args, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median(values):
    return statistics.median(values) if values else None


def spread(values):
    """Median, min and max of a list (the form every table uses)."""
    return {"median": median(values), "min": min(values), "max": max(values), "runs": values}


def percentile(values, p):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


# ---------------------------------------------------------------------------------------------------- servers


class Server:
    """One server process, its command line for the report, and how to reach it."""

    def __init__(self, system, module=None, env=None, label=None):
        self.system, self.module, self.port = system, module, free_port()
        self.label = label or system
        extra = dict(env or {})
        if system.startswith("wasmshim"):
            extra.setdefault("LOG_LEVEL", "warn")
            extra.update({"FUNCTION_WASM_MODULE": MODULES[module], "HTTP_HOST": "127.0.0.1",
                          "HTTP_PORT": str(self.port)})
            argv = [WASMSHIM, "serve"]
        elif system == "wasmtime":
            argv = [WASMTIME_HOST, MODULES[module], str(self.port)]
        elif system == "python":
            argv = [sys.executable, PY_SERVER, str(self.port)]
        else:
            raise ValueError(system)
        self.env_shown = " ".join(f"{k}={v if k != 'HTTP_PORT' else 'PORT'}" for k, v in extra.items())
        self.command = (self.env_shown + " " if self.env_shown else "") + " ".join(
            a if a != str(self.port) else "PORT" for a in argv)
        self.log_path = os.path.join(TMP, f"{self.label}-{module}-{self.port}.log")
        self.started = time.perf_counter()
        with open(self.log_path, "wb") as log_file:
            self.proc = subprocess.Popen(argv, env={**os.environ, **extra}, stdout=log_file, stderr=log_file,
                                         stdin=subprocess.DEVNULL)
        LIVE.append(self)

    def wait_ready(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.command} exited: {open(self.log_path).read()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"{self.command} did not become ready")

    def post(self, body, command="eval"):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request("POST", "/", body=body.encode() if isinstance(body, str) else body,
                           headers={"command": command, "Content-Type": "application/json"})
        reply = connection.getresponse()
        data = reply.read()
        connection.close()
        return reply.status, data

    def expect_correct(self, body):
        status, data = self.post(body)
        result = json.loads(data).get("result", {}) if status == 200 else {}
        if status != 200 or result.get("is_correct") is not True:
            raise RuntimeError(f"{self.label}/{self.module}: unexpected reply {status} {data[:300]!r}")

    def rss_kib(self, field="VmRSS"):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return None

    def children(self):
        found = []
        try:
            for task in os.listdir(f"/proc/{self.proc.pid}/task"):
                with open(f"/proc/{self.proc.pid}/task/{task}/children") as f:
                    found += f.read().split()
        except OSError:
            pass
        return found

    def wait_quiet(self, timeout=60):
        """Waits until requests that wrk abandoned at the end of a run are finished (the process-per-request
        server keeps running their evaluator processes), so that they do not load the next run."""
        deadline = time.time() + timeout
        while self.children() and time.time() < deadline:
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self in LIVE:
            LIVE.remove(self)


def stop_all():
    for server in list(LIVE):
        server.stop()


# ---------------------------------------------------------------------------------------------------- wrk


def body_file(body):
    path = os.path.join(TMP, f"body-{abs(hash(body))}.json")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write(body)
    return path


def busy_jiffies():
    """CPU time of the whole machine (all cores, jiffies) spent outside idle and iowait."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]


def process_jiffies(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # utime + stime of all threads, plus cutime + cstime of reaped children (the Python baseline's evaluator
        # processes are the server's work too)
        return int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    except (OSError, IndexError, ValueError):
        return 0


def server_of(port):
    for server in LIVE:
        if server.port == port:
            return server
    return None


def server_pid(port):
    server = server_of(port)
    return server.proc.pid if server else None


def foreign_busy(seconds=1.0):
    """Share of the machine's CPU (0..1) used by processes other than this benchmark's over `seconds`
    (between runs: nothing of ours is busy then, servers idle)."""
    hz = os.sysconf("SC_CLK_TCK")
    pids = [s.proc.pid for s in LIVE]
    busy0, ours0 = busy_jiffies(), sum(process_jiffies(p) for p in pids)
    time.sleep(seconds)
    busy1, ours1 = busy_jiffies(), sum(process_jiffies(p) for p in pids)
    return max(0.0, (busy1 - busy0) - (ours1 - ours0)) / hz / seconds / os.cpu_count()


def wrk(port, connections, body, duration=None, threads=THREADS):
    """One wrk run. Besides wrk's figures, records the CPU seconds the server and wrk used, and the CPU seconds
    everything else on the machine used meanwhile (`foreign_cpu_s`: other people's builds contaminate a run).
    On a shared machine a run that others disturbed (foreign CPU above 10% of the machine) is repeated after the
    machine has been quiet for a moment, up to RETRIES times (full mode); the last attempt is kept either way and
    `attempts` says how many were made."""
    duration = duration or DURATION
    limit = 0.1 * os.cpu_count() * duration
    server = server_of(port)
    # The process-per-request server's evaluator processes that are still running when wrk stops are not yet
    # counted as its CPU: its foreign figure is not a disturbance signal, so its runs are never repeated.
    retries = 0 if server is not None and server.system == "python" else RETRIES
    for attempt in range(1, retries + 2):
        result = _wrk_measured(port, connections, body, duration, threads)
        result["attempts"] = attempt
        global RETRY_BUDGET
        if result["foreign_cpu_s"] <= limit or attempt > retries or RETRY_BUDGET <= 0:
            return result
        log(f"  run disturbed ({result['foreign_cpu_s']:.1f} CPU-s of other processes); waiting to repeat it")
        started = time.time()
        deadline = started + QUIET_WAIT
        while time.time() < deadline and foreign_busy() > 0.1:
            pass
        RETRY_BUDGET -= time.time() - started + duration


def _wrk_measured(port, connections, body, duration, threads):
    pid = server_pid(port)
    hz = os.sysconf("SC_CLK_TCK")
    busy0, server0, own0 = busy_jiffies(), process_jiffies(pid), os.times()
    children0 = own0.children_user + own0.children_system
    result = _wrk(port, connections, body, duration, threads)
    busy1, server1, own1 = busy_jiffies(), process_jiffies(pid), os.times()
    wrk_s = own1.children_user + own1.children_system - children0
    own_s = own1.user + own1.system - own0.user - own0.system
    server_s = (server1 - server0) / hz
    result["server_cpu_s"] = round(server_s, 3)
    result["wrk_cpu_s"] = round(wrk_s, 3)
    result["foreign_cpu_s"] = round(max(0.0, (busy1 - busy0) / hz - server_s - wrk_s - own_s), 3)
    return result


def _wrk(port, connections, body, duration, threads):
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", LUA,
            f"http://127.0.0.1:{port}/"]
    out = subprocess.run(argv, env={**os.environ, "BODY_FILE": body_file(body)}, capture_output=True, text=True,
                         timeout=duration + 60)
    for line in out.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line[len("WRK_JSON "):])
    raise RuntimeError(f"wrk failed: {out.stdout} {out.stderr}")


def wrk_command(connections, body_name, duration=None):
    duration = duration or DURATION
    return (f"BODY_FILE=<{body_name} body> wrk -t{THREADS} -c{connections} -d{duration}s --timeout 10s "
            f"-s {LUA} http://127.0.0.1:PORT/")


def summarize(runs):
    """Median and min..max of throughput and latency over repeated wrk runs."""
    keys = ["rps", "p50_us", "p99_us", "p999_us", "lat_mean_us", "lat_max_us"]
    summary = {k: spread([r[k] for r in runs]) for k in keys}
    summary["errors"] = sum(r["err_connect"] + r["err_read"] + r["err_write"] + r["err_status"] + r["err_timeout"]
                            for r in runs)
    summary["requests"] = sum(r["requests"] for r in runs)
    if all("server_cpu_s" in r for r in runs):
        summary["server_us_per_request"] = spread([r["server_cpu_s"] * 1e6 / max(1, r["requests"]) for r in runs])
        summary["wrk_us_per_request"] = spread([r["wrk_cpu_s"] * 1e6 / max(1, r["requests"]) for r in runs])
        summary["foreign_cpu_s"] = max(r["foreign_cpu_s"] for r in runs)
        summary["attempts"] = sum(r.get("attempts", 1) for r in runs)
    summary["raw"] = runs
    return summary


# ---------------------------------------------------------------------------------------------------- scenarios


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])

    def first_line(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            return (out.stdout + out.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "unknown"

    def lock_version(lock, name):
        try:
            text = open(lock).read()
            found = re.search(r'name = "%s"\nversion = "([^"]+)"' % re.escape(name), text)
            return found.group(1) if found else "unknown"
        except OSError:
            return "unknown"

    git = first_line(["git", "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                           text=True).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "cores": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "loadavg_before": open("/proc/loadavg").read().split()[:3],
        "rustc": first_line(["rustc", "--version"]),
        "wrk": first_line(["wrk", "-v"]).split(" Copyright")[0],
        "python": platform.python_version(),
        "wasmtime_crate": lock_version("bench/baselines/wasmtime-host/Cargo.lock", "wasmtime"),
        "wasmi_crate": lock_version("Cargo.lock", "wasmi"),
        "git": git + (" (with uncommitted changes)" if dirty else ""),
        "quick": QUICK,
        "reps": REPS,
        "duration_s": DURATION,
    }


def throughput():
    """Scenario 1: every system and module under wrk, numeric body at 16 and 64 connections, string body at 64."""
    configs = [("numeric", 16), ("numeric", 64), ("string", 64)]
    systems = [("wasmshim", m, {}) for m in MODULES] + \
              [("wasmshim-fresh", m, {"FUNCTION_WASM_SNAPSHOT_STRATEGY": "fresh"}) for m in MODULES] + \
              [("wasmtime", m, {}) for m in MODULES] + [("python", "python", {})]
    rows = []
    for system, module, env in systems:
        log(f"throughput: {system} {module}")
        server = Server(system, module if system != "python" else None, env).wait_ready()
        for body in BODIES.values():
            server.expect_correct(body)
        # The process-per-request server manages a few dozen requests per second: give it time for a sample.
        duration = max(DURATION * 2, 5) if system == "python" else DURATION
        wrk(server.port, 16, NUMERIC, duration=WARMUP)
        server.wait_quiet()
        runs = {c: [] for c in configs}
        for _ in range(REPS):
            for body_name, connections in configs:
                runs[(body_name, connections)].append(wrk(server.port, connections, BODIES[body_name], duration))
                server.wait_quiet()
        server.stop()
        for (body_name, connections), results in runs.items():
            rows.append({"system": system, "module": module, "body": body_name, "connections": connections,
                         "server_command": server.command,
                         "wrk_command": wrk_command(connections, body_name, duration), **summarize(results)})
    # The cost of logging: the default level (info, one line per request) against warn.
    log("throughput: wasmshim at LOG_LEVEL=info")
    server = Server("wasmshim", "rust", {"LOG_LEVEL": "info"}, label="wasmshim-info").wait_ready()
    server.expect_correct(NUMERIC)
    wrk(server.port, 64, NUMERIC, duration=WARMUP)
    results = [wrk(server.port, 64, NUMERIC) for _ in range(REPS)]
    server.stop()
    log_bytes = os.path.getsize(server.log_path)
    rows.append({"system": "wasmshim-info", "module": "rust", "body": "numeric", "connections": 64,
                 "server_command": server.command + " 2>server.log", "wrk_command": wrk_command(64, "numeric"),
                 "log_bytes_per_request": log_bytes / max(1, sum(r["requests"] for r in results)),
                 **summarize(results)})
    return rows


def sequential():
    """Scenario 2: one request per new connection (urllib), one after another."""
    cases = [("wasmshim", "rust"), ("wasmshim", "go"), ("wasmtime", "rust"), ("wasmtime", "go"),
             ("python", None)]
    rows = []
    for system, module in cases:
        log(f"sequential: {system} {module}")
        server = Server(system, module).wait_ready()
        url = f"http://127.0.0.1:{server.port}/"
        n = SEQUENTIAL if system != "python" else min(SEQUENTIAL, 200 if QUICK else 500)

        def one():
            request = urllib.request.Request(url, data=NUMERIC.encode(), method="POST",
                                             headers={"command": "eval", "Content-Type": "application/json"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as reply:
                data = reply.read()
            elapsed = (time.perf_counter() - started) * 1e3
            if b'"is_correct":true' not in data.replace(b" ", b""):
                raise RuntimeError(f"unexpected reply {data!r}")
            return elapsed

        for _ in range(max(5, n // 20)):
            one()
        times = [one() for _ in range(n)]
        server.stop()
        rows.append({"system": system, "module": module or "python", "requests": n,
                     "mean_ms": statistics.mean(times), "median_ms": median(times),
                     "p99_ms": percentile(times, 99), "max_ms": max(times), "server_command": server.command})
    return rows


def restore():
    """Scenario 3: the lead's sandbox micro-benchmark (restore vs memcpy per module). shimmy-go (56 pages, about
    15 million fuel per request) is run in the sandbox's --quick mode and only in a full run: its full mode would
    take many minutes; hostile-56pages gives the 56-page restore figure in every mode."""
    specs = [f"compare-{m}={p}" for m, p in MODULES.items() if not (QUICK and m == "go")] + [
        "hostile-17pages=bench/baselines/wat/hostile-17pages.wat",
        "hostile-56pages=bench/baselines/wat/hostile-56pages.wat",
    ]
    invocations = [(["--quick"] if QUICK else []) + specs]
    if not QUICK:
        invocations.append(["--quick", 'shimmy-go=target/fixtures/shimmy-go.wasm:{"response":2,"answer":2}'])
    rows, tables, commands, header = [], [], [], None
    for args in invocations:
        argv = [SANDBOX] + args
        log("restore: " + " ".join(argv))
        out = subprocess.run(argv, capture_output=True, text=True, timeout=900)
        if out.returncode != 0:
            raise RuntimeError(f"sandbox failed: {out.stderr[-3000:]}")
        lines = [l for l in out.stdout.splitlines() if l.startswith("|")]
        header = [c.strip() for c in lines[0].strip("|").split("|")]
        for line in lines[2:]:
            row = dict(zip(header, [c.strip() for c in line.strip("|").split("|")]))
            row["sandbox_mode"] = "quick" if "--quick" in args else "full"
            rows.append(row)
        tables.append(out.stdout)
        commands.append("bench/target/release/sandbox " + " ".join(f"'{a}'" if '"' in a else a for a in args))
    return {"tables": tables, "header": header, "rows": rows, "commands": commands}


def cold_start():
    """Scenario 4: exec to the first successful eval reply; and `wasmshim check`."""
    rows = []
    for system, module in [("wasmshim", "rust"), ("wasmshim", "go"), ("wasmshim", "cpp"),
                           ("wasmtime", "rust"), ("wasmtime", "go"), ("python", None)]:
        log(f"cold start: {system} {module}")
        times = []
        for _ in range(COLD):
            server = Server(system, module)
            started = server.started
            reply = None
            while reply is None:
                if time.perf_counter() - started > 120:
                    raise RuntimeError("cold start timed out")
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                    connection.connect()
                except OSError:
                    time.sleep(0.0005)
                    continue
                connection.request("POST", "/", body=NUMERIC.encode(), headers={"command": "eval"})
                response = connection.getresponse()
                reply = (response.status, response.read())
                connection.close()
            elapsed = (time.perf_counter() - started) * 1e3
            server.stop()
            if reply[0] != 200 or b"true" not in reply[1]:
                raise RuntimeError(f"cold start reply {reply}")
            times.append(elapsed)
        rows.append({"system": system, "module": module or "python", "ms": spread(times),
                     "server_command": server.command})
    checks = []
    for module in MODULES:
        times = []
        for _ in range(COLD):
            started = time.perf_counter()
            out = subprocess.run([WASMSHIM, "check", MODULES[module]], capture_output=True)
            times.append((time.perf_counter() - started) * 1e3)
            if out.returncode != 0:
                raise RuntimeError(f"check {module} failed: {out.stdout} {out.stderr}")
        checks.append({"module": module, "ms": spread(times), "command": f"{WASMSHIM} check {MODULES[module]}"})
    return {"serve": rows, "check": checks}


def footprint():
    """Scenario 5: RSS idle and under load, binary and image sizes."""
    rows = []
    cases = [("wasmshim", m, p) for m in ("rust", "go") for p in (2, 8)] + [("wasmtime", "rust", 2),
                                                                           ("wasmtime", "go", 2)]
    for system, module, procs in cases:
        log(f"footprint: {system} {module} procs={procs}")
        env = {"FUNCTION_MAX_PROCS": str(procs)} if system == "wasmshim" else {"WORKERS": str(procs)}
        server = Server(system, module, env).wait_ready()
        time.sleep(0.3)
        idle_start = server.rss_kib()
        server.expect_correct(NUMERIC)
        time.sleep(0.3)
        idle = server.rss_kib()
        samples = []
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                value = server.rss_kib()
                if value:
                    samples.append(value)
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        load = wrk(server.port, 64, NUMERIC, duration=max(2, DURATION // 2))
        stop.set()
        sampler.join()
        hwm = server.rss_kib("VmHWM")
        server.stop()
        rows.append({"system": system, "module": module, "procs": procs, "idle_after_start_kib": idle_start,
                     "idle_kib": idle, "load_max_kib": max(samples), "hwm_kib": hwm, "load_rps": load["rps"],
                     "server_command": server.command})

    def size(path):
        return os.path.getsize(path) if os.path.exists(path) else None

    image = None
    try:
        out = subprocess.run(["podman", "images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}"],
                             capture_output=True, text=True, timeout=30)
        tagged = [l for l in out.stdout.splitlines() if "wasmshim" in l or "evaluator" in l]
        image = tagged[0] if tagged else None
    except (OSError, subprocess.SubprocessError):
        pass
    return {"rss": rows, "binary_bytes": size(WASMSHIM), "musl_binary_bytes": size(MUSL), "image": image,
            "module_bytes": {m: size(p) for m, p in MODULES.items()}}


def scaling():
    """Scenario 6: throughput as the pool grows, and as the request body grows."""
    procs_rows = []
    for procs in (1, 2, 4, 8):
        log(f"scaling: FUNCTION_MAX_PROCS={procs}")
        server = Server("wasmshim", "rust", {"FUNCTION_MAX_PROCS": str(procs)}).wait_ready()
        server.expect_correct(NUMERIC)
        wrk(server.port, 64, NUMERIC, duration=WARMUP)
        results = [wrk(server.port, 64, NUMERIC) for _ in range(REPS)]
        server.stop()
        procs_rows.append({"procs": procs, "server_command": server.command,
                           "wrk_command": wrk_command(64, "numeric"), **summarize(results)})
    body_rows = []
    limit = 4 << 20
    server = Server("wasmshim", "rust", {"FUNCTION_MAX_BODY_BYTES": str(limit)}).wait_ready()
    for target in (100, 10_000, 100_000, 1 << 20):
        # A correct answer whose response is one long string: {"response": "xxx…", "answer": "xxx…"}.
        overhead = len('{"response": "", "answer": ""}')
        n = max(1, (target - overhead) // 2)
        body = '{"response": "%s", "answer": "%s"}' % ("x" * n, "x" * n)
        log(f"scaling: body {len(body)} bytes")
        server.expect_correct(body)
        connections = 8
        # A 1 MiB request takes tens of milliseconds: give the large bodies time for a sample.
        duration = DURATION if target < 100_000 else max(DURATION, 3)
        wrk(server.port, connections, body, duration=WARMUP)
        results = [wrk(server.port, connections, body, duration) for _ in range(REPS)]
        summary = summarize(results)
        body_rows.append({"target_bytes": target, "body_bytes": len(body),
                          "wrk_command": wrk_command(connections, f"{len(body)}-byte", duration),
                          "mib_per_s": summary["rps"]["median"] * len(body) / (1 << 20), **summary})
    server.stop()
    return {"procs": procs_rows, "body": body_rows, "body_server_command": server.command}


def main():
    results = {"machine": machine()}
    log(f"machine: {results['machine']}")
    started = time.time()
    try:
        for name, scenario in [("throughput", throughput), ("sequential", sequential), ("restore", restore),
                               ("cold_start", cold_start), ("footprint", footprint), ("scaling", scaling)]:
            t0 = time.time()
            before = open("/proc/loadavg").read().split()[0]
            results[name] = scenario()
            results["machine"].setdefault("loadavg_1min_per_scenario", {})[name] = [
                before, open("/proc/loadavg").read().split()[0]]
            log(f"{name}: {time.time() - t0:.0f} s")
    finally:
        stop_all()
    results["machine"]["loadavg_after"] = open("/proc/loadavg").read().split()[:3]
    results["machine"]["elapsed_s"] = round(time.time() - started)
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w") as f:
        json.dump(results, f, indent=1)
    log(f"wrote {OUTPUT} after {results['machine']['elapsed_s']} s")


if __name__ == "__main__":
    main()
