"""The shipped catalogue: loads, is complete, and its mappings hold together."""

from __future__ import annotations

import re

import pytest

from tocsin.framework import Catalogue, PolicyOption, load_catalogue

# Indicators per Framework risk factor. How each count was checked is recorded in
# docs/framework.md ("Where the counts come from"); change both together.
EXPECTED_INDICATORS = {
    "RF1": 11,
    "RF2": 8,
    "RF3": 10,
    "RF4": 8,
    "RF5": 8,
    "RF6": 11,
    "RF7": 14,
    "RF8": 12,
    "RF9": 6,
    "RF10": 8,
    "RF11": 7,
    "RF12": 10,
    "RF13": 19,
    "RF14": 11,
}
EXPECTED_KINDS = {
    **{f"RF{n}": "common" for n in range(1, 9)},
    "RF9": "genocide",
    "RF10": "genocide",
    "RF11": "crimes_against_humanity",
    "RF12": "crimes_against_humanity",
    "RF13": "war_crimes",
    "RF14": "war_crimes",
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def test_loads_with_version_and_sources(catalogue: Catalogue) -> None:
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", catalogue.version)
    symbols = {s.symbol for s in catalogue.sources}
    assert "A/67/929-S/2013/399" in symbols
    assert any("Framework of Analysis" in s.title for s in catalogue.sources)


def test_default_is_cached(catalogue: Catalogue) -> None:
    assert load_catalogue() is catalogue


def test_fourteen_factors_with_their_kinds(catalogue: Catalogue) -> None:
    assert [f.id for f in catalogue.factors] == [f"RF{n}" for n in range(1, 15)]
    assert {f.id: f.kind for f in catalogue.factors} == EXPECTED_KINDS


def test_indicator_counts_match_the_framework(catalogue: Catalogue) -> None:
    assert {f.id: len(f.indicators) for f in catalogue.factors} == EXPECTED_INDICATORS
    assert sum(EXPECTED_INDICATORS.values()) == 143


def test_indicators_numbered_consecutively(catalogue: Catalogue) -> None:
    for factor in catalogue.factors:
        expected = [f"{factor.number}.{m}" for m in range(1, len(factor.indicators) + 1)]
        assert [i.id for i in factor.indicators] == expected


def test_specific_factors_bear_on_their_crime(catalogue: Catalogue) -> None:
    for factor in catalogue.factors:
        if factor.kind != "common":
            assert factor.crimes == [factor.kind]


def test_six_report_factors_in_the_reports_order(catalogue: Catalogue) -> None:
    ordinals = [r.ordinal for r in catalogue.report_factors]
    assert ordinals == ["First", "Second", "Third", "Fourth", "Fifth", "Sixth"]
    assert [r.paragraphs[0] for r in catalogue.report_factors] == [17, 21, 22, 23, 24, 25]


def test_triggers_come_from_paragraph_27(catalogue: Catalogue) -> None:
    assert len(catalogue.triggers) >= 5
    assert all(t.paragraphs == [27] for t in catalogue.triggers)


def test_every_mapping_links_to_an_existing_factor(catalogue: Catalogue) -> None:
    linked = [
        *catalogue.report_factors,
        *catalogue.triggers,
        *catalogue.policy_options,
        *catalogue.steps,
        *catalogue.instruments,
    ]
    for entry in linked:
        assert entry.framework_refs, entry.id
        for ref in entry.framework_refs:
            assert catalogue.is_valid_reference(ref), (entry.id, ref)
            assert catalogue.factor_of(ref).id.startswith("RF")


def test_policy_options_cover_paragraphs_35_to_64(catalogue: Catalogue) -> None:
    covered = {p for option in catalogue.policy_options for p in option.paragraphs}
    assert set(range(35, 65)) <= covered
    assert {o.kind for o in catalogue.policy_options} == {"structural", "operational"}


def test_paragraph_71_has_steps_a_to_g(catalogue: Catalogue) -> None:
    assert [s.id for s in catalogue.steps] == [f"S71{letter}" for letter in "abcdefg"]
    assert all(s.kind == "step" and s.paragraphs == [71] for s in catalogue.steps)


def test_footnote_4_instruments(catalogue: Catalogue) -> None:
    short = {i.short_name for i in catalogue.instruments}
    assert {"Genocide Convention", "Rome Statute", "ATT", "ICCPR", "CAT", "CRC"} <= short
    assert len(catalogue.instruments) == 12
    assert catalogue.instruments[0].year_adopted == 1948


def test_lookups(catalogue: Catalogue) -> None:
    assert catalogue.factor("RF9").number == 9
    assert catalogue.indicator("9.3").id == "9.3"
    assert catalogue.factor_of("13.4").id == "RF13"
    with pytest.raises(KeyError):
        catalogue.factor("RF15")
    with pytest.raises(KeyError):
        catalogue.indicator("9.99")


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("RF1", True),
        ("RF14", True),
        ("1.1", True),
        ("14.11", True),
        ("RF0", False),
        ("RF15", False),
        ("rf1", False),
        ("01.1", False),
        ("1.0", False),
        ("9.7", False),
        ("P1", False),
        ("S71a", False),
        ("", False),
    ],
)
def test_is_valid_reference(catalogue: Catalogue, code: str, valid: bool) -> None:
    assert catalogue.is_valid_reference(code) is valid


def test_framework_codes_in_order(catalogue: Catalogue) -> None:
    codes = catalogue.framework_codes()
    assert codes[:3] == ["RF1", "1.1", "1.2"]
    assert len(codes) == 14 + 143


def test_policy_options_for_a_factor(catalogue: Catalogue) -> None:
    options = catalogue.policy_options_for("RF3")
    assert options and all(isinstance(o, PolicyOption) for o in options)
    rf3 = {"RF3", *(i.id for i in catalogue.factor("RF3").indicators)}
    assert all(rf3 & set(o.framework_refs) for o in options)
    assert any(o.kind == "step" for o in options)


def test_every_factor_is_addressed_by_some_option_or_instrument(catalogue: Catalogue) -> None:
    for factor in catalogue.factors:
        own = {factor.id, *(i.id for i in factor.indicators)}
        linked = catalogue.policy_options_for(factor.id) or [
            i for i in catalogue.instruments if own & set(i.framework_refs)
        ]
        assert linked, factor.id
