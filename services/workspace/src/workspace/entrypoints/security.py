"""Headers every answer carries, and the CSRF token of every form.

The Content-Security-Policy allows nothing inline and nothing from elsewhere; forms may post only here (and a
sign-out's redirect to the provider's end_session). Pages are never stored (``no-store``), so after sign-out
the back button cannot show a case from the browser's cache."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workspace.domain.session import EndedSession, csrf_matches, new_csrf_token
from workspace.entrypoints import drafts
from workspace.entrypoints.session_middleware import ENDED
from workspace.service_layer.signin import SignInRequiredError

CSRF_FIELD = "csrf_token"
_CSRF_KEY = "csrf"


def content_security_policy(issuer: str) -> str:
    parts = urlsplit(issuer)
    provider = f"{parts.scheme}://{parts.netloc}"
    return "; ".join([
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "font-src 'self'",
        "connect-src 'self'", f"form-action 'self' {provider}", "frame-ancestors 'none'", "base-uri 'none'",
    ])


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, issuer: str) -> None:
        self.app = app
        self.csp = content_security_policy(issuer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope["path"]).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["content-security-policy"] = self.csp
                headers["x-content-type-options"] = "nosniff"
                headers["referrer-policy"] = "no-referrer"
                headers["x-frame-options"] = "DENY"
                headers["cache-control"] = "public, max-age=3600" if static else "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use; every form carries it in a hidden field."""
    token = request.session.get(_CSRF_KEY)
    if not token:
        token = request.session[_CSRF_KEY] = new_csrf_token()
    return str(token)


async def check_csrf(request: Request) -> None:
    """A dependency of every POST: the form's token must be the session's.

    A form posted by someone not signed in (their session ended, or never began) is not done: they sign in
    first. If its token is that of the session that has just ended, it came from that person's page, and what
    they typed is kept as their draft; any other token keeps nothing."""
    form = await request.form()
    given = form.get(CSRF_FIELD)
    token = given if isinstance(given, str) else None
    if csrf_matches(request.session.get(_CSRF_KEY), token):
        return
    ended = request.scope.get(ENDED)
    if isinstance(ended, EndedSession) or not request.session.get("person"):
        if isinstance(ended, EndedSession) and csrf_matches(ended.csrf, token):
            drafts.keep_after_session_ended(request, form, ended)
        raise SignInRequiredError
    raise HTTPException(status_code=403)  # the forbidden page says it, in the person's language
