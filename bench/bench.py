#!/usr/bin/env python3
"""Load benchmarks for Baton, printed as ratios against a plain route measured in the same run.

    swift build -c release && python3 bench/bench.py [--db sqlite|postgres] [--duration 10] [--connections 16]

Starts the release binary on a scratch database, creates a user and a token through the CLI,
then runs wrk (Debian's `wrk`) with the same settings against each target. Every figure comes
with its error count; a benchmark with errors is a bug, not a figure.
"""
import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(binary, database, env, log=None):
    """Starts `baton serve` on a free port, waits until it is ready, yields its base URL, stops it.
    The server's output goes to the file `log` when given, else nowhere."""
    port = free_port()
    output = open(log, "ab") if log else subprocess.DEVNULL
    server = subprocess.Popen([binary, "serve", "--port", str(port), "--db", database], cwd=ROOT, env=env,
                              stdout=output, stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        if log:
            output.close()


def run_wrk(url, duration, connections, threads, headers=(), script=None):
    command = ["wrk", "--latency", "-d", f"{duration}s", "-c", str(connections), "-t", str(threads)]
    arguments = []
    if isinstance(script, list):
        script, arguments = script[0], script[1:]
    if script:
        command += ["-s", os.path.join(ROOT, "bench", script)]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(command + [url] + (["--"] + arguments if arguments else []),
                            capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = parse_latency(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = parse_latency(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(value) for value in socket_errors.groups())
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors}


def parse_latency(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "baton"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} not found: run `swift build -c release` first")

    workdir = tempfile.mkdtemp(prefix="baton-bench-")
    if args.db == "postgres":
        database = os.environ.get("DATABASE_URL") or sys.exit("--db postgres needs DATABASE_URL")
    else:
        database = os.path.join(workdir, "bench.sqlite")
    env = dict(os.environ, BATON_BCRYPT_COST="4", LOG_LEVEL="error")
    env.pop("DATABASE_URL", None)

    def cli(*command):
        return subprocess.run([args.binary, *command, "--db", database], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=True).stdout.strip()

    email = f"bench-{int(time.time())}@example.com"
    cli("user", "create", "--email", email, "--name", "Bench", "--password", "benchmark password", "--workspace", "Bench")
    token = cli("token", "create", "--email", email, "--name", "bench")

    with running_server(args.binary, database, env) as base:
        auth = f"Authorization: Bearer {token}"
        request = urllib.request.Request(base + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        me = json.load(urllib.request.urlopen(request, timeout=5))
        member = f"{base}/api/v1/workspaces/{me['workspaces'][0]['id']}/members/{me['user']['id']}"
        targets = [
            ("hello (GET /healthz)", base + "/healthz", (), None),
            ("GET /api/v1/me", base + "/api/v1/me", (auth,), None),
            ("PATCH member title (write)", member, (auth,), "patch_title.lua"),
        ]
        results = []
        for name, url, headers, script in targets:
            run_wrk(url, 2, args.connections, args.threads, headers, script)  # warm-up
            results.append((name, run_wrk(url, args.duration, args.connections, args.threads, headers, script)))

    baseline = results[0][1]["rps"]
    print(f"database={args.db} duration={args.duration}s connections={args.connections} threads={args.threads}")
    print(f"{'target':<28}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'errors':>8}")
    for name, result in results:
        print(f"{name:<28}{result['rps']:>10.0f}{result['p50']:>9.2f}{result['p99']:>9.2f}"
              f"{result['rps'] / baseline:>8.2f}{result['errors']:>8}")
    if any(result["errors"] for _, result in results):
        sys.exit("errors during the benchmark")


if __name__ == "__main__":
    main()
