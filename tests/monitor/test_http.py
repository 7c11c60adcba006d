"""The connectors' HTTP client against a real server: retries, back-off, rate limit, no leaks."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest

from tests.monitor.servers import Handler, Reply, Seen, serving
from tocsin.monitor import SourceClient, SourceError, redact_url
from tocsin.settings import MonitorSettings

KEY = "k3y-Never-Shown-42"


def quick(**changes: float) -> MonitorSettings:
    values: dict[str, float] = {
        "retries": 3,
        "backoff_base_seconds": 1.0,
        "backoff_max_seconds": 30.0,
        "min_request_interval_seconds": 0.0,
        "timeout_seconds": 5.0,
    }
    return MonitorSettings.model_validate(values | changes)


class Sleeps:
    """Records the delays asked for instead of waiting them."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def test_server_errors_are_retried_with_growing_delays_until_one_passes() -> None:
    sleeps = Sleeps()
    with serving() as server:
        server.route("/data", [Reply(500), Reply(502), Reply(503), Reply(200, b"at last")])
        with SourceClient("demo", quick(), sleep=sleeps, jitter=lambda: 1.0) as http:
            response = http.get(server.url("/data"))
        assert response is not None and response.content == b"at last"
        assert len(server.requests_to("/data")) == 4
    assert sleeps.delays == [1.0, 2.0, 4.0]  # base * 2**attempt, jitter at its top


def test_jitter_keeps_each_delay_between_half_and_all_of_its_ceiling() -> None:
    sleeps = Sleeps()
    with serving() as server:
        server.route("/data", [Reply(500), Reply(500), Reply(200)])
        with SourceClient("demo", quick(), sleep=sleeps, jitter=lambda: 0.0) as http:
            http.get(server.url("/data"))
    assert sleeps.delays == [0.5, 1.0]


def test_the_back_off_is_capped() -> None:
    sleeps = Sleeps()
    settings = quick(retries=5, backoff_base_seconds=4.0, backoff_max_seconds=10.0)
    with serving() as server:
        server.route("/data", [Reply(500)] * 5 + [Reply(200)])
        with SourceClient("demo", settings, sleep=sleeps, jitter=lambda: 1.0) as http:
            http.get(server.url("/data"))
    assert sleeps.delays == [4.0, 8.0, 10.0, 10.0, 10.0]


def test_too_many_requests_waits_what_retry_after_asks() -> None:
    sleeps = Sleeps()
    with serving() as server:
        server.route("/data", [Reply(429, headers={"Retry-After": "7"}), Reply(200, b"ok")])
        with SourceClient("demo", quick(), sleep=sleeps, jitter=lambda: 1.0) as http:
            response = http.get(server.url("/data"))
    assert response is not None and response.content == b"ok"
    assert sleeps.delays == [7.0]


def test_a_retry_after_longer_than_the_longest_back_off_gives_up_at_once() -> None:
    sleeps = Sleeps()
    with serving() as server:
        server.route("/data", [Reply(429, headers={"Retry-After": "3600"})])
        with SourceClient("demo", quick(), sleep=sleeps) as http:
            with pytest.raises(SourceError, match="asks to wait 3600 s") as caught:
                http.get(server.url("/data"))
        assert len(server.requests_to("/data")) == 1
    assert caught.value.status == 429 and sleeps.delays == []


def test_requests_to_one_source_keep_the_minimum_interval() -> None:
    settings = quick(min_request_interval_seconds=0.15)
    with serving() as server:
        server.route("/data", [Reply(200, b"x")])
        with SourceClient("demo", settings) as http:  # the real clock and sleep
            for _ in range(3):
                http.get(server.url("/data"))
        times = [s.at for s in server.requests_to("/data")]
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.15


def test_the_interval_is_measured_on_the_injected_clock() -> None:
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    settings = quick(min_request_interval_seconds=2.0)
    with serving() as server:
        server.route("/data", [Reply(200)])
        with SourceClient("demo", settings, sleep=sleep, clock=lambda: now[0]) as http:
            http.get(server.url("/data"))
            now[0] += 0.5  # the caller worked half a second between the requests
            http.get(server.url("/data"))
            now[0] += 5.0
            http.get(server.url("/data"))
    assert sleeps == [1.5]


def test_a_missing_file_is_none_when_allowed_and_an_error_otherwise() -> None:
    with serving() as server, SourceClient("demo", quick(), sleep=Sleeps()) as http:
        assert http.get(server.url("/not-yet.csv"), missing_ok=True) is None
        with pytest.raises(SourceError, match="HTTP 404") as caught:
            http.get(server.url("/not-yet.csv"))
        assert len(server.requests_to("/not-yet.csv")) == 2  # a 404 is not retried
    assert caught.value.status == 404


def test_refused_credentials_are_not_retried_and_the_key_is_not_shown() -> None:
    with serving() as server:
        server.route("/read", [Reply(401, b"bad key")])
        with SourceClient("acled", quick(), secrets=[KEY], sleep=Sleeps()) as http:
            with pytest.raises(SourceError) as caught:
                http.get(server.url("/read"), params={"key": KEY, "iso": 140})
        assert len(server.requests_to("/read")) == 1
        assert server.requests_to("/read")[0].param("key") == KEY  # it was sent
    message = str(caught.value)
    assert KEY not in message
    assert "acled:" in message and "/read?key=[redacted]&iso=140" in message
    assert "HTTP 401" in message and "credentials" in message


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_connection_errors_are_retried_then_name_the_source_and_url(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sleeps = Sleeps()
    url = f"http://127.0.0.1:{_closed_port()}/api?token={KEY}&page=1"
    caplog.set_level(logging.DEBUG)
    with SourceClient("ucdp_ged", quick(retries=2), secrets=[KEY], sleep=sleeps) as http:
        with pytest.raises(SourceError, match="failed 3 times") as caught:
            http.get(url)
    assert len(sleeps.delays) == 2 and http.n_requests == 3
    message = str(caught.value)
    assert "ucdp_ged:" in message and "ConnectError" in message
    assert "/api?token=[redacted]&page=1" in message
    assert KEY not in message and KEY not in caplog.text
    assert "retry 1 of 2" in caplog.text


def test_a_timeout_is_retried() -> None:
    def slow(seen: Seen) -> Reply:
        time.sleep(0.6)
        return Reply(200, b"late")

    answers: Iterator[Handler] = iter([slow, lambda seen: Reply(200, b"in time")])
    with serving() as server:
        server.route("/slow", lambda seen: next(answers)(seen))
        settings = quick(timeout_seconds=0.2)
        with SourceClient("demo", settings, sleep=Sleeps()) as http:
            response = http.get(server.url("/slow"))
    assert response is not None and response.content == b"in time"


def test_httpx_logs_requests_without_the_secret_query_values(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    with serving() as server:
        server.route("/read", [Reply(200, b"{}")])
        with SourceClient("acled", quick()) as http:
            http.get(server.url("/read"), params={"key": KEY, "email": "me@example.org"})
    assert "HTTP Request" in caplog.text  # httpx did log the request
    assert KEY not in caplog.text and "me@example.org" not in caplog.text
    assert "key=[redacted]" in caplog.text


def test_redaction_keeps_the_other_parameters() -> None:
    url = "https://api.example.org/read?iso=140&key=abc&limit=5000&access_token=t"
    assert redact_url(url) == (
        "https://api.example.org/read?iso=140&key=[redacted]&limit=5000&access_token=[redacted]"
    )
