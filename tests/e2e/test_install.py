"""The binary serves its pages wherever it is started: from a checkout's .build, copied next to
its Resources and Public (an install), or pointed at them with --resources / BATON_RESOURCES."""
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

from conftest import ROOT, free_port
from test_cli import BINARY


def serve(binary, cwd, *args, env=None):
    """Starts `binary serve` in `cwd`; returns (process, base URL, log path) once /readyz answers."""
    port = free_port()
    log_path = os.path.join(cwd, "server.log")
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BATON_RESOURCES")}
    environment.update(BATON_BCRYPT_COST="4", **(env or {}))
    with open(log_path, "w") as log:
        process = subprocess.Popen([binary, "serve", "--port", str(port), *args], cwd=cwd, env=environment,
                                   stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if process.poll() is not None:
            break
        try:
            urllib.request.urlopen(base + "/readyz", timeout=1)
            return process, base, log_path
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("server did not start: " + open(log_path).read())


def assert_pages(base):
    login = urllib.request.urlopen(base + "/login", timeout=10)
    body = login.read().decode()
    assert login.status == 200 and 'name="password"' in body, body[:300]
    css = urllib.request.urlopen(base + "/baton.css", timeout=10)
    assert css.status == 200 and len(css.read()) > 1000


def stop(process):
    process.terminate()
    process.wait(timeout=10)


def test_version():
    result = subprocess.run([BINARY, "--version"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stdout.strip().count(".") == 2, result


def test_serves_pages_started_from_another_directory():
    workdir = tempfile.mkdtemp(prefix="baton-anywhere-")
    process, base, log = serve(BINARY, workdir)
    try:
        assert_pages(base)
        # it says where its database and resources are, and the database is where it was started
        said = open(log).read()
        assert f"database SQLite file {os.path.realpath(workdir)}/baton.sqlite" in said.replace(workdir, os.path.realpath(workdir)), said
        assert f"resources {ROOT}/" in said, said
        assert os.path.exists(os.path.join(workdir, "baton.sqlite"))
    finally:
        stop(process)


def test_an_install_is_the_binary_with_its_resources_beside_it():
    install = tempfile.mkdtemp(prefix="baton-install-")
    shutil.copy2(BINARY, os.path.join(install, "baton"))
    shutil.copytree(ROOT / "Resources", os.path.join(install, "Resources"))
    shutil.copytree(ROOT / "Public", os.path.join(install, "Public"))
    data = tempfile.mkdtemp(prefix="baton-data-")
    process, base, _ = serve(os.path.join(install, "baton"), data)
    try:
        assert_pages(base)
    finally:
        stop(process)
    # a binary alone refuses to start, saying what to do; --resources and BATON_RESOURCES point it
    lonely = tempfile.mkdtemp(prefix="baton-lonely-")
    shutil.copy2(BINARY, os.path.join(lonely, "baton"))
    result = subprocess.run([os.path.join(lonely, "baton"), "serve", "--port", str(free_port())], cwd=data,
                            capture_output=True, text=True, timeout=60,
                            env={k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BATON_RESOURCES")})
    assert result.returncode == 1 and "--resources DIR" in result.stderr, result
    for args, env in ((["--resources", install], None), ([], {"BATON_RESOURCES": install})):
        process, base, _ = serve(os.path.join(lonely, "baton"), data, *args, "--db", os.path.join(data, "x.sqlite"), env=env)
        try:
            assert_pages(base)
        finally:
            stop(process)
