"""The risk-factor catalogue: the UN Framework of Analysis and the seed report, as data.

The catalogue (``catalogue.yaml``, shipped in this package) holds the 14 risk
factors of the UN Framework of Analysis for Atrocity Crimes (2014) with their
indicators, the risk factors, triggers, policy options and §71 steps of the
Secretary-General's report A/67/929–S/2013/399, and the legal instruments of
its footnote 4 — all in Tocsin's own words, each mapped to Framework codes, in English
and in Tocsin's own translations beside it (``languages`` in the file says which).

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

The same catalogue in another language (see :meth:`Catalogue.localized`):

>>> cat.localized("fr").factor("RF10").kind, cat.languages.shipped[0]
('genocide', 'en')
"""

# Names are loaded on first use (their module is imported then), so that a help text or a
# light name does not load every module; the stub beside this file lists them.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
