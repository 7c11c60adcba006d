from __future__ import annotations

from tocsin.assess import Assessment, Rating, StructureRating, rank_policy_options, rate_indicator
from tocsin.framework import Catalogue


def test_nothing_rated_means_no_options(blank: Assessment, catalogue: Catalogue) -> None:
    assert rank_policy_options(blank, catalogue) == []


def test_options_ranked_by_high_indicators_then_weak_structures(
    blank: Assessment, catalogue: Catalogue
) -> None:
    a = rate_indicator(blank, "9.4", rating=Rating.HIGH, rationale="clashes")
    a = a.model_copy(deep=True)
    a.structure("rule_of_law_judiciary").rating = StructureRating.WEAK
    ranked = rank_policy_options(a, catalogue)
    by_id = {r.option_id: r for r in ranked}
    # P11 and P18 cite 9.4 directly, P1 and P19 cite RF9: all address the high indicator
    assert {"P1", "P11", "P18", "P19"} <= set(by_id)
    assert all(by_id[o].high_indicators == ["9.4"] for o in ("P1", "P11", "P18", "P19"))
    # P9 builds the weak structure but addresses no high indicator: ranked after them
    assert by_id["P9"].weak_structures == ["rule_of_law_judiciary"]
    assert by_id["P9"].rank > max(by_id[o].rank for o in ("P1", "P11", "P18", "P19"))
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    assert by_id["P18"].paragraph_label == "§§61–62"


def test_decisions_and_edited_text_are_shown(example: Assessment, catalogue: Catalogue) -> None:
    ranked = {r.option_id: r for r in rank_policy_options(example, catalogue)}
    assert ranked["P9"].decision == "adopted"
    assert ranked["P4"].decision == "proposed"
    assert ranked["P4"].text == catalogue.policy_options[3].description
