"""Statistical risk of mass-killing onset: the EWP replica, Tocsin's model, the backtest.

The backtest protocol (:func:`run_backtest`) refits a model for every last training
year and scores the best of its last two forecasts for each onset year, as the Early
Warning Project does; :func:`evaluate` gives every metric for the overall, validation
(onsets 1994–2008) and test (2009–2023) periods.

Examples
--------
>>> from tocsin.forecast import EWP_PREDICTORS, forecast_years
>>> len(EWP_PREDICTORS), len(list(forecast_years(2)))
(39, 31)
"""

# Names are loaded on first use (their module is imported then), so that importing
# the package, or one light name of it, does not load every heavy library; the stub
# beside this file lists them for type checkers and for `lazy_loader`.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
