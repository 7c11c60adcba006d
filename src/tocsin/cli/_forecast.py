"""`tocsin forecast`: the watchlist, its reasons, and the backtest of each model."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tocsin.cli._common import print_json, state, stderr, stdout
from tocsin.errors import TocsinError
from tocsin.forecast import MODEL_NAMES, TARGETS

if TYPE_CHECKING:
    pass

app = typer.Typer(
    name="forecast",
    help="The statistical forecast of mass-killing onset: backtest, run, explain, pictures.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

_SOURCES = ("ewp_panel", "mass_killing", "pts", "freedom_house", "vdem")
ModelOption = Annotated[str, typer.Option("--model", help=f"One of: {', '.join(MODEL_NAMES)}.")]
TargetOption = Annotated[str, typer.Option("--target", help=f"One of: {', '.join(TARGETS)}.")]
HorizonOption = Annotated[int, typer.Option("--horizon", help="Years ahead: 1 or 2.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@app.command(name="backtest")
def backtest_command(
    ctx: typer.Context,
    model: ModelOption = "ewp-replica",
    target: TargetOption = "any",
    horizon: HorizonOption = 2,
    jobs: Annotated[int, typer.Option("--jobs", help="Worker processes.")] = 2,
    refits: Annotated[
        int | None,
        typer.Option("--refits", help="Only the last N refits (a quick check; fewer onsets)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the backtest protocol (31 refits) and print every metric per period.

    Example: `tocsin forecast backtest --model ewp-replica --json`
    """
    from tocsin.forecast import backtest, forecast_frame

    frame = forecast_frame(state(ctx).settings, target, horizon)
    result = backtest(
        frame, model=model, target=target, horizon=horizon, n_jobs=jobs, refits=refits
    )
    if as_json:
        print_json(result.as_dict())
        return
    stdout.print(f"{model} ({target}, {horizon}-year) in {result.seconds:.1f} s")
    for name, m in result.metrics.items():
        stdout.print(
            f"{name:14} onsets {m.n_onsets:3}  top-30 {m.top30_share_pooled:.3f} "
            f"(yearly {m.top30_share_yearly_mean:.3f})  AUC {m.roc_auc:.3f}  "
            f"PR-AUC {m.pr_auc:.3f}  Brier {m.brier:.5f}  >=4% {m.share_risk_ge_4pct:.3f}"
        )


@app.command()
def run(
    ctx: typer.Context,
    model: ModelOption = "tocsin",
    target: TargetOption = "any",
    horizon: HorizonOption = 2,
    top: Annotated[int, typer.Option("--top", help="Rows to print.")] = 30,
    as_json: JsonFlag = False,
) -> None:
    """Forecast every country from the latest data, store it, emit FORECAST Signals.

    Example: `tocsin forecast run --top 20`
    """
    from tocsin.forecast import record_current_forecast

    recorded = record_current_forecast(
        state(ctx).settings, now=datetime.now(UTC), model=model, target=target, horizon=horizon
    )
    if recorded.not_stored:
        skipped = ", ".join(recorded.not_stored)
        stderr.print(f"not stored (country not in the database; run `tocsin up`): {skipped}")
    shown = recorded.forecasts.head(top)
    if as_json:
        print_json(
            {
                "run_id": recorded.run_id,
                "model": model,
                "model_version": recorded.model_version,
                "data_vintage": recorded.data_vintage,
                "data_year": recorded.data_year,
                "target": target,
                "horizon": horizon,
                "forecasts": shown[["iso3", "name", "risk", "rank"]].to_dict(orient="records"),
            }
        )
        return
    stdout.print(
        f"{recorded.model_version}: risk of onset in the {horizon} years after {recorded.data_year}"
    )
    for rank, iso3, risk, name in zip(
        shown["rank"], shown["iso3"], shown["risk"], shown["name"], strict=True
    ):
        stdout.print(f"{rank:4}  {iso3}  {risk:7.2%}  {name}")


@app.command(name="explain")
def explain_command(
    ctx: typer.Context,
    country: Annotated[str, typer.Argument(help="ISO3 code, e.g. SDN.")],
    model: ModelOption = "tocsin",
    target: TargetOption = "any",
    horizon: HorizonOption = 2,
    as_json: JsonFlag = False,
) -> None:
    """Why a country's risk is what it is: contributions by risk factor and predictor,
    and what changed since last year's forecast.

    Example: `tocsin forecast explain SDN`
    """
    import pandas as pd

    from tocsin.forecast import MODELS, current_forecast, explain, forecast_frame

    frame = forecast_frame(state(ctx).settings, target, horizon)
    watch = current_forecast(frame, model=model, target=target, horizon=horizon)
    iso3 = country.upper()
    columns = list(MODELS[model].predictors)
    rows = frame[
        (frame["iso3"] == iso3) & frame["year"].isin([watch.data_year - 1, watch.data_year])
    ]
    rows = rows.dropna(subset=list(MODELS[model].required)).sort_values("year")
    if rows.empty or rows["year"].iloc[-1] != watch.data_year:
        raise TocsinError(
            f"no forecast for {iso3!r} in {watch.data_year}",
            fix="use an ISO3 code of a country in the watchlist (tocsin forecast run)",
        )
    contributions = pd.DataFrame(watch.fitted.contributions(rows[columns]), columns=columns)
    risk = watch.fitted.predict_proba(rows[columns])[:, 1]
    has_previous = len(rows) == 2
    result = explain(
        iso3,
        float(risk[-1]),
        contributions.iloc[-1],
        rows[columns].iloc[-1],
        contributions.iloc[0] if has_previous else None,
        rows[columns].iloc[0] if has_previous else None,
        float(risk[0]) if has_previous else None,
    )
    if as_json:
        print_json(result.as_dict())
        return
    stdout.print(f"{iso3}: {result.risk:.2%} ({watch.version}, data year {watch.data_year})")
    if result.previous_risk is not None:
        stdout.print(f"last year's data gave {result.previous_risk:.2%}")
    for factor, r in result.by_factor.iterrows():
        stdout.print(f"  {factor:5} {r['contribution']:+.4f}  (change {r['change']:+.4f})")
    stdout.print("largest predictors:")
    for name, r in result.by_predictor.head(10).iterrows():
        stdout.print(f"  {name:28} {r['contribution']:+.4f}  {r['label']}")


