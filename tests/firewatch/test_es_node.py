"""The Elasticsearch node infrastructure: `firewatch.search.es_node` and es/EsCluster.java.

A real node (the session's `es_url`) reports version 7.10.2 of the default flavour (the
Python client refuses anything else) and has the `cjk` analyzer the index templates use.
The background mode behind `make es` / `make es-stop` starts, answers and leaves no JVM
behind; set-up failures name their fix.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from firewatch.search.es_node import ROOT, EsCluster, EsNodeError, get_json, is_launcher
from tests.helpers import wait_until


def post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def java_processes(marker: str) -> list[str]:
    """Command lines of running launchers whose arguments contain `marker`."""
    out = subprocess.run(["pgrep", "-af", "EsCluster.java"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if marker in line]


def test_node_reports_version_and_default_flavor(es_url):
    info = get_json(es_url)
    assert info["version"]["number"] == "7.10.2"
    assert info["version"]["build_flavor"] == "default"  # the 7.17 client checks it
    assert info["cluster_name"].startswith("firewatch-test-")


def test_cjk_analyzer_splits_chinese_into_bigrams(es_url):
    result = post_json(f"{es_url}/_analyze", {"analyzer": "cjk", "text": "灭火器"})
    assert [t["token"] for t in result["tokens"]] == ["灭火", "火器"]


def test_background_node_round_trip(tmp_path):
    """`make es` then `make es-stop`, through the module's command line they run."""
    state = tmp_path / "es"
    cli = [sys.executable, "-m", "firewatch.search.es_node"]
    where = ["--dir", str(state), "--port", "0"]  # port 0: never collide with a developer's `make es`

    started = subprocess.run([*cli, "start", *where], capture_output=True, text=True, cwd=ROOT, timeout=240)
    try:
        assert started.returncode == 0, started.stderr
        assert started.stdout.startswith("Elasticsearch 7.10.2 at http://127.0.0.1:"), started.stdout
        assert "make es-stop" in started.stdout
        url = (state / "es.url").read_text().strip()
        pid = int((state / "es.pid").read_text())
        assert url in started.stdout
        assert get_json(url)["version"]["number"] == "7.10.2"
        status = subprocess.run([*cli, "status", *where], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert status.returncode == 0 and url in status.stdout
        again = subprocess.run([*cli, "start", *where], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert again.returncode == 0 and url in again.stdout  # reuses the running node
        assert len(java_processes(str(state))) == 1
    finally:
        stopped = subprocess.run([*cli, "stop", *where], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout, stopped.stderr
    assert not is_launcher(pid)  # gone (or a zombie until init reaps it)
    assert java_processes(str(state)) == []
    with pytest.raises(urllib.error.URLError):
        get_json(url, timeout=2)
    status = subprocess.run([*cli, "status", *where], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert status.returncode == 1 and "make es" in status.stdout


def test_missing_jars_name_make_es_fetch(tmp_path):
    cluster = EsCluster(data_dir=tmp_path / "data", lib=tmp_path / "no-lib")
    with pytest.raises(EsNodeError, match="make es-fetch"):
        cluster.start()


def test_jvm_failure_shows_command_and_output(tmp_path):
    cluster = EsCluster(data_dir=tmp_path / "data", heap="lots")
    with pytest.raises(EsNodeError) as failure:
        cluster.start(timeout=60)
    message = str(failure.value)
    assert "exited" in message and "-Xmxlots" in message  # the java command, to run by hand
    assert "Invalid" in message  # the JVM's own complaint about the heap size
    assert java_processes(str(tmp_path)) == []


def test_jvm_ends_when_its_parent_dies(tmp_path):
    """A killed test run leaves no JVM: the launcher exits when its stdin closes."""
    script = ("import sys\nfrom firewatch.search.es_node import EsCluster\n"
              f"c = EsCluster(data_dir={str(tmp_path / 'data')!r})\nc.start()\n"
              "print(c.pid, flush=True)\nsys.stdin.read()\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, cwd=ROOT)
    try:
        jvm = int(parent.stdout.readline())
        assert is_launcher(jvm)
    finally:
        parent.kill()  # no chance to call stop()
        parent.wait(10)
    wait_until(lambda: not is_launcher(jvm), 60, f"the JVM (pid {jvm}) to exit")
