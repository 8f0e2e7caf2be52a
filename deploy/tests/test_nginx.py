"""Runs frontend/nginx.conf in a real nginx on a loopback port, over a fake Vite build:
SPA fallback, cache headers, gzip, health check, no HTML for /api/, and the security headers
(Content-Security-Policy and companions) on everything."""

import gzip
import os
import pathlib
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from conftest import ROOT

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
MIME = next((p for p in ["/etc/nginx/mime.types"] if os.path.exists(p)), None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if not NGINX or not MIME:
        if os.environ.get("RENDERMART_REQUIRE_NGINX") == "1":
            pytest.fail("nginx is not installed (deploy/check-chart.sh installs nginx-light)")
        pytest.skip("nginx is not installed")
    # Not pytest's tmp_path: its parents are private to root, and nginx's workers drop to nobody.
    base = pathlib.Path(tempfile.mkdtemp(prefix="rendermart-nginx-"))
    os.chmod(base, 0o755)
    html = base / "html"
    (html / "assets").mkdir(parents=True)
    (html / "index.html").write_text("<!doctype html><div id=root></div><!-- rendermart-index -->")
    (html / "assets" / "index-3f2a1c9d.js").write_text("console.log('rendermart');\n" * 200)
    (html / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    for p in [html, html / "assets"]:
        os.chmod(p, 0o755)

    port = free_port()
    server_block = (ROOT / "frontend" / "nginx.conf").read_text()
    assert "listen 8080;" in server_block and "root /usr/share/nginx/html;" in server_block
    server_block = (server_block.replace("listen 8080;", f"listen 127.0.0.1:{port};")
                    .replace("listen [::]:8080;", "")
                    .replace("root /usr/share/nginx/html;", f"root {html};"))
    # The image's http {} block, reduced to what the test needs.
    conf = base / "nginx.conf"
    conf.write_text(f"""
pid {base}/nginx.pid;
error_log {base}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include {MIME};
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {base}/client;
    proxy_temp_path {base}/proxy;
    fastcgi_temp_path {base}/fastcgi;
    uwsgi_temp_path {base}/uwsgi;
    scgi_temp_path {base}/scgi;
    {server_block}
}}
""")
    check = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(base)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(base), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("nginx did not start: " + proc.stderr.read().decode())
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(base, ignore_errors=True)


def get(url, **headers):
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_root_and_client_routes_serve_index_html_without_caching(server):
    for path in ["/", "/index.html", "/gallery", "/generations/42/details"]:
        status, headers, body = get(server + path)
        assert status == 200, path
        assert b"rendermart-index" in body, path
        assert headers["Cache-Control"] == "no-cache", path


def test_hashed_assets_are_cached_for_a_year_and_gzipped(server):
    status, headers, body = get(server + "/assets/index-3f2a1c9d.js", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(body).startswith(b"console.log")


def test_a_missing_asset_is_a_404_not_the_spa(server):
    status, _, body = get(server + "/assets/missing-0000.js")
    assert status == 404
    assert b"rendermart-index" not in body


def test_health_check_and_api_paths(server):
    status, _, body = get(server + "/healthz")
    assert (status, body) == (200, b"ok\n")
    status, _, body = get(server + "/api/graphql")
    assert status == 404 and b"rendermart-index" not in body


def test_server_version_is_hidden(server):
    _, headers, _ = get(server + "/")
    assert headers.get("Server") == "nginx"


SECURITY_PATHS = ["/", "/index.html", "/gallery", "/graphiql", "/favicon.svg", "/assets/index-3f2a1c9d.js"]


def directives(policy):
    return {d.split()[0]: d.split()[1:] for d in (x.strip() for x in policy.split(";")) if d}


@pytest.mark.parametrize("path", SECURITY_PATHS)
def test_every_path_carries_the_content_security_policy(server, path):
    status, headers, _ = get(server + path)
    assert status == 200
    policy = directives(headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    # GraphQL on this origin; uploads PUT to presigned URLs on the bucket's https origin.
    assert policy["connect-src"] == ["'self'", "https:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # Signed /api/files/ URLs, data: previews and S3 presigned URLs on the bucket's origin.
    assert {"'self'", "data:", "https:"} <= set(policy["img-src"])
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_policy_is_the_one_the_embedded_server_sends(server):
    """frontend/nginx.conf and api/src/http/security_headers.rs must not drift apart."""
    rust = (ROOT / "api" / "src" / "http" / "security_headers.rs").read_text()
    match = re.search(r'const FRONTEND_POLICY: &str = "(.*?)";', rust, re.S)
    assert match, "FRONTEND_POLICY not found"
    embedded = re.sub(r"\\\n", "", match.group(1))
    _, headers, _ = get(server + "/")
    assert directives(headers["Content-Security-Policy"]) == directives(embedded)


@pytest.mark.parametrize("path", ["/", "/gallery", "/healthz", "/api/graphql"])
def test_documents_get_the_usual_security_headers(server, path):
    _, headers, _ = get(server + path)
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_behind_an_https_load_balancer(server):
    for path in ["/", "/assets/index-3f2a1c9d.js"]:
        _, plain, _ = get(server + path)
        assert "Strict-Transport-Security" not in plain, path
        _, tls, _ = get(server + path, **{"X-Forwarded-Proto": "https"})
        assert tls["Strict-Transport-Security"] == "max-age=31536000", path
