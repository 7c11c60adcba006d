"""Linguistic cues the statistical heads cannot learn from their training data.

Davidson's tweets were found through a slur lexicon and GermEval's come from one movement, so
neither teaches a model to tell *who* is targeted, what dehumanises, what a normative threat
("they should be ...") looks like, or that quoting hate in order to denounce it is not hate.
These hand-written patterns (English, German, French; see docs/methodology/speech.md) fill
those gaps. They give scores in [0, 1] that are rule strengths, not calibrated probabilities.

The word lists name groups and slurs because the tool must recognise them; they are data,
never shown to users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Cues", "find_cues"]

TARGET_GROUPS: dict[str, tuple[str, ...]] = {
    "religion": (
        r"muslims?",
        r"moslems?",
        r"islam(ic|ists?)?",
        r"jews?",
        r"jewish",
        r"christians?",
        r"hindus?",
        r"sikhs?",
        r"buddhists?",
        r"catholics?",
        r"protestants?",
        r"muslime?n?",
        r"juden",
        r"jüdisch\w*",
        r"christen",
        r"musulmans?",
        r"juifs?",
        r"chrétiens?",
        r"kikes?",
        r"ragheads?",
        r"towelheads?",
    ),
    "ethnicity_or_race": (
        r"black (people|folks?|men|women)",
        r"blacks",
        r"whites",
        r"white (people|folks?)",
        r"asians?",
        r"arabs?",
        r"africans?",
        r"latinos?",
        r"hispanics?",
        r"roma",
        r"gypsies",
        r"tutsis?",
        r"hutus?",
        r"rohingyas?",
        r"kurds?",
        r"yazidis?",
        r"igbos?",
        r"fulanis?",
        r"tigrayans?",
        r"amharas?",
        r"uyghurs?",
        r"araber",
        r"schwarzen?",
        r"zigeuner",
        r"türken",
        r"noirs",
        r"arabes",
        r"roms",
        r"niggers?",
        r"spics?",
        r"chinks?",
        r"wetbacks?",
        r"inyenzi",
    ),
    "nationality_or_migrants": (
        r"immigrants?",
        r"migrants?",
        r"refugees?",
        r"foreigners?",
        r"asylum seekers?",
        r"mexicans?",
        r"illegals",
        r"ausländer\w*",
        r"flüchtlinge?n?",
        r"migranten",
        r"asylanten",
        r"asylbewerber\w*",
        r"immigrés?",
        r"étrangers?",
        r"réfugiés?",
    ),
    "gender": (r"women", r"girls", r"frauen", r"femmes"),
    "sexual_orientation_or_gender_identity": (
        r"gays?",
        r"lesbians?",
        r"homosexuals?",
        r"trans (people|women|men)",
        r"transgender",
        r"lgbtq?\+?",
        r"queers?",
        r"schwule?n?",
        r"homosexuelle?n?",
        r"homosexuels?",
        r"faggots?",
        r"fags",
        r"dykes?",
        r"trannies",
    ),
    "disability": (r"disabled (people|persons)", r"the disabled", r"behinderte?n?", r"retards"),
}

_DEHUMANISING = (
    r"vermin",
    r"rats?",
    r"cockroach(es)?",
    r"roaches",
    r"parasites?",
    r"leech(es)?",
    r"lice",
    r"maggots?",
    r"animals",
    r"beasts",
    r"savages",
    r"sub-?humans?",
    r"apes",
    r"monkeys",
    r"pigs",
    r"dogs",
    r"snakes",
    r"insects",
    r"bugs",
    r"a disease",
    r"a cancer",
    r"a plague",
    r"a virus",
    r"an infestation",
    r"infest\w*",
    r"filth",
    r"scum",
    r"not (even )?human",
    r"breed like \w+",
    r"ungeziefer",
    r"ratten",
    r"parasiten",
    r"tiere",
    r"untermenschen",
    r"abschaum",
    r"viecher",
    r"kakerlaken",
    r"schmarotzer",
    r"gesindel",
    r"pest",
    r"vermine",
    r"cafards",
    r"sous-hommes",
    r"animaux",
)
_VIOLENT_VERB = (
    r"kill(ed|ing)?",
    r"murder(ed)?",
    r"exterminat\w+",
    r"eliminat\w+",
    r"slaughter(ed)?",
    r"wipe(d)? (\w+ ){0,2}out",
    r"wipe(d)? (\w+ ){0,2}off",
    r"drown(ed)?",
    r"hang(ed)?",
    r"hung",
    r"shoot",
    r"shot",
    r"burn(ed|t)?",
    r"gas(sed)?",
    r"lynch(ed)?",
    r"cleanse(d)?",
    r"beat(en)?",
    r"attack(ed)?",
    r"destroy(ed)?",
    r"get rid of",
    r"die",
    r"dead",
    r"crush(ed)?",
    r"stab(bed)?",
    r"butcher(ed)?",
    r"eradicat\w+",
    r"töten",
    r"getötet",
    r"umbringen",
    r"umgebracht",
    r"vergasen",
    r"vergast",
    r"erschießen",
    r"erschossen",
    r"aufhängen",
    r"aufgehängt",
    r"abschlachten",
    r"ausrotten",
    r"ausgerottet",
    r"vernichten",
    r"vernichtet",
    r"verbrennen",
    r"verbrannt",
    r"totschlagen",
    r"totgeschlagen",
    r"aufknüpfen",
    r"an die wand (stellen|gestellt)",
    r"sterben",
    r"tuer",
    r"tués?",
    r"exterminer",
    r"éliminer",
    r"brûler",
    r"massacrer",
)
_NORMATIVE = (
    r"should",
    r"must",
    r"need to",
    r"needs to",
    r"have to",
    r"has to",
    r"ought to",
    r"deserve(s)? to",
    r"let'?s",
    r"let us",
    r"we will",
    r"we'll",
    r"i will",
    r"i'll",
    r"i'?m going to",
    r"gonna",
    r"time to",
    r"go and",
    r"it'?s time",
    r"someone (should|needs to)",
    r"sollte(n)?",
    r"soll(en)?",
    r"muss",
    r"müssen",
    r"gehören",
    r"gehört",
    r"lasst uns",
    r"wir werden",
    r"ich werde",
    r"man sollte",
    r"faut",
    r"doivent",
    r"il faut",
)
_GREETING_OF_DEATH = (r"death to", r"kill all", r"kill the", r"kill every", r"tod den", r"mort aux")
_NEGATION = (
    r"not",
    r"\w+n['’]t",  # don't, isn't, can't
    r"(do|does|did|is|are|was|were|ca|wo|should|would|could|ai)nt",
    r"never",
    r"no one",
    r"nobody",
    r"no",
    r"nothing",
    r"nicht",
    r"kein\w*",
    r"nie",
    r"niemals",
    r"niemand",
    r"pas",
    r"jamais",
    r"personne",
)
_COUNTER = (
    r"condemn\w*",
    r"denounc\w*",
    r"reject\w*",
    r"unacceptable",
    r"disgrace\w*",
    r"shame on",
    r"stop (calling|saying|spreading)",
    # An evaluation of a statement ("that is racist"), not of a group ("they are vile").
    r"(it|that|this)('s| is| was) (wrong|hateful|racist|disgusting|vile|unacceptable)",
    r"is (wrong|hateful|racist|dehumani[sz]ing)",
    r"is (a crime|illegal|punishable)",
    r"(will|must|should) be reported",
    r"never again",
    r"hate speech",
    r"racis(m|t)",
    r"bigot(ry|ed|s)?",
    r"xenophob\w*",
    r"islamophob\w*",
    r"antisemit\w*",
    r"homophob\w*",
    r"stand (with|against|up for)",
    r"solidarity",
    r"we must protect",
    r"must never",
    r"(don'?t|do not|never) (call|say|let)",
    r"dehumani[sz]\w*",
    r"incite\w*",
    r"propaganda",
    r"verurteil\w*",
    r"rassis\w*",
    r"hetze",
    r"volksverhetzung",
    r"inakzeptabel",
    r"solidarität",
    r"condamn\w*",
    r"inacceptable",
    r"haine",
)
_QUOTING = (
    r"(said|says|called|calls|claimed|claims|wrote|writes|tweeted|posted|posting|chanted|shouted)\b[^.]*",
    r"\bsagte\b",
    r"\bnannte\b",
    r"\bbezeichnete\b",
    r"\ba dit\b",
    r"\ba traité\b",
)


def _alternation(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(words) + ")"


_GROUP_PATTERNS = {
    group: re.compile(rf"(?<![\w-]){_alternation(terms)}(?![\w-])")
    for group, terms in TARGET_GROUPS.items()
}
_DEHUMANISING_RE = re.compile(rf"(?<![\w-]){_alternation(_DEHUMANISING)}(?![\w-])")
_VIOLENT_RE = re.compile(rf"(?<![\w-]){_alternation(_VIOLENT_VERB)}(?![\w-])")
_NORMATIVE_RE = re.compile(rf"(?<![\w'-]){_alternation(_NORMATIVE)}(?![\w-])")
_DEATH_TO_RE = re.compile(rf"(?<![\w-]){_alternation(_GREETING_OF_DEATH)}(?![\w-])")
_NEGATION_RE = re.compile(rf"(?<![\w-]){_alternation(_NEGATION)}(?![\w-])")
_COUNTER_RE = re.compile(rf"(?<![\w-]){_alternation(_COUNTER)}")
_QUOTE_RE = re.compile(r"[\"“”«»„]|(?<!\w)'(?=\w[^']{8,}'(?!\w))")
_QUOTING_RE = re.compile(_alternation(_QUOTING))
_PRONOUN_TARGET = re.compile(
    r"(?<!\w)(they|them|these people|those people|you people|their kind|sie|diese leute"
    r"|ils|eux|ces gens)(?!\w)"
)
_SECOND_PERSON = re.compile(r"(?<!\w)(you|your|dich|dir|du|toi|vous)(?!\w)")
_SENTENCE = re.compile(r"(?<=[.!?;\n])\s+")


@dataclass(frozen=True)
class Cues:
    """What the patterns found in one text."""

    target_groups: list[str] = field(default_factory=list)
    dehumanisation: float = 0.0
    threat: float = 0.0
    counter_speech: float = 0.0
    negated: bool = False
    has_violent_word: bool = False
    derogation: float = 0.0


_INTENSIFIER = re.compile(
    r"(nothing|none|no one) (but|else than|other than)|no (better|more) than|nichts (als|anderes)"
    r"|rien (que|d'autre)|can['’]?t stand|nicht ausstehen"
)


def _negated_before(sentence: str, start: int, window: int = 4) -> bool:
    words = " ".join(sentence[:start].split()[-window:])
    return bool(_NEGATION_RE.search(_INTENSIFIER.sub(" ", words)))


# Demeaning predicates about a group (indicator 10.6), counted only in a sentence naming one.
_DEROGATORY_RE = re.compile(
    r"(?<![\w-])(vile|disgusting|evil|inferior|criminals|rapists|terrorists|thieves|barbaric"
    r"|primitive|filthy|kriminell\w*|verbrecher|vergewaltiger|terroristen|minderwertig\w*"
    r"|widerlich\w*|criminels|violeurs|terroristes|inférieur\w*|répugnant\w*)(?![\w-])"
)
_HATE_VERB_RE = re.compile(r"(?<![\w-])(hate|hating|hassen?|hasse|déteste|détestons)(?![\w-])")


def _sentence_scores(sentence: str, has_group: bool) -> tuple[float, float, bool, float]:
    has_pronoun = bool(_PRONOUN_TARGET.search(sentence))
    dehumanising, threat = 0.0, 0.0
    # "I don't hate them", "ich hasse niemanden" is negated: tested before the verb.
    negated = any(
        _negated_before(sentence, m.start(), window=3) for m in _HATE_VERB_RE.finditer(sentence)
    )
    for match in _DEHUMANISING_RE.finditer(sentence):
        if _negated_before(sentence, match.start()):
            negated = True
            continue
        strength = 0.85 if has_group else 0.55 if has_pronoun else 0.15
        dehumanising = max(dehumanising, strength)
    for match in _VIOLENT_RE.finditer(sentence):
        before = sentence[: match.start()]
        normative = _NORMATIVE_RE.search(" ".join(before.split()[-6:]))
        after = sentence[match.end() :]
        if _negated_before(sentence, match.start(), window=6):
            negated = True
            continue
        directed = has_group or has_pronoun or bool(_SECOND_PERSON.search(sentence))
        if normative and directed:
            threat = max(threat, 0.9 if has_group or _SECOND_PERSON.search(sentence) else 0.7)
        elif directed and re.match(r"\s*(them all|all of them|every one of them|all)\b", after):
            threat = max(threat, 0.7)
        elif normative or (directed and re.match(r"\s*(them|em)\b", after)):
            threat = max(threat, 0.5)
    if _DEATH_TO_RE.search(sentence) and has_group:
        threat = max(threat, 0.9)
    derogation = 0.0
    if has_group:
        for match in _DEROGATORY_RE.finditer(sentence):
            if _negated_before(sentence, match.start()):
                negated = True
            else:
                derogation = 0.7
    return dehumanising, threat, negated, derogation


def find_cues(text: str) -> Cues:
    """Scan a text (any case) for target groups, dehumanisation, threats and counter-speech.

    Examples
    --------
    >>> find_cues("Refugees are vermin.").dehumanisation
    0.85
    >>> find_cues("Refugees are not vermin.").dehumanisation
    0.0
    >>> find_cues("They should all be killed.").threat
    0.7
    >>> find_cues("Calling refugees vermin is racist and wrong.").counter_speech >= 0.8
    True
    """
    lowered = text.lower()
    groups = [name for name, pattern in _GROUP_PATTERNS.items() if pattern.search(lowered)]
    dehumanising, threat, negated, derogation = 0.0, 0.0, False, 0.0
    for sentence in _SENTENCE.split(lowered):
        has_group = any(p.search(sentence) for p in _GROUP_PATTERNS.values())
        d, t, n, g = _sentence_scores(sentence, has_group)
        dehumanising, threat, negated = max(dehumanising, d), max(threat, t), negated or n
        derogation = max(derogation, g)
    counter_hits = len(_COUNTER_RE.findall(lowered))
    quoting = bool(_QUOTE_RE.search(text)) and bool(_QUOTING_RE.search(lowered))
    counter = min(1.0, 0.45 * counter_hits + (0.45 if quoting else 0.0))
    if counter_hits and (dehumanising or threat or negated or derogation):
        counter = max(counter, 0.8)
    return Cues(
        target_groups=groups,
        dehumanisation=dehumanising,
        threat=threat,
        counter_speech=counter,
        negated=negated,
        has_violent_word=bool(_VIOLENT_RE.search(lowered)),
        derogation=derogation,
    )
