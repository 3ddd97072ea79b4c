"""The compare evaluator (examples/README.md) in Python, run as one process per request.

Like Shimmy's `file` interface: `python3 evaluator.py REQUEST_FILE RESPONSE_FILE`. The request file holds the
same envelope wasmshim hands its guests, {"method": "eval"|"preview"|"healthcheck", "params": <request body>};
the response file gets the same reply, {"command": ..., "result": {...}} or {"error": {"message": ...}}.
"""

import json
import math
import re
import sys

NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
WHITESPACE = " \t\n\r"

PARAM_TYPES = [
    ("atol", "a number"),
    ("rtol", "a number"),
    ("case_sensitive", "a boolean"),
    ("trim", "a boolean"),
    ("correct_response_feedback", "a string"),
    ("incorrect_response_feedback", "a string"),
]


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_type(value, kind):
    if kind == "a number":
        return is_number(value)
    if kind == "a boolean":
        return isinstance(value, bool)
    return isinstance(value, str)


def options(params):
    for name, kind in PARAM_TYPES:
        if name in params and not check_type(params[name], kind):
            raise ValueError(f"params.{name} must be {kind}")
    return {
        "atol": float(params.get("atol", 0)),
        "rtol": float(params.get("rtol", 0)),
        "case_sensitive": params.get("case_sensitive", True),
        "trim": params.get("trim", False),
        "correct": params.get("correct_response_feedback", "Correct!"),
        "incorrect": params.get("incorrect_response_feedback", "Incorrect."),
    }


def fold(text, opts):
    if opts["trim"]:
        text = text.strip(WHITESPACE)
    if not opts["case_sensitive"]:
        text = "".join(c.lower() if "A" <= c <= "Z" else c for c in text)
    return text


def close(r, a, opts):
    r, a = float(r), float(a)
    return abs(r - a) <= opts["atol"] + opts["rtol"] * abs(a)


def equal(r, a, opts):
    if is_number(r) and is_number(a):
        return close(r, a, opts)
    if is_number(a) and isinstance(r, str):
        text = r.strip(WHITESPACE) if opts["trim"] else r
        return NUMBER.fullmatch(text) is not None and close(float(text), a, opts)
    if isinstance(r, str) and isinstance(a, str):
        return fold(r, opts) == fold(a, opts)
    if isinstance(r, bool) and isinstance(a, bool):
        return r == a
    if r is None and a is None:
        return True
    if isinstance(r, list) and isinstance(a, list):
        return len(r) == len(a) and all(equal(x, y, opts) for x, y in zip(r, a))
    if isinstance(r, dict) and isinstance(a, dict):
        return r.keys() == a.keys() and all(equal(r[k], a[k], opts) for k in r)
    return False


def kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


SELF_TESTS = [
    ("integer equals float", 1, 1.0, {}, True),
    ("tolerance", 0.1001, 0.1, {"atol": 0.001}, True),
    ("case folding", "Hello ", "hello", {"case_sensitive": False, "trim": True}, True),
    ("arrays", [1, "a"], [1, "b"], {}, False),
]


def handle(envelope):
    method = envelope.get("method")
    params = envelope.get("params")
    if not isinstance(params, dict):
        raise ValueError("params must be an object")
    if method == "healthcheck":
        successes, failures = [], []
        for name, response, answer, test_params, expected in SELF_TESTS:
            got = equal(response, answer, options(test_params))
            if got == expected:
                successes.append({"name": name})
            else:
                failures.append({"name": name, "expected": expected, "got": got})
        return {"tests_passed": not failures, "successes": successes, "failures": failures, "errors": []}
    request_params = params.get("params", {})
    if not isinstance(request_params, dict):
        raise ValueError("params must be an object")
    opts = options(request_params)
    if "response" not in params:
        raise ValueError("missing response")
    response = params["response"]
    if method == "preview":
        if isinstance(response, str) and opts["trim"]:
            response = response.strip(WHITESPACE)
        return {"preview": {"type": kind(response), "response": response}}
    if method != "eval":
        raise ValueError(f"unknown method {method!r}")
    if "answer" not in params:
        raise ValueError("missing answer")
    correct = equal(response, params["answer"], opts)
    return {"is_correct": correct, "feedback": opts["correct"] if correct else opts["incorrect"]}


def main():
    request_file, response_file = sys.argv[1], sys.argv[2]
    with open(request_file, "rb") as f:
        envelope = json.loads(f.read())
    try:
        reply = {"command": envelope.get("method"), "result": handle(envelope)}
    except (ValueError, OverflowError) as error:
        reply = {"error": {"message": str(error)}}
    with open(response_file, "w") as f:
        json.dump(reply, f, allow_nan=False)


if __name__ == "__main__":
    main()
