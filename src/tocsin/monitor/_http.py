"""The polite HTTP client the connectors share: retries, back-off, rate limit, no leaks.

One :class:`SourceClient` per source and sync. It waits at least
``min_request_interval_seconds`` between two requests to its source, retries connection
errors, timeouts, 5xx and 429 answers with exponential back-off and jitter (a
``Retry-After`` the server sends wins), and turns what still fails into a
:class:`SourceError` naming the source and the URL, with secret query values (keys,
tokens, e-mail addresses) replaced by ``[redacted]``. The sleep function, the clock and the
jitter are injectable, so tests run the real HTTP exchange without waiting.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any

import httpx

from tocsin.errors import TocsinError
from tocsin.settings import MonitorSettings

__all__ = ["SECRET_PARAMETERS", "SourceClient", "SourceError", "redact_url"]

logger = logging.getLogger("tocsin.monitor")

#: Query parameters whose values never appear in errors or logs.
SECRET_PARAMETERS = frozenset(
    {"key", "api_key", "apikey", "token", "access_token", "password", "secret", "email"}
)
REDACTED = "[redacted]"


class SourceError(TocsinError):
    """A source could not be read: which source, which URL (secrets redacted), why."""

    def __init__(
        self, source: str, url: str, message: str, *, status: int | None = None, fix: str
    ) -> None:
        super().__init__(f"{source}: {message} ({url})", fix=fix)
        self.source = source
        self.url = url
        self.status = status


def redact_url(url: str | httpx.URL, secrets: Iterable[str] = ()) -> str:
    """``url`` with the values of secret-looking query parameters, and any of ``secrets``
    found elsewhere in it, replaced by ``[redacted]``.

    >>> redact_url("https://api.example.org/read?key=abc&iso=140&email=a%40b.org")
    'https://api.example.org/read?key=[redacted]&iso=140&email=[redacted]'
    >>> redact_url("https://x.org/abc/data", secrets=["abc"])
    'https://x.org/[redacted]/data'
    """
    parsed = httpx.URL(str(url))
    pairs = [
        f"{name}={REDACTED if name.lower() in SECRET_PARAMETERS else value}"
        for name, value in parsed.params.multi_items()
    ]
    text = str(parsed.copy_with(query=None))
    if pairs:
        text += "?" + "&".join(pairs)
    return scrub(text, secrets)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-empty string of ``secrets`` replaced by ``[redacted]``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class _RedactQueryFilter(logging.Filter):
    """httpx logs every request's full URL at INFO; the ACLED key travels in the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                redact_url(a) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


_FILTER = _RedactQueryFilter()
# Installed at import, once: any code in the process that logs httpx at INFO would
# otherwise write a connector's key to the log.
if _FILTER not in logging.getLogger("httpx").filters:
    logging.getLogger("httpx").addFilter(_FILTER)

_FIXES = {
    401: "check the credentials in the TOCSIN_MONITOR_* settings of this source",
    403: "check the credentials and that the account may use this API",
    404: "check the source's URL setting",
}


class SourceClient:
    """HTTP for one source, polite and patient; use as a context manager.

    Parameters
    ----------
    source : str
        The source's name, for errors and logs.
    settings : MonitorSettings
        Retries, back-off, the interval between requests and the timeout.
    client : httpx.Client, optional
        The client to send with (not closed here); by default one of its own.
    secrets : iterable of str
        Values that must never appear in an error or a log line (tokens, keys).
    sleep, clock, jitter : callables, optional
        ``time.sleep``, ``time.monotonic`` and ``random.random`` unless given.
    """

    def __init__(
        self,
        source: str,
        settings: MonitorSettings,
        *,
        client: httpx.Client | None = None,
        secrets: Iterable[str] = (),
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        jitter: Callable[[], float] | None = None,
    ) -> None:
        self.source = source
        self.settings = settings
        self._owned = client is None
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(settings.timeout_seconds), follow_redirects=True
        )
        self._secrets = [s for s in secrets if s]
        self._sleep = sleep or time.sleep
        self._clock = clock or time.monotonic
        self._jitter = jitter or random.random
        self._last_request_at: float | None = None
        self.n_requests = 0

    def __enter__(self) -> SourceClient:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._owned:
            self._client.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        missing_ok: bool = False,
    ) -> httpx.Response | None:
        """GET ``url``; None for a 404 when ``missing_ok`` (a file not published yet)."""
        return self.request("GET", url, params=params, headers=headers, missing_ok=missing_ok)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        missing_ok: bool = False,
    ) -> httpx.Response | None:
        """Send one request, retrying what may pass; a 2xx answer, or :class:`SourceError`."""
        request = self._client.build_request(method, url, params=params, headers=headers, json=json)
        shown = redact_url(request.url, self._secrets)
        attempts = self.settings.retries + 1
        problem = ""
        for attempt in range(attempts):
            self._wait_turn()
            try:
                response = self._client.send(request)
            except httpx.TransportError as error:
                problem = scrub(f"{type(error).__name__}: {error}", self._secrets)
                delay = self._backoff(attempt)
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return response
                if status == 404 and missing_ok:
                    return None
                if status != 429 and status < 500:
                    raise SourceError(
                        self.source,
                        shown,
                        f"{method} answered HTTP {status} {response.reason_phrase}",
                        status=status,
                        fix=_FIXES.get(status, "check the source's settings"),
                    )
                problem = f"HTTP {status} {response.reason_phrase}"
                waited = _retry_after(response)
                if waited is not None and waited > self.settings.backoff_max_seconds:
                    raise SourceError(
                        self.source,
                        shown,
                        f"{problem}: the server asks to wait {waited:.0f} s",
                        status=status,
                        fix="let the next sync try again",
                    )
                delay = waited if waited is not None else self._backoff(attempt)
            finally:
                self._last_request_at = self._clock()
                self.n_requests += 1
            if attempt + 1 < attempts:
                logger.warning(
                    "%s: %s %s: %s; retry %d of %d in %.1f s",
                    self.source,
                    method,
                    shown,
                    problem,
                    attempt + 1,
                    attempts - 1,
                    delay,
                )
                self._sleep(delay)
        raise SourceError(
            self.source,
            shown,
            f"{method} failed {attempts} times, last: {problem}",
            fix="check the network and the source's status, or let the next sync try again",
        )

    def _wait_turn(self) -> None:
        if self._last_request_at is None:
            return
        due = self._last_request_at + self.settings.min_request_interval_seconds
        wait = due - self._clock()
        if wait > 0:
            self._sleep(wait)

    def _backoff(self, attempt: int) -> float:
        """Exponential delay, capped, with "equal jitter": between half and all of it."""
        ceiling = min(
            self.settings.backoff_max_seconds, self.settings.backoff_base_seconds * 2.0**attempt
        )
        return ceiling / 2 + ceiling / 2 * self._jitter()


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server's ``Retry-After`` asks for (a number or an HTTP date), if any.

    >>> _retry_after(httpx.Response(429, headers={"Retry-After": "7"}))
    7.0
    >>> _retry_after(httpx.Response(503, headers={"Retry-After": "soon"})) is None
    True
    """
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    sent = response.headers.get("Date")
    try:
        reference = parsedate_to_datetime(sent) if sent else datetime.now(UTC)
    except (TypeError, ValueError):
        reference = datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())
