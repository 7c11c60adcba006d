"""Tocsin's functional suite: seven languages, every functionality, split by template."""

from __future__ import annotations

from tocsin.speech import FUNCTIONALITIES, SUITE_LANGUAGES, load_suite
from tocsin.speech._suite import expand_template

REQUIRED = set(FUNCTIONALITIES) - {"slur", "reclaimed_slur"}


def test_every_language_has_every_required_functionality_in_each_split() -> None:
    suite = load_suite()
    assert set(suite["language"]) == set(SUITE_LANGUAGES)
    for language, cases in suite.groupby("language"):
        assert REQUIRED <= set(cases["functionality"]), language
        for split in ("train", "validation", "test"):
            present = set(cases.loc[cases["split"] == split, "functionality"])
            assert REQUIRED <= present, (language, split)


def test_the_split_is_by_template() -> None:
    suite = load_suite()
    splits_per_template = suite.groupby("template_id")["split"].nunique()
    assert (splits_per_template == 1).all()
    train = set(suite.loc[suite["split"] == "train", "text"])
    test = set(suite.loc[suite["split"] == "test", "text"])
    assert not train & test


def test_expected_outcomes_follow_the_functionality() -> None:
    suite = load_suite()
    flagged = suite.groupby("functionality")["flag"].all()
    assert flagged["dehumanisation"] and flagged["call_to_violence"]
    assert not suite.loc[suite["functionality"].isin(["counter_quote", "negated"]), "flag"].any()
    threats = suite[suite["functionality"].str.contains("threat|violence")]
    assert threats["violence"].all()


def test_templates_expand_with_capitals_and_contractions() -> None:
    assert expand_template("{G} vivem aqui.", "os ciganos", "pt") == "Os ciganos vivem aqui."
    assert expand_template("A história de {G}.", "os ciganos", "pt") == "A história dos ciganos."
    assert expand_template("« {G} » dit-il.", "les Peuls", "fr") == "« Les Peuls » dit-il."
