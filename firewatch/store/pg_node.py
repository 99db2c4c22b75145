"""Start and stop a real PostgreSQL cluster (Debian's `postgresql` package) for development and tests.

`PgCluster(data_dir, port)` runs `initdb` once and `pg_ctl start/stop` with Debian's binaries
(`/usr/lib/postgresql/<major>/bin`). PostgreSQL refuses to run as root, so under root the cluster
belongs to the `postgres` system user (created by the package) and the commands run through
`runuser`. It listens on 127.0.0.1 only, trusts local connections (a development and test cluster,
never a production one) and `url()` names its database. `python -m firewatch.store.pg_node
start|stop|status` runs the development cluster under `var/pg` (what `make pg` and `make pg-stop` do).
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
DEV_DIR = ROOT / "var" / "pg"
DEV_PORT = 5433  # beside, not on, a system PostgreSQL's 5432
USER = "firewatch"
DATABASE = "firewatch"
# A throwaway test cluster trades durability for speed; the development cluster keeps the defaults.
FAST = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off")


class PgNodeError(RuntimeError):
    """PostgreSQL could not be set up, started or stopped; the message says what to do."""


def pg_bin() -> Path:
    """Debian's newest installed PostgreSQL server binaries."""
    base = Path("/usr/lib/postgresql")
    majors = sorted((p for p in base.glob("*/bin") if (p / "initdb").exists()),
                    key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    if not majors:
        raise PgNodeError("PostgreSQL is not installed: run `make install` (Debian: apt-get install postgresql)")
    return majors[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """One PostgreSQL cluster in `data_dir` on 127.0.0.1:`port`."""

    def __init__(self, data_dir: Path, port: int, fast: bool = False):
        self.data_dir = Path(data_dir)
        self.port = port
        self.fast = fast
        self._owner = "postgres" if os.geteuid() == 0 else None

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        argv = [str(pg_bin() / cmd[0]), *cmd[1:]]
        if self._owner:
            argv = ["runuser", "-u", self._owner, "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, cwd="/")
        if check and done.returncode != 0:
            raise PgNodeError(f"{cmd[0]} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}; "
                              f"see {self.log_path}")
        return done

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def _prepare(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._owner:
            try:
                owner = pwd.getpwnam(self._owner)
            except KeyError:
                raise PgNodeError("no `postgres` system user: install Debian's postgresql package (`make install`)") from None
            os.chown(self.data_dir, owner.pw_uid, owner.pw_gid)
            self.log_path.touch()
            os.chown(self.log_path, owner.pw_uid, owner.pw_gid)
        self._run("initdb", "-D", str(self.data_dir), "-U", USER, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")

    def running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists() and \
            self._run("pg_ctl", "status", "-D", str(self.data_dir), check=False).returncode == 0

    def start(self) -> str:
        """Initialise if new, start (waiting until it accepts connections), create the database; the URL."""
        self._prepare()
        if not self.running():
            options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data_dir} -c max_connections=200"
            if self.fast:
                options += " " + FAST
            self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data_dir), "-l", str(self.log_path),
                      "-o", options)
        self.create_database(DATABASE)
        return self.url()

    def new_schema(self, prefix: str = "s") -> str:
        """A new, empty schema in the cluster's database; the URL of a store in it (its name is the
        URL's `search_path`: `schema_of(url)`)."""
        name = prefix + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
        return f"{self.url()}?options=-csearch_path%3D{name}"

    def drop_schema(self, url: str) -> None:
        """Drop the schema a `new_schema` URL names, with everything in it."""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema_of(url)} CASCADE")

    def create_database(self, name: str) -> None:
        found = self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", "postgres", "-tAc",
                          f"SELECT 1 FROM pg_database WHERE datname='{name}'")
        if found.stdout.strip() != "1":
            self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name)

    def stop(self) -> None:
        if self.running():
            self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir))

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.log_path.unlink(missing_ok=True)


def schema_of(url: str) -> str:
    """The schema a `new_schema` URL names."""
    return url.rsplit("search_path%3D", 1)[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m firewatch.store.pg_node",
                                     description="运行开发用 PostgreSQL（var/pg，127.0.0.1:%d）" % DEV_PORT)
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--dir", type=Path, default=DEV_DIR, help="数据目录（默认 var/pg）")
    parser.add_argument("--port", type=int, default=DEV_PORT, help="端口（默认 %(default)s）")
    args = parser.parse_args(argv)
    cluster = PgCluster(args.dir, args.port)
    try:
        if args.action == "start":
            print(f"PostgreSQL 已启动 started: {cluster.start()}  （在 firewatch.toml 的 [store] url 中使用）")
        elif args.action == "stop":
            cluster.stop()
            print("PostgreSQL 已停止 stopped")
        else:
            print(f"运行中 running: {cluster.url()}" if cluster.running() else "未运行 not running")
    except PgNodeError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
