"""`kg serve`: a real Oxigraph SPARQL server on a free loopback port, queried over HTTP."""

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from SPARQLWrapper import JSON, POST, SPARQLWrapper


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(mini_build):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", str(mini_build.directory), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    banner = process.stdout.readline()
    yield f"http://127.0.0.1:{port}", banner, process
    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)


def test_banner_names_the_endpoint_and_its_limits(server):
    url, banner, _ = server
    assert f"{url}/query" in banner
    assert "read-only" in banner and "127.0.0.1" in banner and "30 s" in banner


def test_select_over_http(server, mini_build):
    url, _, _ = server
    client = SPARQLWrapper(f"{url}/query")
    client.setReturnFormat(JSON)
    client.setQuery("""
        PREFIX schema: <https://schema.org/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?title WHERE {
          ?p schema:mentions ?e ; dcterms:title ?title . ?e skos:prefLabel "GSM8K" .
        } ORDER BY ?title""")
    rows = [b["title"]["value"] for b in client.queryAndConvert()["results"]["bindings"]]
    assert rows == ["Grade-School Math Without Tears",
                    "QuillNet: Sparse Adapters for Fast Math Reasoning"]


def test_updates_are_refused(server, mini_build):
    url, _, _ = server
    before = len(mini_build.store)
    request = urllib.request.Request(
        f"{url}/update", data=b"update=DROP+ALL", method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code in (403, 404, 405)
    client = SPARQLWrapper(f"{url}/update")
    client.setMethod(POST)
    client.setQuery("INSERT DATA { <http://x> <http://y> <http://z> }")
    with pytest.raises(Exception):  # noqa: B017 - SPARQLWrapper wraps the HTTP refusal
        client.query()
    assert len(mini_build.store) == before


def test_ctrl_c_stops_cleanly(mini_build):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", str(mini_build.directory), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert "/query" in process.stdout.readline()
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    time.sleep(0.2)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_missing_store_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "kg.cli", "serve", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "no Oxigraph store here" in result.stderr
