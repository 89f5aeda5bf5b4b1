"""Real OTLP trace receivers (gRPC and HTTP/protobuf) on 127.0.0.1, and a black hole."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from concurrent import futures
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import grpc
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.common.v1.common_pb2 import AnyValue


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


@dataclass(frozen=True)
class ReceivedSpan:
    """One span as a receiver got it, with its resource's attributes."""

    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, Any]
    resource: dict[str, Any]
    scope: str


@dataclass
class Receiver:
    """What arrived: the raw requests, the paths posted to (HTTP), and the spans."""

    endpoint: str = ""
    requests: list[trace_service_pb2.ExportTraceServiceRequest] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    peers: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def record(
        self, request: trace_service_pb2.ExportTraceServiceRequest, path: str, peer: str
    ) -> None:
        with self._cond:
            self.requests.append(request)
            self.paths.append(path)
            self.peers.append(peer)
            self._cond.notify_all()

    @property
    def spans(self) -> list[ReceivedSpan]:
        out = []
        with self._cond:
            requests = list(self.requests)
        for request in requests:
            for rs in request.resource_spans:
                resource = {a.key: _value(a.value) for a in rs.resource.attributes}
                for ss in rs.scope_spans:
                    for span in ss.spans:
                        out.append(
                            ReceivedSpan(
                                name=span.name,
                                trace_id=span.trace_id.hex(),
                                span_id=span.span_id.hex(),
                                parent_span_id=span.parent_span_id.hex(),
                                attributes={a.key: _value(a.value) for a in span.attributes},
                                resource=resource,
                                scope=ss.scope.name,
                            )
                        )
        return out

    def peers_by_span(self) -> dict[str, str]:
        """Which connection (client address) delivered each span, by span name."""
        with self._cond:
            pairs = list(zip(self.requests, self.peers, strict=True))
        return {
            span.name: peer
            for request, peer in pairs
            for rs in request.resource_spans
            for ss in rs.scope_spans
            for span in ss.spans
        }

    def wait_for_spans(self, count: int, timeout: float = 10.0) -> list[ReceivedSpan]:
        """The spans once at least `count` arrived (or what arrived by the timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._spans_unlocked()) < count and time.monotonic() < deadline:
                self._cond.wait(0.05)
        return self.spans

    def _spans_unlocked(self) -> list[object]:
        return [
            span
            for r in self.requests
            for rs in r.resource_spans
            for ss in rs.scope_spans
            for span in ss.spans
        ]


class _Servicer(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver

    def Export(
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: grpc.ServicerContext
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        self.receiver.record(request, "", context.peer())
        return trace_service_pb2.ExportTraceServiceResponse()


class GrpcReceiver(Receiver):
    """An OTLP/gRPC TraceService bound to 127.0.0.1 on a free port."""

    def start(self) -> GrpcReceiver:
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(_Servicer(self), self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.endpoint = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        self.server.stop(grace=None)


class HttpReceiver(Receiver):
    """An OTLP/HTTP receiver: ``POST /v1/traces`` (any path is recorded) with protobuf bodies."""

    def start(self) -> HttpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a collector does

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                request = trace_service_pb2.ExportTraceServiceRequest()
                try:
                    request.ParseFromString(body)
                except DecodeError as exc:  # e.g. two processes writing into one socket
                    receiver.errors.append(f"{self.client_address}: {exc}")
                    self.send_error(400, "undecodable ExportTraceServiceRequest")
                    return
                host, port = self.client_address[:2]
                receiver.record(request, self.path, f"{host}:{port}")
                payload = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class BlackHole:
    """A port that accepts TCP connections and never answers (a hung collector)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.endpoint = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self) -> None:
        self.sock.close()


def closed_port() -> str:
    """An endpoint where nothing listens (connections are refused)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"
