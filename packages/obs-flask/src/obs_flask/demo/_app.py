"""A farm-lending service (farmers, loans, orders) kept in memory, instrumented in one line."""

from __future__ import annotations

import itertools
import random
import threading
import time
from typing import Any

from flask import Flask, abort, jsonify, redirect, request
from flask.typing import ResponseReturnValue
from obs_core import add_span_attributes, get_logger, get_registry, get_tracer, per_registry
from obs_core import track_function_metrics as track
from prometheus_client import Counter

from obs_flask._extension import Observability

__all__ = ["create_app"]

log = get_logger(__name__)
tracer = get_tracer(__name__)


class PaymentDeclined(Exception):
    """The payment gateway refused an order's payment."""


class Store:
    """The service's data, in memory, guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.farmers: dict[int, dict[str, Any]] = {}
        self.loans: dict[int, dict[str, Any]] = {}
        self.orders: dict[int, dict[str, Any]] = {}

    def add(self, table: dict[int, dict[str, Any]], row: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            row["id"] = next(self.ids)
            table[row["id"]] = row
        return row


def _business_metrics() -> tuple[Counter, Counter, Counter]:
    """The demo's business counters, once per registry (apps in one process share them)."""
    registry = get_registry()
    return per_registry(
        registry,
        "obs_flask.demo",
        lambda: (
            Counter("loans_approved", "Loans approved.", registry=registry),
            Counter("orders_created", "Input orders created.", registry=registry),
            Counter("revenue", "Revenue from orders, in currency units.", registry=registry),
        ),
    )


def create_app(seed: int | None = None, **obs_settings: Any) -> Flask:
    """The demo app; `obs_settings` go to `Observability` (e.g. ``service_name``).

    The local console is on (``/_obs/``, loopback clients only); ``console=False`` turns it off.
    """
    app = Flask("farm-lending")
    store = Store()
    rng = random.Random(seed)
    Observability(app, **{"service_name": "farm-lending", "console": True, **obs_settings})
    loans_approved, orders_created, revenue = _business_metrics()

    @track("loan_scoring")
    def score(farmer: dict[str, Any], amount: float) -> float:
        with tracer.start_as_current_span("score_loan"):
            time.sleep(rng.uniform(0.001, 0.01))
            score = min(1.0, float(farmer["hectares"]) * 2_000 / amount)
            add_span_attributes(**{"loan.amount": amount, "loan.score": score})
            return score

    @track("payment_processing")
    def charge(amount: float) -> None:
        with tracer.start_as_current_span("charge_payment"):
            if rng.random() < 0.05:
                raise PaymentDeclined("gateway declined the card")

    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            abort(400, "expected a JSON object")
        return data

    @app.get("/")
    def front_door() -> ResponseReturnValue:
        if app.extensions["obs"].console is None:
            return {"service": "farm-lending", "metrics": "/metrics", "api": "/api/farmers"}
        return redirect("/_obs/")  # the console: routes, last requests, traces, their logs

    @app.get("/health")
    def health() -> ResponseReturnValue:
        return {"status": "ok"}

    @app.get("/api/farmers")
    def list_farmers() -> ResponseReturnValue:
        return jsonify(list(store.farmers.values()))

    @app.post("/api/farmers")
    def create_farmer() -> ResponseReturnValue:
        data = body()
        name, hectares = data.get("name"), data.get("hectares")
        if not isinstance(name, str) or not isinstance(hectares, int | float) or hectares <= 0:
            abort(400, "name (string) and hectares (> 0) are required")
        farmer = store.add(store.farmers, {"name": name, "hectares": float(hectares)})
        log.info("Farmer registered", farmer_id=farmer["id"], hectares=hectares)
        return farmer, 201

    @app.get("/api/farmers/<int:farmer_id>")
    def get_farmer(farmer_id: int) -> ResponseReturnValue:
        return store.farmers.get(farmer_id) or abort(404, "no such farmer")

    @app.post("/api/loans")
    def apply_for_loan() -> ResponseReturnValue:
        data = body()
        farmer = store.farmers.get(data.get("farmer_id", -1))
        amount = data.get("amount")
        if farmer is None or not isinstance(amount, int | float) or amount <= 0:
            abort(400, "farmer_id of a registered farmer and amount (> 0) are required")
        approved = score(farmer, float(amount)) >= 0.5
        loan = store.add(
            store.loans,
            {
                "farmer_id": farmer["id"],
                "amount": amount,
                "status": "approved" if approved else "declined",
            },
        )
        if approved:
            loans_approved.inc()
        log.info("Loan decided", loan_id=loan["id"], farmer_id=farmer["id"], status=loan["status"])
        return loan, 201

    @app.get("/api/loans/<int:loan_id>")
    def get_loan(loan_id: int) -> ResponseReturnValue:
        return store.loans.get(loan_id) or abort(404, "no such loan")

    @app.post("/api/orders")
    def create_order() -> ResponseReturnValue:
        data = body()
        farmer = store.farmers.get(data.get("farmer_id", -1))
        quantity, price = data.get("quantity"), data.get("unit_price")
        if farmer is None or not isinstance(quantity, int) or not isinstance(price, int | float):
            abort(400, "farmer_id, quantity (integer) and unit_price are required")
        amount = quantity * float(price)
        charge(amount)  # PaymentDeclined → 500, counted as an exception of that type
        order = store.add(
            store.orders,
            {"farmer_id": farmer["id"], "item": data.get("item", "seed"), "amount": amount},
        )
        orders_created.inc()
        revenue.inc(amount)
        log.info("Order created", order_id=order["id"], amount=amount)
        return order, 201

    @app.get("/api/orders/<int:order_id>")
    def get_order(order_id: int) -> ResponseReturnValue:
        return store.orders.get(order_id) or abort(404, "no such order")

    @app.get("/api/reports/portfolio")
    def portfolio() -> ResponseReturnValue:
        with tracer.start_as_current_span("aggregate_portfolio"):
            time.sleep(rng.uniform(0.2, 0.6))  # a slow report, on purpose
            total = sum(loan["amount"] for loan in store.loans.values())
        return {"loans": len(store.loans), "total_amount": total}

    @app.get("/api/reports/ledger")
    def ledger() -> ResponseReturnValue:
        if request.args.get("fail"):
            raise RuntimeError("ledger database unavailable")
        return {"entries": len(store.orders)}

    return app
