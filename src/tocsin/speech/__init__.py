"""Hate speech and incitement monitoring: items, a multilingual classifier, the Rabat test.

Pure analysis: functions take items, texts and Signals and return scores, worksheets and
Signals. Storage goes through :mod:`tocsin.store`; the CLI is ``tocsin speech``.
"""

# Names are loaded on first use (their module is imported then), so that importing
# the package, or one light name of it, does not load every heavy library; the stub
# beside this file lists them for type checkers and for `lazy_loader`.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
