"""Start and stop real Elasticsearch 7.10.2 nodes for development and tests.

`EsCluster(nodes)` runs the nodes in one Java 17 process (`es/EsCluster.java` over the jars `make
es-fetch` puts in `es/lib/`): `start()` returns one URL per node once the cluster is yellow, and the
JVM ends with `stop()` or this process. `python -m firewatch.search.es_node start|stop|status`.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ES_DIR = ROOT / "es"
LIB = ES_DIR / "lib"
LAUNCHER = ES_DIR / "EsCluster.java"
VERSION = "7.10.2"
DEV_DIR = ROOT / "var" / "es"
DEV_PORT = 9200


class EsNodeError(RuntimeError):
    """Elasticsearch could not be started or stopped; the message says what to do."""


def _check_jars(lib: Path = LIB) -> None:
    if not any(lib.glob("elasticsearch-7*.jar")):
        raise EsNodeError(f"the Elasticsearch jars are missing from {lib}: run `make es-fetch` "
                          "(Maven downloads org.codelibs:elasticsearch-cluster-runner, 36 MB, once)")
    if shutil.which("java") is None:
        raise EsNodeError("no `java` on PATH: install a Java 17 JDK (Debian: apt-get install "
                          "openjdk-17-jdk-headless; `make es-fetch` does it)")


def java_command(nodes: int, data_dir: Path, cluster_name: str, heap: str = "512m", http_port: int = 0,
                 serve: bool = False, quick: bool = False, lib: Path = LIB) -> list[str]:
    """The command that runs the launcher (run it from any directory).

    `quick` compiles with C1 only: start-up drops from about 8 to 4.5 s (one node), which
    matters to test sessions more than peak throughput.
    """
    return ["java", f"-Xms{heap}", f"-Xmx{heap}", *(["-XX:TieredStopAtLevel=1"] if quick else []),
            "-Des.distribution.flavor=default", "-Dio.netty.allocator.numDirectArenas=0",
            "-Dio.netty.recycler.maxCapacityPerThread=0", "-Dio.netty.noKeySetOptimization=true",
            "-XX:-UsePerfData", "-cp", str(lib / "*"), str(LAUNCHER),
            str(nodes), str(http_port), str(data_dir), cluster_name, *(["--serve"] if serve else [])]


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "(no output)"
    kept = [line for line in text if line.strip() and not line.startswith(("\tat ", "\t... "))]
    return "\n".join(kept[-lines:]) or "(no output)"


class EsCluster:
    """N real Elasticsearch nodes in one JVM, driven through the launcher's stdin.

    `data_dir` defaults to a fresh temporary folder that `stop()` removes; the JVM's
    log is `data_dir/es.log`. `heap` is the whole JVM's (all nodes share it): 512m
    suits one node, 1g three. `quick` (default) trades peak speed for start-up time;
    `lib` is the jar folder. A node started again by `start_node` keeps its data and
    transport port but gets a new HTTP port (its new URL is returned and in `urls`).
    """

    def __init__(self, nodes: int = 1, data_dir: Path | str | None = None, cluster_name: str | None = None,
                 heap: str = "512m", http_port: int = 0, quick: bool = True, lib: Path | str = LIB):
        if nodes < 1:
            raise ValueError("nodes must be at least 1")
        self.nodes = nodes
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir is not None else Path(tempfile.mkdtemp(prefix="firewatch-es-"))
        self.cluster_name = cluster_name or f"firewatch-{uuid.uuid4().hex[:10]}"
        self.heap = heap
        self.http_port = http_port
        self.quick = quick
        self.lib = Path(lib)
        self.log_path = self.data_dir / "es.log"
        self.urls: dict[int, str | None] = {}
        self.start_seconds: float | None = None
        self._proc: subprocess.Popen | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._other_output: collections.deque[str] = collections.deque(maxlen=10)
        self._lock = threading.Lock()

    @property
    def command(self) -> list[str]:
        return java_command(self.nodes, self.data_dir, self.cluster_name, self.heap, self.http_port,
                            quick=self.quick, lib=self.lib)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def live_urls(self) -> list[str]:
        """URLs of the nodes now running, in node order."""
        return [url for _, url in sorted(self.urls.items()) if url]

    def start(self, timeout: float = 180) -> list[str]:
        """Start the JVM and its nodes; return their URLs once the cluster is yellow."""
        if self._proc is not None:
            raise EsNodeError("this EsCluster is already started")
        _check_jars(self.lib)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        with open(self.log_path, "wb") as log:
            # The JVM also ends by itself when this process dies, as its stdin closes.
            self._proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=log, text=True, encoding="utf-8", cwd=ROOT)
        threading.Thread(target=self._read_stdout, name="es-cluster-stdout", daemon=True).start()
        try:
            while True:
                line = self._expect(("NODE ", "READY", "FAILED"), began + timeout, "start")
                if line.startswith("NODE "):
                    _, index, url = line.split(maxsplit=2)
                    self.urls[int(index)] = url
                elif line == "READY":
                    break
                else:
                    raise self._failure(f"Elasticsearch reported: {line}")
        except BaseException:
            self._kill()
            raise
        self.start_seconds = time.monotonic() - began
        return self.live_urls()

    def stop_node(self, index: int, timeout: float = 60) -> None:
        """Close node `index` (1-based); the other nodes keep running."""
        self._command(f"stop {index}", ("STOPPED",), timeout)
        self.urls[index] = None

    def start_node(self, index: int, timeout: float = 180) -> str:
        """Start a stopped node again (same data, new HTTP port); return its URL."""
        line = self._command(f"start {index}", ("STARTED",), timeout)
        url = line.split(maxsplit=2)[2]
        self.urls[index] = url
        return url

    def stop(self, timeout: float = 60) -> None:
        """Close every node and end the JVM; remove the data folder if it was temporary."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                proc.stdin.write("quit\n")
                proc.stdin.close()
            except (BrokenPipeError, OSError, ValueError):
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        if proc is not None and proc.stdout:
            proc.stdout.close()
        self.urls = {i: None for i in self.urls}
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> "EsCluster":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- plumbing -------------------------------------------------------------------

    def _read_stdout(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        try:
            for line in proc.stdout:
                self._lines.put(line.strip())
        except (OSError, ValueError):
            pass
        self._lines.put(None)

    def _expect(self, prefixes: tuple[str, ...], deadline: float, doing: str) -> str:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._failure(f"Elasticsearch did not finish '{doing}' in time")
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                if self._proc is not None:
                    self._proc.wait(10)
                raise self._failure(f"the Elasticsearch JVM exited during '{doing}'")
            if line.startswith("ERROR "):
                raise self._failure(f"'{doing}' failed: {line[6:]}")
            if line.startswith(prefixes):
                return line
            if line and not line.startswith(("NODE ", "READY", "STOPPED ", "STARTED ")):
                self._other_output.append(line)  # the JVM's own errors come on stdout

    def _command(self, command: str, prefixes: tuple[str, ...], timeout: float) -> str:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                raise EsNodeError(f"cannot '{command}': the cluster is not running (call start() first)")
            self._proc.stdin.write(command + "\n")
            self._proc.stdin.flush()
            return self._expect(prefixes, time.monotonic() + timeout, command)

    def _failure(self, what: str) -> EsNodeError:
        code = self._proc.poll() if self._proc else None
        status = f" (exit code {code})" if code is not None else ""
        stdout = "".join(f"\n{line}" for line in self._other_output)
        return EsNodeError(f"{what}{status}.\ncommand: {' '.join(self.command)}{stdout}\n"
                           f"last lines of {self.log_path}:\n{_tail(self.log_path)}")

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(10)
        self._proc = None


# -- background node for `make es` --------------------------------------------------

def get_json(url: str, timeout: float = 5) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def is_launcher(pid: int) -> bool:
    """Whether `pid` is running and is our launcher (a reused pid is not ours)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][:1]
    except (OSError, IndexError):
        return False
    return b"EsCluster.java" in cmdline and state != "Z"


def running(state_dir: Path = DEV_DIR) -> tuple[int, str] | None:
    """(pid, url) of the background node if its pid file names a live launcher."""
    try:
        pid = int((state_dir / "es.pid").read_text())
        url = (state_dir / "es.url").read_text().strip()
    except (OSError, ValueError):
        return None
    return (pid, url) if is_launcher(pid) else None


def start_background(state_dir: Path = DEV_DIR, port: int = DEV_PORT, heap: str = "512m",
                     timeout: float = 180) -> str:
    """Start one node that outlives this process; return its URL (reuse a running one)."""
    found = running(state_dir)
    if found:
        return found[1]
    _check_jars()
    state_dir.mkdir(parents=True, exist_ok=True)
    out, log = state_dir / "es.out", state_dir / "es.log"
    command = java_command(1, state_dir / "data", "firewatch-dev", heap, port, serve=True)
    with open(out, "wb") as stdout, open(log, "wb") as stderr:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, cwd=ROOT,
                                start_new_session=True)
    (state_dir / "es.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    url = None
    while time.monotonic() < deadline:
        lines = out.read_text(encoding="utf-8", errors="replace").splitlines()
        url = next((line.split()[2] for line in lines if line.startswith("NODE 1 ")), url)
        if "READY" in lines and url:
            break
        if proc.poll() is not None:
            raise EsNodeError(f"the Elasticsearch JVM exited with code {proc.returncode}.\n"
                              f"command: {' '.join(command)}\nlast lines of {log}:\n{_tail(log)}")
        time.sleep(0.2)  # polling the launcher's output file against a deadline
    else:
        stop_background(state_dir)
        raise EsNodeError(f"Elasticsearch did not report READY within {timeout:.0f} s; see {log}")
    (state_dir / "es.url").write_text(url + "\n")
    return url


def stop_background(state_dir: Path = DEV_DIR, timeout: float = 60) -> int | None:
    """SIGTERM the background node (its shutdown hook closes it); return its pid or None."""
    try:
        pid = int((state_dir / "es.pid").read_text())
    except (OSError, ValueError):
        return None
    if is_launcher(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while is_launcher(pid) and time.monotonic() < deadline:
            time.sleep(0.1)  # not our child: poll /proc until it is gone
        if is_launcher(pid):
            os.kill(pid, signal.SIGKILL)
    for name in ("es.pid", "es.url"):
        (state_dir / name).unlink(missing_ok=True)
    return pid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m firewatch.search.es_node",
                                     description="Run one Elasticsearch node in the background (make es).")
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument("--dir", type=Path, default=DEV_DIR, help="pid, url, log and data folder (var/es)")
    parser.add_argument("--port", type=int, default=DEV_PORT, help="first HTTP port to try (9200)")
    parser.add_argument("--heap", default="512m", help="JVM heap (512m)")
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            url = start_background(args.dir, args.port, args.heap)
            info = get_json(url)
            print(f"Elasticsearch {info['version']['number']} at {url} — stop with make es-stop")
        elif args.action == "stop":
            pid = stop_background(args.dir)
            print(f"Elasticsearch (pid {pid}) stopped" if pid else "Elasticsearch was not running")
        else:
            found = running(args.dir)
            if not found:
                print("Elasticsearch is not running (start it with make es)")
                return 1
            print(f"Elasticsearch running at {found[1]} (pid {found[0]})")
    except EsNodeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
