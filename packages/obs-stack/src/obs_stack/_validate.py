"""`obs-stack validate`: prove rendered files with the real tools.

promtool checks prometheus.yml and rule files (and every dashboard query's PromQL), amtool
checks alertmanager.yml, check-jsonschema checks docker-compose.yml against the Compose
spec, and the dashboard checks catch what Grafana's file provisioning rejects.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from obs_stack._dashcheck import dashboard_problems, dashboard_recording_rules
from obs_stack._files import dump_yaml

__all__ = ["INSTALL_HINTS", "Check", "validate"]

INSTALL_HINTS = {
    "promtool": "apt-get install prometheus (Debian/Ubuntu), or https://prometheus.io/download/",
    "amtool": "apt-get install prometheus-alertmanager (Debian/Ubuntu), "
    "or https://prometheus.io/download/#alertmanager",
    "check-jsonschema": "pip install check-jsonschema",
}


@dataclass(frozen=True)
class Check:
    """One validation: what was checked, whether it passed, and why not."""

    name: str
    ok: bool
    detail: str = ""


def _tool(name: str) -> str | None:
    """A tool on PATH, or installed beside this Python (check-jsonschema)."""
    found = shutil.which(name)
    if found is None:
        beside = Path(sys.executable).parent / name  # a tool installed in this environment
        found = str(beside) if beside.is_file() else None
    return found


def _run(name: str, tool: str, args: list[str], cwd: Path) -> Check:
    path = _tool(tool)
    if path is None:
        return Check(name, False, f"{tool} is not installed: {INSTALL_HINTS[tool]}")
    result = subprocess.run(
        [path, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    return Check(name, result.returncode == 0, (result.stdout + result.stderr).strip())


def _rel(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _check_rules_text(name: str, groups: list[Any], root: Path) -> Check:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rules.yml"
        path.write_text(dump_yaml({"groups": groups}), encoding="utf-8")
        return _run(name, "promtool", ["check", "rules", str(path)], root)


def _prometheus(root: Path) -> list[Check]:
    checks = []
    for config in (root / "prometheus" / "prometheus.yml", root / "native" / "prometheus.yml"):
        if config.is_file():
            checks.append(
                _run(
                    f"promtool check config {_rel(config, root)}",
                    "promtool",
                    ["check", "config", str(config)],
                    root,
                )
            )
            rules = sorted((config.parent / "rules").glob("*.yml"))
            if rules:
                checks.append(
                    _run(
                        f"promtool check rules {_rel(config.parent / 'rules', root)}",
                        "promtool",
                        ["check", "rules", *map(str, rules)],
                        root,
                    )
                )
    return checks


def _alertmanager(root: Path) -> list[Check]:
    return [
        _run(f"amtool check-config {_rel(c, root)}", "amtool", ["check-config", str(c)], root)
        for c in (root / "alertmanager" / "alertmanager.yml", root / "native" / "alertmanager.yml")
        if c.is_file()
    ]


def _compose_policy(path: Path) -> list[str]:
    """What the Compose spec allows but obs-stack forbids: a literal Grafana password."""
    model = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    problems = []
    for name, service in (model.get("services") or {}).items():
        env = service.get("environment") or {}
        password = env.get("GF_SECURITY_ADMIN_PASSWORD") if isinstance(env, dict) else None
        if name == "grafana" and (not password or not str(password).startswith("${")):
            problems.append("grafana's admin password must come from the environment")
    return problems


def _compose(root: Path) -> list[Check]:
    path = root / "docker-compose.yml"
    if not path.is_file():
        return []
    schema = _run(
        "compose spec docker-compose.yml",
        "check-jsonschema",
        ["--builtin-schema", "vendor.compose-spec", str(path)],
        root,
    )
    problems = _compose_policy(path)
    return [schema, Check("compose policy docker-compose.yml", not problems, "\n".join(problems))]


def _datasource_uids(root: Path) -> set[str] | None:
    folder = root / "grafana" / "provisioning" / "datasources"
    if not folder.is_dir():
        return None
    uids = set()
    for path in folder.glob("*.y*ml"):
        for source in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(
            "datasources"
        ) or []:
            uids.add(str(source.get("uid")))
    return uids


def _dashboard_models(root: Path) -> list[tuple[str, Any]]:
    models: list[tuple[str, Any]] = []
    for path in sorted((root / "grafana" / "dashboards").glob("*.json")):
        try:
            models.append((_rel(path, root), json.loads(path.read_text(encoding="utf-8"))))
        except ValueError as exc:
            models.append((_rel(path, root), exc))
    maps = root / "kubernetes" / "grafana-dashboards.yaml"
    if maps.is_file():
        for doc in yaml.safe_load_all(maps.read_text(encoding="utf-8")):
            for key, text in ((doc or {}).get("data") or {}).items():
                try:
                    models.append((f"{_rel(maps, root)}:{key}", json.loads(text)))
                except ValueError as exc:
                    models.append((f"{_rel(maps, root)}:{key}", exc))
    return models


def _dashboards(root: Path) -> list[Check]:
    checks = []
    uids = _datasource_uids(root)
    for name, model in _dashboard_models(root):
        if isinstance(model, ValueError):
            checks.append(Check(f"dashboard {name}", False, f"not valid JSON: {model}"))
            continue
        problems = dashboard_problems(model, uids)
        checks.append(Check(f"dashboard {name}", not problems, "\n".join(problems)))
        if not problems:
            rules = dashboard_recording_rules(model)
            if rules:
                checks.append(
                    _check_rules_text(
                        f"dashboard PromQL {name}",
                        [{"name": "dashboard-queries", "rules": rules}],
                        root,
                    )
                )
    return checks


def _kubernetes(root: Path) -> list[Check]:
    path = root / "kubernetes" / "prometheus-rule.yaml"
    if not path.is_file():
        return []
    resource = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups = (resource.get("spec") or {}).get("groups") or []
    return [_check_rules_text(f"promtool check rules {_rel(path, root)}", groups, root)]


_VALIDATORS: tuple[Callable[[Path], list[Check]], ...] = (
    _prometheus,
    _alertmanager,
    _compose,
    _dashboards,
    _kubernetes,
)


def validate(directory: str | os.PathLike[str]) -> list[Check]:
    """Run every check that applies to the files rendered in `directory`."""
    root = Path(directory).resolve()
    checks = [check for validator in _VALIDATORS for check in validator(root)]
    if not checks:
        checks.append(
            Check(f"files in {root}", False, "nothing rendered here: run `obs-stack render` first")
        )
    return checks
