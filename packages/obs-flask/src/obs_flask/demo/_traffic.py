"""Realistic, bounded traffic against the demo over HTTP, and the summary a person reads."""

from __future__ import annotations

import json
import random
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["TrafficReport", "send_traffic"]


@dataclass
class TrafficReport:
    """What was sent and how it was answered."""

    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)

    @property
    def error_ratio(self) -> float:
        """Share of answers that were 5xx."""
        errors = sum(n for status, n in self.statuses.items() if status >= 500)
        return errors / self.sent if self.sent else 0.0


def _call(base: str, method: str, path: str, payload: object | None = None) -> tuple[int, object]:
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    req.add_header("User-Agent", "obs-demo-traffic/1")
    try:
        with urllib.request.urlopen(req, timeout=15) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, None


def send_traffic(base: str, count: int, seed: int = 7) -> TrafficReport:
    """Send `count` requests: reads, writes, a slow report, bad input, 404s and 500s."""
    rng = random.Random(seed)
    report = TrafficReport()
    farmers: list[int] = []

    def record(status: int) -> None:
        report.sent += 1
        report.statuses[status] += 1

    while report.sent < count:
        roll = rng.random()
        if not farmers or roll < 0.15:
            status, body = _call(
                base,
                "POST",
                "/api/farmers",
                {"name": f"farmer-{report.sent}", "hectares": rng.randint(1, 80)},
            )
            if status == 201 and isinstance(body, dict):
                farmers.append(body["id"])
        elif roll < 0.35:
            status, _ = _call(base, "GET", f"/api/farmers/{rng.choice(farmers)}")
        elif roll < 0.50:
            status, _ = _call(
                base,
                "POST",
                "/api/loans",
                {"farmer_id": rng.choice(farmers), "amount": rng.randint(1, 90) * 1000},
            )
        elif roll < 0.68:
            payload = {
                "farmer_id": rng.choice(farmers),
                "quantity": rng.randint(1, 20),
                "unit_price": 12.5,
            }
            status, _ = _call(base, "POST", "/api/orders", payload)
        elif roll < 0.80:
            status, _ = _call(base, "GET", "/api/farmers")
        elif roll < 0.84:
            status, _ = _call(base, "GET", "/api/reports/portfolio")
        elif roll < 0.90:
            status, _ = _call(base, "GET", f"/api/orders/{rng.randint(10_000, 99_999)}")  # 404
        elif roll < 0.94:
            status, _ = _call(base, "POST", "/api/loans", {"amount": -1})  # 400
        elif roll < 0.97:
            status, _ = _call(base, "GET", "/api/reports/ledger?fail=1")  # 500
        else:
            status, _ = _call(base, "GET", f"/api/loans/{rng.randint(1, max(1, report.sent))}")
        record(status)
    return report
