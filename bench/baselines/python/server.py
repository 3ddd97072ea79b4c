"""Process-per-request baseline, the way Shimmy's `file` interface works: for every request the server writes
the envelope to a temporary file, starts `python3 evaluator.py REQUEST_FILE RESPONSE_FILE`, waits for it, and
returns what the process wrote. Standard library only (http.server.ThreadingHTTPServer, one thread per
connection, HTTP/1.1 keep-alive).

Usage: python3 server.py PORT
"""

import json
import os
import subprocess
import sys
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EVALUATOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "evaluator.py")
PYTHON = sys.executable  # the interpreter itself, not a version-manager shim
TIMEOUT = 30


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            self.reply(200, b'{"status":"ok"}')
        else:
            self.reply(404, b'{"error":{"message":"not found"}}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b"{}"
        command = self.headers.get("command", "eval")
        try:
            if not isinstance(json.loads(body), dict):
                raise ValueError
        except ValueError:
            return self.reply(400, b'{"error":{"message":"the body must be a JSON object"}}')
        with tempfile.TemporaryDirectory(prefix="pyeval-") as directory:
            request_file = os.path.join(directory, "request.json")
            response_file = os.path.join(directory, "response.json")
            with open(request_file, "wb") as f:
                f.write(b'{"method":"' + command.encode() + b'","params":' + body + b"}")
            try:
                subprocess.run([PYTHON, EVALUATOR, request_file, response_file], timeout=TIMEOUT, check=True)
                with open(response_file, "rb") as f:
                    reply = f.read()
                status = 500 if "error" in json.loads(reply) else 200
            except (subprocess.SubprocessError, OSError, ValueError) as error:
                reply = json.dumps({"error": {"message": f"evaluator failed: {error}"}}).encode()
                status = 500
        self.reply(status, reply)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


if __name__ == "__main__":
    Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
