"""Type stub of :mod:`tocsin.forecast`: the names it offers, loaded on first use."""

from ._api import (
    MODELS,
    ModelSpec,
    Watchlist,
    backtest,
    build_frame,
    current_forecast,
)
from ._backtest import REFERENCE_PERIOD, BacktestResult, run_backtest
from ._explain import (
    Explanation,
    explain,
    factor_contributions,
    predictor_factors,
)
from ._features import TOCSIN_EXTRA_FEATURES, build_features
from ._glmnet import ElasticNetPath, cv_elastic_net_logit
from ._metrics import (
    CalibrationBin,
    brier_score,
    calibration_table,
    catch_curve,
    pr_auc,
    roc_auc,
)
from ._model import TOCSIN_FEATURES, TocsinModel
from ._names import CONTRIBUTION_UNITS, MODEL_NAMES, TARGETS, contribution_unit
from ._panel import (
    EWP_PREDICTORS,
    LEAKING_COLUMNS,
    MissingReport,
    PanelError,
    check_panel,
    complete_cases,
    load_events,
    onset_series,
    with_target,
)
from ._pictures import (
    RISK_BANDS,
    plot_calibration,
    plot_catch_curve,
    plot_risk_history,
    plot_world_map,
    save_picture,
    world_outlines,
)
from ._protocol import (
    PERIODS,
    Period,
    PeriodMetrics,
    combine_forecasts,
    evaluate,
    forecast_years,
    metrics_table,
    rank_within_year,
)
from ._realtime import RealtimeCheck, load_vintage_2024, realtime_check
from ._record import (
    FORECAST_SOURCES,
    RecordedForecast,
    forecast_frame,
    panel_vintage,
    record_current_forecast,
)
from ._replica import EWPReplica
from ._rrandom import RRandom, r_cv_folds
from ._signals import forecast_signals
from ._store import (
    ForecastRunCreate,
    ForecastValue,
    StoredForecastRun,
    get_country_forecasts,
    latest_forecast_run,
    record_forecast_run,
)

__all__ = [
    "ForecastRunCreate",
    "ForecastValue",
    "StoredForecastRun",
    "get_country_forecasts",
    "latest_forecast_run",
    "record_forecast_run",
    "FORECAST_SOURCES",
    "RecordedForecast",
    "forecast_frame",
    "panel_vintage",
    "record_current_forecast",
    "RealtimeCheck",
    "load_vintage_2024",
    "realtime_check",
    "RISK_BANDS",
    "plot_calibration",
    "plot_catch_curve",
    "plot_risk_history",
    "plot_world_map",
    "save_picture",
    "world_outlines",
    "EWP_PREDICTORS",
    "MODELS",
    "CONTRIBUTION_UNITS",
    "MODEL_NAMES",
    "TOCSIN_EXTRA_FEATURES",
    "TOCSIN_FEATURES",
    "ModelSpec",
    "TocsinModel",
    "Watchlist",
    "Explanation",
    "backtest",
    "explain",
    "contribution_unit",
    "factor_contributions",
    "forecast_signals",
    "predictor_factors",
    "build_features",
    "build_frame",
    "current_forecast",
    "LEAKING_COLUMNS",
    "PERIODS",
    "REFERENCE_PERIOD",
    "TARGETS",
    "BacktestResult",
    "CalibrationBin",
    "EWPReplica",
    "ElasticNetPath",
    "MissingReport",
    "PanelError",
    "Period",
    "PeriodMetrics",
    "RRandom",
    "brier_score",
    "calibration_table",
    "catch_curve",
    "check_panel",
    "combine_forecasts",
    "complete_cases",
    "cv_elastic_net_logit",
    "evaluate",
    "forecast_years",
    "load_events",
    "metrics_table",
    "onset_series",
    "pr_auc",
    "r_cv_folds",
    "rank_within_year",
    "roc_auc",
    "run_backtest",
    "with_target",
]
