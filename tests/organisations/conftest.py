import csv
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "parcours" / "organisations" / "data" / "samples"
ANNUAIRE_SAMPLE = SAMPLES / "fr-en-annuaire-education_sample.csv"
ESTABLISHMENTS_SAMPLE = SAMPLES / "StockEtablissement_sample.csv"
LEGAL_UNITS_SAMPLE = SAMPLES / "StockUniteLegale_sample.csv"
# The real lycées extract next to the project, when this machine has it (../shared/data/README.md).
SHARED_LYCEES = ROOT.parent / "shared" / "data" / "fr-en-annuaire-education_lycees.csv"
needs_shared_lycees = pytest.mark.skipif(
    not SHARED_LYCEES.exists(), reason="../shared/data is not on this machine: only the shipped samples are tested"
)


@pytest.fixture(autouse=True)
def _no_public_api(settings):
    """No test reaches the public APIs: their addresses point at a closed local port unless a test serves one."""
    settings.PARCOURS_DIRECTORY_BACKEND = "local"
    settings.PARCOURS_ENTREPRISES_API_URL = "http://127.0.0.1:9"
    settings.PARCOURS_EDUCATION_API_URL = "http://127.0.0.1:9"


def csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]], str]:
    """The header, the rows as dicts and the delimiter of a sample."""
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") > 1 else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    return list(reader.fieldnames), list(reader), delimiter


def csv_write(path: Path, header: list[str], rows: list[dict[str, str]], delimiter: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, header, delimiter=delimiter, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@dataclass
class Route:
    status: int = 200
    body: object = None
    delay: float = 0.0
    raw: bytes | None = None


@dataclass
class FakeApi:
    """A local HTTP server answering like the public APIs: routes by path, the requests it got."""

    url: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)

    def answer(
        self, path: str, body: object = None, *, status: int = 200, delay: float = 0.0, raw: bytes | None = None
    ):
        self.routes[path] = Route(status=status, body=body, delay=delay, raw=raw)


@pytest.fixture
def fake_api(settings):
    api = FakeApi(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            parsed = urllib.parse.urlsplit(self.path)
            api.requests.append((parsed.path, urllib.parse.parse_qs(parsed.query)))
            route = api.routes.get(parsed.path, Route(status=404, body={"erreur": "inconnu"}))
            time.sleep(route.delay)
            payload = route.raw if route.raw is not None else json.dumps(route.body).encode()
            self.send_response(route.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        block_on_close = False

        def handle_error(self, request, client_address):
            # A client that gave up (the timeout tests) closes the socket under a slow answer: expected.
            pass

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.PARCOURS_DIRECTORY_BACKEND = "http"
    settings.PARCOURS_ENTREPRISES_API_URL = api.url
    settings.PARCOURS_EDUCATION_API_URL = api.url
    settings.PARCOURS_DIRECTORY_HTTP_TIMEOUT = 2.0
    yield api
    server.shutdown()
    server.server_close()
    thread.join()
