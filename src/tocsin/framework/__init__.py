"""The risk-factor catalogue: the UN Framework of Analysis and the seed report, as data.

The catalogue (``catalogue.yaml``, shipped in this package) holds the 14 risk
factors of the UN Framework of Analysis for Atrocity Crimes (2014) with their
indicators, the risk factors, triggers, policy options and §71 steps of the
Secretary-General's report A/67/929–S/2013/399, and the legal instruments of
its footnote 4 — all in Tocsin's own words, each mapped to Framework codes.

Framework codes are ``RF1`` … ``RF14`` for factors and ``<n>.<m>`` (``1.1``,
``14.3``) for indicators; see :meth:`Catalogue.is_valid_reference`.

Examples
--------
>>> from tocsin.framework import load_catalogue
>>> cat = load_catalogue()
>>> cat.factor("RF10").kind
'genocide'
>>> [p.id for p in cat.policy_options_for("RF3")][:3]
['P1', 'P4', 'P5']
"""

from tocsin.framework._catalogue import (
    SECTIONS,
    CatalogueError,
    catalogue_to_dict,
    default_catalogue_path,
    load_catalogue,
)
from tocsin.framework._schema import (
    FACTOR_CODE,
    INDICATOR_CODE,
    Catalogue,
    Indicator,
    LegalInstrument,
    PolicyOption,
    ReportRiskFactor,
    RiskFactor,
    Source,
    Trigger,
)
from tocsin.framework._tree import catalogue_tree

__all__ = [
    "FACTOR_CODE",
    "INDICATOR_CODE",
    "SECTIONS",
    "Catalogue",
    "CatalogueError",
    "Indicator",
    "LegalInstrument",
    "PolicyOption",
    "ReportRiskFactor",
    "RiskFactor",
    "Source",
    "Trigger",
    "catalogue_to_dict",
    "catalogue_tree",
    "default_catalogue_path",
    "load_catalogue",
]
