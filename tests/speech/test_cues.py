"""The hand-written cues: targets, dehumanisation, threats, counter-speech, negation."""

from __future__ import annotations

import pytest

from tocsin.speech import find_cues


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("The Muslim community met today.", "religion"),
        ("Flüchtlinge kamen an.", "nationality_or_migrants"),
        ("Les réfugiés sont arrivés.", "nationality_or_migrants"),
        ("The Tutsi and the Hutu signed the accord.", "ethnicity_or_race"),
    ],
)
def test_target_groups_are_named(text: str, group: str) -> None:
    assert group in find_cues(text).target_groups


def test_no_group_in_a_plain_sentence() -> None:
    cues = find_cues("The bridge will close on Monday for repairs.")
    assert cues.target_groups == []
    assert (cues.dehumanisation, cues.threat, cues.counter_speech) == (0.0, 0.0, 0.0)


def test_dehumanisation_needs_a_target_and_respects_negation() -> None:
    assert find_cues("Immigrants are vermin.").dehumanisation >= 0.8
    assert find_cues("We found rats in the barn.").dehumanisation < 0.5
    negated = find_cues("Immigrants are not vermin.")
    assert negated.dehumanisation == 0.0 and negated.negated
    assert find_cues("They are nothing but parasites.").dehumanisation >= 0.5


def test_normative_and_direct_threats_but_not_news_of_violence() -> None:
    assert find_cues("All Muslims should be killed.").threat >= 0.9
    assert find_cues("I will kill you.").threat >= 0.9
    assert find_cues("Die Ausländer sollte man alle erschießen.").threat >= 0.9
    assert find_cues("Gunmen killed five villagers, police said.").threat == 0.0
    assert find_cues("Nobody should kill anyone over religion.").threat == 0.0


def test_counter_speech_quoting_or_denouncing() -> None:
    assert find_cues('He said "refugees are vermin", and we condemn it.').counter_speech >= 0.8
    assert find_cues("Calling immigrants animals is racist.").counter_speech >= 0.8
    assert find_cues("Immigrants are animals.").counter_speech == 0.0


def test_negated_hate_and_contractions_but_not_lookalikes() -> None:
    assert find_cues("I don't hate gay people.").negated
    assert find_cues("Refugees aren't vermin.").dehumanisation == 0.0
    wanted = find_cues("We want to kill them all.")  # "want" is not a negation
    assert not wanted.negated and wanted.threat >= 0.7
    assert find_cues("I hate gays.").negated is False


def test_derogation_of_a_named_group_and_statements_about_statements() -> None:
    assert find_cues("Muslims are terrorists.").derogation == 0.7
    assert find_cues("The police arrested three terrorists.").derogation == 0.0
    assert find_cues("Muslims are not terrorists.").derogation == 0.0
    assert find_cues("Saying that Muslims are terrorists is racist.").counter_speech >= 0.8
    # "are disgusting" about a group is not counter-speech
    hateful = find_cues("Refugees are disgusting rats who should be drowned.")
    assert hateful.counter_speech == 0.0 and hateful.threat >= 0.9
