"""`obs-stack up --native` / `down`: Debian's prometheus and alertmanager on 127.0.0.1.

Each process gets the rendered config, its own port and data directory, and a session
of its own; its PID and start time go to ``native/state.json`` so `down` stops exactly
those processes, never another that reused a PID.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from obs_core import ObsError

from obs_stack._alertmanager import configured_secrets
from obs_stack._files import private_folder, remove_folder, write_text
from obs_stack._render import render

__all__ = ["NativeError", "NativeProcess", "down_native", "up_native"]

INSTALL = "apt-get install prometheus prometheus-alertmanager (Debian/Ubuntu)"


class NativeError(ObsError, RuntimeError):
    """The native stack could not start or stop; the message says why and what to do."""


@dataclass(frozen=True)
class NativeProcess:
    """One process `up` started: what `down` needs to stop exactly it."""

    name: str
    pid: int
    start_time: str
    url: str
    log: str


def _state_path(directory: Path) -> Path:
    return directory / "native" / "state.json"


def _start_time(pid: int) -> str | None:
    """The kernel's start time of `pid` (None when it is gone or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] == "Z" else fields[19]


def _alive(proc: NativeProcess) -> bool:
    return _start_time(proc.pid) == proc.start_time


def _running(directory: str | os.PathLike[str]) -> list[NativeProcess]:
    """The processes a previous `up --native` in `directory` started that still run."""
    path = _state_path(Path(directory))
    if not path.is_file():
        return []
    procs = [NativeProcess(**p) for p in json.loads(path.read_text())]
    return [p for p in procs if _alive(p)]


def _binary(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise NativeError(f"{names[0]} is not installed: {INSTALL}")


def _check_port(host: str, port: int, setting: str) -> None:
    """Refuse a busy port before starting anything, naming the setting to change."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            raise NativeError(
                f"{host}:{port} is in use; choose another with --set {setting}=PORT"
            ) from None


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _write_secrets(folder: Path) -> None:
    """Receiver secrets from the environment, readable by this user only, at start."""
    wanted = configured_secrets()
    if not wanted:
        remove_folder(folder)
        return
    private_folder(folder)
    for var, name in wanted.items():
        write_text(folder / name, os.environ[var].strip(), mode=0o600)


def _spawn(name: str, argv: list[str], log: Path, url: str) -> NativeProcess:
    """Start `argv` in its own session, output to `log`, and record its start time."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        child = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
        )
    start = _start_time(child.pid) or ""
    return NativeProcess(name, child.pid, start, url, str(log))


def up_native(
    directory: str | os.PathLike[str], settings: Mapping[str, Any], timeout: float = 30.0
) -> list[NativeProcess]:
    """Render the native config into `directory`, start both processes, wait until ready."""
    root = Path(directory).resolve()
    if _running(root):
        raise NativeError(f"the native stack in {root} is already running: obs-stack down first")
    prometheus = _binary("prometheus")
    alertmanager = _binary("prometheus-alertmanager", "alertmanager")
    host = settings["bind_address"]
    prom_port, am_port = int(settings["prometheus_port"]), int(settings["alertmanager_port"])
    _check_port(host, am_port, "alertmanager_port")
    _check_port(host, prom_port, "prometheus_port")
    render(root, settings, "native")
    native = root / "native"
    _write_secrets(native / "secrets")
    data = native / "data"
    procs = [
        _spawn(
            "alertmanager",
            [
                alertmanager,
                f"--config.file={native / 'alertmanager.yml'}",
                f"--storage.path={data / 'alertmanager'}",
                f"--web.listen-address={host}:{am_port}",
                "--cluster.listen-address=",
            ],
            native / "logs" / "alertmanager.log",
            f"http://{host}:{am_port}",
        )
    ]
    procs.append(
        _spawn(
            "prometheus",
            [
                prometheus,
                f"--config.file={native / 'prometheus.yml'}",
                f"--storage.tsdb.path={data / 'prometheus'}",
                f"--web.listen-address={host}:{prom_port}",
                "--enable-feature=exemplar-storage",
                "--rules.alert.resend-delay=1s",
                "--web.enable-lifecycle",
            ],
            native / "logs" / "prometheus.log",
            f"http://{host}:{prom_port}",
        )
    )
    _state_path(root).write_text(json.dumps([asdict(p) for p in procs], indent=2))
    deadline = time.monotonic() + timeout
    waiting = list(procs)
    while waiting:
        for proc in list(waiting):
            if not _alive(proc):
                _stop(procs)
                raise NativeError(f"{proc.name} exited at start:\n{_tail(Path(proc.log))}")
            if _ready(proc.url):
                waiting.remove(proc)
        if waiting and time.monotonic() > deadline:
            _stop(procs)
            names = ", ".join(p.name for p in waiting)
            raise NativeError(f"{names} not ready after {timeout:.0f} s; see {waiting[0].log}")
        if waiting:
            time.sleep(0.2)
    return procs


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _stop(procs: list[NativeProcess], timeout: float = 10.0) -> list[NativeProcess]:
    """SIGTERM, then SIGKILL after `timeout`, the recorded processes still alive; reap them."""
    alive = [p for p in procs if _alive(p)]
    for proc in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in alive:
            _reap(proc.pid)
        if not any(_alive(p) for p in alive):
            break
        time.sleep(0.1)
    for proc in alive:
        if _alive(proc):
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            time.sleep(0.1)
            _reap(proc.pid)
    return alive


def down_native(directory: str | os.PathLike[str]) -> list[NativeProcess]:
    """Stop exactly the processes `up --native` recorded in `directory`; return them."""
    path = _state_path(Path(directory).resolve())
    if not path.is_file():
        return []
    procs = [NativeProcess(**p) for p in json.loads(path.read_text())]
    stopped = _stop(procs)
    path.unlink()
    remove_folder(path.parent / "secrets")
    return stopped
