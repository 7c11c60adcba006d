"""Real-time check: the replica refitted on EWP's 2024 vintage gives EWP's 2024 list."""

from __future__ import annotations

from tocsin.datasets import load
from tocsin.forecast import load_vintage_2024, realtime_check


def test_vintage_2024_is_bundled_and_keyed() -> None:
    panel, published = load_vintage_2024()
    assert panel["iso3"].notna().all() and published["iso3"].notna().all()
    assert int(panel["year"].min()) == 1960 and len(panel[panel["year"] == 2023]) == 168


def test_replica_on_the_2024_vintage_reproduces_the_published_forecast() -> None:
    sources = {name: load(name) for name in ("mass_killing", "pts", "freedom_house", "vdem")}
    check = realtime_check(sources, models=("ewp-replica",))
    now = check.summary["from_2023"]
    assert now["ewp-replica"]["correlation_with_published"] > 0.999
    assert now["ewp-replica"]["top30_shared_with_published"] >= 28
    # the 2025 list records no new onset in 2024; 2022-2023 had Burkina Faso and Sudan
    assert now["onsets"] == []
    earlier = check.summary["from_2021"]
    assert earlier["onsets"] == ["BFA", "SDN"]
    assert set(earlier["ewp-replica"]["onset_ranks"]) == {"BFA", "SDN"}
    assert check.table["published"].is_monotonic_decreasing
