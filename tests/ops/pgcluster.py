"""PostgreSQL for the operations drills: the suite's server, or a private throwaway cluster.

The drills that restart PostgreSQL must never restart a shared server, so they start a cluster
of their own with Debian's binaries (/usr/lib/postgresql/*/bin) in a temp dir on a free port.
initdb refuses to run as root, so as root the cluster runs as the `postgres` system user.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg


class ClusterUnavailable(Exception):
    """No private cluster can be started here (no binaries, no user to run it as)."""


def suite_postgres_url() -> str | None:
    """DATABASE_URL when the suite runs on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def postgres_bin_dir() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return candidates[-1].parent if candidates else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PrivateCluster:
    bin_dir: Path
    directory: Path
    port: int
    run_as: str | None

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.directory} "
            # No fsync: the drills restart the server, not the machine, so the OS keeps every
            # written page; durability against power loss is not what they test.
            "-c fsync=off -c full_page_writes=off -c max_connections=60 -c shared_buffers=32MB"
        )
        log = self.directory / "server.log"
        result = self._run("pg_ctl", action, "-D", str(self.data), "-l", str(log), "-w", "-t", "60",
                           "-o", options, *extra)
        if result.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise ClusterUnavailable(f"pg_ctl {action} failed: {result.stderr or result.stdout}\n{tail}")

    def start(self) -> None:
        self._pg_ctl("start")

    def restart(self, mode: str = "immediate") -> None:
        # "immediate" ends every backend at once without a checkpoint, like a crash of the
        # server process; the restart then recovers from the write-ahead log.
        self._pg_ctl("restart", "-m", mode)

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30")

    def clone(self, source_url: str, name: str) -> str:
        """A copy of a database (anywhere) in this cluster, schema and rows: quicker than migrating."""
        target = self.create_database(name)
        dump = subprocess.run([str(self.bin_dir / "pg_dump"), "--no-owner", "--no-privileges", source_url],
                              capture_output=True, timeout=300, check=False)
        if dump.returncode != 0:
            raise ClusterUnavailable(f"pg_dump failed: {dump.stderr.decode(errors='replace')}")
        load = subprocess.run([str(self.bin_dir / "psql"), "-q", "-v", "ON_ERROR_STOP=1", target],
                              input=dump.stdout, capture_output=True, timeout=300, check=False)
        if load.returncode != 0:
            raise ClusterUnavailable(f"loading the copy failed: {load.stderr.decode(errors='replace')}")
        return target

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_private_cluster() -> PrivateCluster:
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise ClusterUnavailable(
            "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
        )
    run_as = None
    directory = Path(tempfile.mkdtemp(prefix="learnloop-pg-"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError as error:
            shutil.rmtree(directory, ignore_errors=True)
            raise ClusterUnavailable("running as root and there is no `postgres` user to run initdb as") from error
        os.chown(directory, user.pw_uid, user.pw_gid)
        run_as = "postgres"
    cluster = PrivateCluster(bin_dir=bin_dir, directory=directory, port=free_port(), run_as=run_as)
    result = cluster._run("initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust",
                          "--no-sync", "-E", "UTF8", "--locale=C.UTF-8", timeout=120)
    if result.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        raise ClusterUnavailable(f"initdb failed: {result.stderr or result.stdout}")
    try:
        cluster.start()
    except ClusterUnavailable:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return cluster


def remove_cluster(cluster: PrivateCluster) -> None:
    cluster.stop()
    shutil.rmtree(cluster.directory, ignore_errors=True)


def wait_until_accepting(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
