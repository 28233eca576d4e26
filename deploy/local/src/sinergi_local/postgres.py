"""PostgreSQL from the server binaries of Debian's ``postgresql`` package, as a local process."""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from sinergi_local import processes

SUPERUSER = "postgres"


def server_bin_dir() -> Path:
    """Where initdb and pg_ctl are; installs Debian's postgresql package if they are missing."""
    found = _find()
    if found is None:
        if os.geteuid() != 0:
            raise RuntimeError("PostgreSQL server binaries are missing: apt-get install postgresql")
        subprocess.run(["apt-get", "update", "-q"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        found = _find()
        if found is None:
            raise RuntimeError("PostgreSQL server binaries still missing after apt-get install postgresql")
    return found


def _find() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]),
                            reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _as_server_user() -> list[str]:
    """Postgres refuses to run as root: run it as the ``postgres`` system user then."""
    if os.geteuid() != 0:
        return []
    pwd.getpwnam("postgres")
    return ["runuser", "-u", "postgres", "--"]


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(path, user.pw_uid, user.pw_gid)


def _server_user_reaches(path: Path) -> bool:
    return subprocess.run([*_as_server_user(), "test", "-x", str(path)], check=False).returncode == 0


def cluster_dir(run_dir: Path) -> Path:
    """Where the cluster of ``run_dir`` lives: ``run_dir/postgres``. Run as root, the server runs as the
    ``postgres`` user; where that user cannot reach into ``run_dir`` (a clone inside a private temporary
    directory), the cluster lives in that user's home instead and ``run_dir/postgres`` links to it."""
    link = run_dir / "postgres"
    if link.is_symlink():
        return link.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or _server_user_reaches(run_dir):
        return link
    home = Path(pwd.getpwnam("postgres").pw_dir) / "sinergi"
    target = home / hashlib.sha256(str(run_dir.resolve()).encode()).hexdigest()[:16]
    target.mkdir(parents=True, exist_ok=True)
    for path in (home, target):
        _own(path)
        path.chmod(0o700)
    link.symlink_to(target, target_is_directory=True)
    return target


def remove(run_dir: Path) -> None:
    """Delete a stopped cluster that lives outside ``run_dir`` (``cluster_dir``), and its link."""
    link = run_dir / "postgres"
    if link.is_symlink():
        shutil.rmtree(link.resolve(), ignore_errors=True)
        link.unlink()


def start(run_dir: Path, port: int, password: str) -> str:
    """Start (initialising on first use) the cluster of ``run_dir`` (``cluster_dir``); return the admin DSN."""
    bin_dir = server_bin_dir()
    base = cluster_dir(run_dir)
    data, sockets = base / "data", base / "sockets"
    base.mkdir(parents=True, exist_ok=True)
    sockets.mkdir(exist_ok=True)
    for path in (base, sockets):
        _own(path)
        path.chmod(0o700)
    if not (data / "PG_VERSION").exists():
        password_file = base / "pwfile"
        password_file.write_text(password)
        _own(password_file)
        initdb = subprocess.run(
            [*_as_server_user(), str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-E", "UTF8",
             "--locale=C.UTF-8", "--auth-host=scram-sha-256", "--auth-local=peer", f"--pwfile={password_file}"],
            check=False, capture_output=True, text=True,
        )
        password_file.unlink()
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed: {initdb.stderr.strip()[-500:]}")
    log = base / "postgres.log"
    log.touch()
    _own(log)
    status = subprocess.run([*_as_server_user(), str(bin_dir / "pg_ctl"), "-D", str(data), "status"],
                            capture_output=True, check=False)
    if status.returncode != 0:
        processes.ensure_port_free(port, "postgres")
        options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=300 "
                   "-c fsync=on -c shared_buffers=256MB")
        subprocess.run(
            [*_as_server_user(), str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
             "-w", "-t", "60", "start"],
            check=True, capture_output=True,
        )
    processes.wait_for_port(port, timeout=30, name="postgres", log=log)
    return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{port}/postgres"


def stop(run_dir: Path, *, mode: str = "fast") -> None:
    data = (run_dir / "postgres").resolve() / "data"
    if not (data / "postmaster.pid").exists():
        return
    subprocess.run([*_as_server_user(), str(server_bin_dir() / "pg_ctl"), "-D", str(data), "-m", mode, "-w",
                    "stop"], capture_output=True, check=False)
