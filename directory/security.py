"""Security headers on every response, and which proxies to believe about the client.

Every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, and
`Strict-Transport-Security` when the request came over HTTPS. HTML pages: a strict
Content-Security-Policy (the pages have no inline scripts or styles: scripts, styles, images
and API calls come from this origin only) and no framing; the widget is a script that other
sites load, never a frame. Anything else: a policy that allows nothing, so a JSON answer opened
directly in a browser can run nothing either.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

PAGE_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000"

# flask-smorest's Swagger UI page starts the UI with one inline script, rendered from settings
# only (never from a request): its hash is allowed on that page alone. (Swagger UI sets its
# elements' styles through the DOM, which a style-src policy does not restrict.)
DOCS_ENDPOINT = "api-docs.openapi_swagger_ui"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def docs_policy(page: str) -> str:
    """The page policy, plus the docs page's own inline scripts by their hashes."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(page)
    )
    return PAGE_POLICY.replace("script-src 'self'", f"script-src 'self' {hashes}".rstrip())


def add_security_headers(response: Response) -> Response:
    """Set the headers every response carries, and the page policy on HTML."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    if response.mimetype == "text/html":
        if request.endpoint == DOCS_ENDPOINT and not response.is_streamed:
            headers["Content-Security-Policy"] = docs_policy(response.get_data(as_text=True))
        else:
            headers["Content-Security-Policy"] = PAGE_POLICY
        headers["X-Frame-Options"] = "DENY"
    else:
        headers.setdefault("Content-Security-Policy", OTHER_POLICY)
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    return response


def refuse_large_bodies() -> None:
    """Refuse a body declared larger than MAX_CONTENT_LENGTH before anything else runs.

    Flask enforces the cap only when a view reads the body (a chunked body without a length
    is cut off there); this answers every endpoint alike, and before any work is done.
    """
    cap = current_app.config.get("MAX_CONTENT_LENGTH")
    if cap is not None and (request.content_length or 0) > cap:
        raise RequestEntityTooLarge(f"The request body is larger than {cap} bytes.")


def harden(app: Flask) -> None:
    """Trust SIGNPOST_PROXY_COUNT proxies' X-Forwarded-* headers; cap request bodies; add the
    security headers."""
    proxies = app.config["PROXY_COUNT"]
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    # First, so that an oversized body is refused before a rate limit or a view is looked at.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_large_bodies)
    app.after_request(add_security_headers)
