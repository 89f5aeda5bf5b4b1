"""Docker Compose for `obs-stack up` / `down` when a Docker engine is reachable."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

__all__ = ["compose", "docker_engine_problem"]


def docker_engine_problem() -> str | None:
    """Why no Docker engine can be used here, or None when one answers."""
    docker = shutil.which("docker")
    if docker is None:
        return "the docker command is not installed"
    try:
        result = subprocess.run(
            [docker, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "docker info did not answer within 15 s"
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        return lines[-1] if lines else "docker info failed"
    return None


def compose(directory: Path, *args: str) -> int:
    """Run ``docker compose`` on the rendered file; return its exit code."""
    command = ["docker", "compose", "-f", str(directory / "docker-compose.yml"), *args]
    return subprocess.run(command, cwd=directory, check=False).returncode
