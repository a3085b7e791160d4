"""The `baton` CLI: commands work against a real database, and mistakes get one clear line."""
import json
import os
import subprocess
import tempfile
import urllib.request

from conftest import ROOT

BINARY = os.environ.get("BATON_BINARY", str(ROOT / ".build" / "debug" / "baton"))


def baton(*args, env=None):
    environment = dict(os.environ, BATON_BCRYPT_COST="4", **(env or {}))
    environment.pop("DATABASE_URL", None)
    return subprocess.run([BINARY, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def test_help_for_every_command():
    for command in (["--help"], ["serve", "--help"], ["migrate", "--help"], ["demo", "--help"],
                    ["user", "create", "--help"], ["user", "reset-password", "--help"], ["token", "create", "--help"]):
        result = baton(*command)
        assert result.returncode == 0, (command, result.stderr)
        assert "USAGE" in result.stdout.upper()


def test_bad_arguments_fail_with_one_clear_line():
    result = baton("serve", "--port", "70000")
    assert result.returncode != 0
    assert "--port must be between 1 and 65535" in result.stderr
    result = baton("user", "create", "--email", "a@b.co")
    assert result.returncode != 0
    assert "Missing expected argument" in result.stderr
    result = baton("frobnicate")
    assert result.returncode != 0


def test_unreachable_database_fails_with_one_line():
    result = baton("migrate", "--db", "postgres://nobody@127.0.0.1:1/none")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert any("cannot use the database (PostgreSQL at postgres://nobody@127.0.0.1:1/none)" in line for line in lines), result.stderr
    result = baton("migrate", "--db", "/nonexistent-dir/x/baton.sqlite")
    assert result.returncode == 1
    assert "cannot use the database (SQLite file /nonexistent-dir/x/baton.sqlite)" in result.stderr


def test_user_and_token_commands_against_sqlite():
    db = os.path.join(tempfile.mkdtemp(prefix="baton-cli-"), "cli.sqlite")
    assert baton("migrate", "--db", db).returncode == 0
    created = baton("user", "create", "--email", "Ops@Example.com", "--name", "Ops Person",
                    "--password", "a long password", "--workspace", "Ops", "--db", db)
    assert created.returncode == 0, created.stderr
    assert "ops@example.com" in created.stdout

    duplicate = baton("user", "create", "--email", "ops@example.com", "--name", "Again",
                      "--password", "a long password", "--workspace", "Ops", "--db", db)
    assert duplicate.returncode == 1
    assert "email: An account with this email already exists." in duplicate.stderr

    weak = baton("user", "reset-password", "--email", "ops@example.com", "--password", "short", "--db", db)
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr
    assert baton("user", "reset-password", "--email", "ops@example.com", "--password", "another long one", "--db", db).returncode == 0

    token = baton("token", "create", "--email", "ops@example.com", "--name", "cli", "--db", db)
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip()
    assert len(secret) >= 40

    # the token works against a server on the same file
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    environment = dict(os.environ)
    environment.pop("DATABASE_URL", None)
    server = subprocess.Popen([BINARY, "serve", "--port", str(port), "--db", db], cwd=ROOT, env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import time
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        me = json.load(urllib.request.urlopen(request, timeout=5))
        assert me["user"]["email"] == "ops@example.com"
        assert me["workspaces"][0]["name"] == "Ops"
        assert me["workspaces"][0]["role"] == "owner"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_demo_seeds_prints_logins_and_serves():
    import socket
    import time
    db = os.path.join(tempfile.mkdtemp(prefix="baton-demo-"), "baton-demo.sqlite")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    environment = dict(os.environ)
    environment.pop("DATABASE_URL", None)
    log_path = db + ".log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([BINARY, "demo", "--port", str(port), "--db", db], cwd=ROOT, env=environment,
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 60
            while time.time() < deadline and "Sign in as" not in open(log_path).read():
                time.sleep(0.2)
            banner = open(log_path).read()
            assert f"Baton demo is running at http://127.0.0.1:{port}" in banner
            assert "maya@acme.test" in banner and "jordan@client.test" in banner
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            body = json.dumps({"email": "maya@acme.test", "password": "baton-demo-2026"}).encode()
            login = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/auth/login", data=body,
                                           headers={"Content-Type": "application/json"})
            token = json.load(urllib.request.urlopen(login, timeout=10))["token"]
            me = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            workspace = json.load(urllib.request.urlopen(me, timeout=5))["workspaces"][0]
            assert workspace["name"] == "Acme Product"
            members = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/workspaces/{workspace['id']}/members",
                                             headers={"Authorization": f"Bearer {token}"})
            assert len(json.load(urllib.request.urlopen(members, timeout=5))["data"]) == 9
            # the demo's approvals: several wait on Maya
            waiting = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/workspaces/{workspace['id']}/approval-requests?view=to_approve",
                                             headers={"Authorization": f"Bearer {token}"})
            assert len(json.load(urllib.request.urlopen(waiting, timeout=5))["data"]) >= 3
        finally:
            server.terminate()
            server.wait(timeout=10)