@app.command()
def pictures(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the files to.")] = Path(
        "forecast-pictures"
    ),
    country: Annotated[
        list[str] | None,
        typer.Option("--country", help="ISO3 of a country whose risk history to draw (repeat)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="svg or png.")] = "svg",
    jobs: Annotated[int, typer.Option("--jobs", help="Worker processes.")] = 2,
    refits: Annotated[
        int | None,
        typer.Option("--refits", help="Only the last N refits (a quick check; fewer onsets)."),
    ] = None,
) -> None:
    """Draw the catch curve and calibration plot of both models' backtests, each
    country's risk history, and the world map of Tocsin's current forecast.

    Example: `tocsin forecast pictures --out pictures --country SDN --country MMR`
    """
    import pandas as pd

    from tocsin.forecast import (
        backtest,
        current_forecast,
        forecast_frame,
        plot_calibration,
        plot_catch_curve,
        plot_risk_history,
        plot_world_map,
    )

    if fmt not in ("svg", "png"):
        raise TocsinError(f"unknown picture format {fmt!r}", fix="use --format svg or png")
    frame = forecast_frame(state(ctx).settings, "any", 2)
    results = {
        name: backtest(frame, model=name, n_jobs=jobs, refits=refits) for name in MODEL_NAMES
    }
    first = min(int(r.combined["year"].min()) for r in results.values())
    period = (max(first, 1994), 2023)
    written = [
        plot_catch_curve(results, out / f"catch_curve.{fmt}", period=period),
        plot_calibration(results, out / f"calibration.{fmt}", period=period),
    ]
    watch = current_forecast(frame, model="tocsin")
    written.append(
        plot_world_map(
            watch.forecasts,
            out / f"world_map.{fmt}",
            title=f"Risk of a new mass killing in {watch.data_year + 1}–{watch.data_year + 2} "
            f"({watch.version}, data year {watch.data_year})",
        )
    )
    current = {"tocsin": watch, "ewp-replica": current_forecast(frame, model="ewp-replica")}
    for code in country or []:
        iso3 = code.upper()
        parts = []
        for name, result in results.items():
            past = result.forecasts.loc[result.forecasts["iso3"] == iso3, ["year", "risk"]]
            now = current[name].forecasts.loc[current[name].forecasts["iso3"] == iso3]
            parts.append(pd.concat([past, now[["year", "risk"]]]).assign(model=name))
        history = pd.concat(parts, ignore_index=True)
        if history.empty:
            raise TocsinError(f"no forecasts for {iso3!r}", fix="use the ISO3 code of a country")
        onsets = frame.loc[(frame["iso3"] == iso3) & frame["onset"].eq(1), "year"]
        written.append(
            plot_risk_history(
                history,
                out / f"history_{iso3}.{fmt}",
                title=f"{iso3}: out-of-sample risk of onset in the next two years",
                onset_years=[int(y) for y in onsets],
            )
        )
    for path in written:
        stdout.print(str(path))


@app.command()
def realtime(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Refit both models on EWP's 2024 data vintage (data to 2023) and compare them
    with EWP's published 2024–25 forecast and with the onsets recorded since.

    Example: `tocsin forecast realtime --json`
    """
    from tocsin.datasets import load
    from tocsin.forecast import realtime_check

    settings = state(ctx).settings
    sources = {
        name: load(name, settings_or_dir=settings)
        for name in ("mass_killing", "pts", "freedom_house", "vdem")
    }
    check = realtime_check(sources)
    if as_json:
        print_json(
            {
                "summary": check.summary,
                "forecasts": check.table.to_dict(orient="records"),
            }
        )
        return
    for line, part in check.summary.items():
        years = "–".join(str(y) for y in part["onset_years"])
        onsets = ", ".join(part["onsets"]) or "none"
        stdout.print(
            f"{line}: data year {part['data_year']}, trained to {part['trained_to']}; "
            f"onsets {years}: {onsets}"
        )
        for model in ("published", *MODEL_NAMES):
            if model in part:
                stdout.print(f"  {model:12} {part[model]}")


def register(root: typer.Typer) -> None:
    """Add the `forecast` commands to the root CLI."""
    root.add_typer(app, name="forecast")
