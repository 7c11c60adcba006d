"""Elastic-net logistic regression along a lambda path, with glmnet's conventions.

R's ``glmnet``/``cv.glmnet`` (which the Early Warning Project uses) minimise, for each
lambda on a log-spaced path,

    -(1/n) sum_i loglik_i(b0 + x_i b) + lambda * (alpha * |b|_1 + (1 - alpha)/2 * |b|_2^2)

on predictors standardised with the 1/n standard deviation, and report coefficients on
the original scale. The path starts at the smallest lambda that keeps every coefficient
at zero and ends at ``lambda_min_ratio`` times it (1e-4 when n > p), 100 values, and
stops early when the explained deviance gains less than 1e-5. ``cv.glmnet`` fits each
fold on the full-data path, measures the held-out binomial deviance (probabilities
clipped to [1e-5, 1 - 1e-5]) and picks ``lambda.min``, the largest lambda reaching the
minimum mean deviance.

This module solves the full fit and the ten fold fits *together*: they share the data
matrix and differ only in row weights (0 for held-out rows), so each Newton (IRLS) step
builds all eleven weighted Gram matrices with one matrix product and runs coordinate
descent on all of them at once. Fold folds are drawn by ``random_state``; R's random
numbers cannot be reproduced, so the chosen lambda can differ from R's by a path step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["ElasticNetPath", "cv_elastic_net_logit"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_PMIN = 1e-5
_FDEV = 1e-5
_DEVMAX = 0.999
_MIN_STEPS = 5


@dataclass(frozen=True)
class ElasticNetPath:
    """Result of the cross-validated fit (original-scale coefficients at lambda.min)."""

    intercept: float
    coef: FloatArray
    lambda_min: float
    lambdas: FloatArray
    cv_deviance: FloatArray
    n_iterations: int


def _sigmoid(eta: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-eta)), dtype=float)


def _deviance_terms(y: FloatArray, prob: FloatArray) -> FloatArray:
    p = np.clip(prob, _PMIN, 1 - _PMIN)
    return np.asarray(-2.0 * (y * np.log(p) + (1 - y) * np.log(1 - p)), dtype=float)


def _hessians(
    x1: npt.NDArray[Any], variance: FloatArray, bounds: IntArray, counts: FloatArray
) -> FloatArray:
    """Hessians of the B problems, all built from the first problem's row variances.

    Rows are sorted by fold: fold k holds rows ``bounds[k]:bounds[k + 1]``. Problem 0
    uses every row; problem k >= 1 leaves fold k - 1 out. For problem 0 this is the
    exact Newton Hessian; for the others it is a close approximation (their fitted
    probabilities differ little), which changes only how fast the Newton iterations
    converge, never the solution they converge to, because each problem's gradient is
    exact.
    """
    scaled = x1 * variance[:, None].astype(x1.dtype)
    parts = np.stack(
        [scaled[a:b].T @ x1[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    )
    total = parts.sum(axis=0)
    hess = np.concatenate([total[None], total[None] - parts])
    return np.asarray(hess, dtype=float) / counts[:, None, None]


def _active_set_solve(
    start: FloatArray,
    grad: FloatArray,
    hess: FloatArray,
    thresholds: FloatArray,
    ridge: FloatArray,
    max_rounds: int = 12,
) -> tuple[npt.NDArray[np.bool_], FloatArray]:
    """Exact minimisers of the B penalised quadratic models, by guessing the support.

    Each Newton step minimises, per problem, ``-grad'(b - s) + (b - s)'H(b - s)/2 +
    sum_j (thresholds_j |b_j| + ridge_j b_j^2 / 2)`` around the start ``s``. It is
    strictly convex, so a point meeting its optimality conditions (signs consistent on
    the support, ``|gradient_j| <= thresholds_j`` off it) is *the* minimiser, the
    point coordinate descent converges to. Starting from the previous support (warm
    start along the path), each round solves one linear system per problem on the
    guessed support, drops coefficients whose sign flips and adds those whose
    optimality condition fails. Returns which problems are solved and their solutions;
    the caller finishes the others by coordinate descent.
    """
    n_problems, n_coef = start.shape
    system = hess + ridge[:, :, None] * np.eye(n_coef)[None]
    target = grad + np.einsum("bij,bj->bi", hess, start)
    support = start != 0
    support[:, 0] = True
    signs = np.sign(start)
    slope = ridge * start - grad
    joining = ~support & (np.abs(slope) > thresholds)
    support |= joining
    signs = np.where(joining, -np.sign(slope), signs)
    solved = np.zeros(n_problems, dtype=bool)
    result = start.copy()
    eye = np.eye(n_coef, dtype=bool)[None]
    penalised = np.arange(n_coef) > 0
    for _ in range(max_rounds):
        pair = support[:, :, None] & support[:, None, :]
        matrix = np.where(pair, system, 0.0) + np.where(eye & ~support[:, :, None], 1.0, 0.0)
        rhs = np.where(support, target - thresholds * signs, 0.0)
        solution = np.linalg.solve(matrix, rhs[:, :, None])[:, :, 0]
        slope = np.einsum("bij,bj->bi", system, solution) - target
        flipped = support & penalised & (solution * signs <= 0)
        violated = ~support & (np.abs(slope) > thresholds * (1 + 1e-9) + 1e-12)
        good = ~solved & ~flipped.any(axis=1) & ~violated.any(axis=1)
        result[good] = solution[good]
        solved |= good
        if solved.all():
            break
        support = (support & ~flipped) | violated
        signs = np.where(violated, -np.sign(slope), signs)
    return solved, result


def _coordinate_descent(
    beta: FloatArray,
    grad: FloatArray,
    hess: FloatArray,
    diag: FloatArray,
    thresholds: FloatArray,
    denominators: FloatArray,
    active: npt.NDArray[np.bool_],
    tol: float,
    max_sweeps: int,
) -> None:
    """Coordinate descent on the same quadratic models, in place (the fallback)."""
    n_problems, n_coef = beta.shape
    q = grad.copy()
    for sweep in range(max_sweeps):
        largest = np.zeros(n_problems)
        # after the first sweep, visit only coordinates that are non-zero somewhere
        coords = (
            range(n_coef)
            if sweep % 5 == 0
            else [0, *np.flatnonzero((beta[:, 1:] != 0).any(axis=0)) + 1]
        )
        for j in coords:
            old = beta[:, j]
            if j == 0:
                new = old + q[:, 0] / diag[:, 0]
            else:
                u = q[:, j] + diag[:, j] * old
                new = np.sign(u) * np.maximum(np.abs(u) - thresholds[:, j], 0.0)
                new = new / denominators[:, j]
            delta = np.where(active, new - old, 0.0)
            if not delta.any():
                continue
            beta[:, j] = old + delta
            q -= hess[:, :, j] * delta[:, None]
            largest = np.maximum(largest, diag[:, j] * delta**2)
        if largest.max() < tol and sweep % 5 == 0:
            break


def _solve_batch(
    x1: FloatArray,
    y: FloatArray,
    weights: FloatArray,
    bounds: IntArray,
    penalty_scale: FloatArray,
    lambdas: FloatArray,
    alpha: float,
    tol: float,
    max_newton: int,
    max_sweeps: int,
    patience: int | None = None,
) -> tuple[FloatArray, FloatArray, int, FloatArray]:
    """Paths for B problems sharing ``x1`` (n x (p+1), first column ones).

    ``weights`` is (B, n), each row summing to 1; ``penalty_scale`` (B, p+1) holds each
    problem's own standard deviation of every standardised column (0 for the intercept).
    Rows are sorted by fold, fold k being ``bounds[k]:bounds[k + 1]`` (problem k >= 1
    leaves fold k - 1 out; problem 0 is the full fit). Returns coefficients
    (n_lambda, B, p+1), a (B, n_lambda) mask of the lambdas each problem actually
    reached (glmnet's early stop), the Newton step count and the cross-validated
    deviance per lambda (held-out deviance of problem k on fold k - 1, weighted by fold
    size). With ``patience``, the path stops once that many lambdas have passed the
    best cross-validated deviance without improving on it.
    """
    n_problems = weights.shape[0]
    counts = np.asarray((weights > 0).sum(axis=1), dtype=float)
    x1_single = x1.astype(np.float32)
    n_coef = x1.shape[1]
    n_lambda = lambdas.size
    beta = np.zeros((n_problems, n_coef))
    ybar = weights @ y
    beta[:, 0] = np.log(ybar / (1 - ybar))
    null_dev = (weights * _deviance_terms(y[None, :], ybar[:, None])).sum(axis=1)
    previous_ratio = np.zeros(n_problems)
    active = np.ones(n_problems, dtype=bool)
    reached = np.zeros((n_problems, n_lambda), dtype=bool)
    path = np.zeros((n_lambda, n_problems, n_coef))
    l1 = alpha * penalty_scale
    l2 = (1 - alpha) * penalty_scale**2
    steps = 0
    n_folds = n_problems - 1
    sizes = np.diff(bounds).astype(float)
    cvm = np.full(n_lambda, np.nan)
    best = 0
    for m, lam in enumerate(lambdas):
        for newton in range(max_newton):
            steps += 1
            eta = beta @ x1.T
            prob = np.clip(_sigmoid(eta), _PMIN, 1 - _PMIN)
            grad = (weights * (y[None, :] - prob)) @ x1
            if newton == 0:
                # one Hessian per lambda: later Newton steps reuse it (exact gradients
                # keep the fixed point exact; only the convergence rate changes)
                hess = _hessians(x1_single, prob[0] * (1 - prob[0]), bounds, counts)
                diag = np.einsum("bjj->bj", hess)
            start = beta.copy()
            thresholds = lam * l1
            solved, exact = _active_set_solve(start, grad, hess, thresholds, lam * l2)
            todo = active & ~solved
            beta[active & solved] = exact[active & solved]
            if todo.any():
                _coordinate_descent(
                    beta, grad, hess, diag, thresholds, diag + lam * l2, todo, tol, max_sweeps
                )
            change = (diag * (beta - start) ** 2).max()
            if change < tol:
                break
        path[m] = beta
        reached[:, m] = active
        eta = beta @ x1.T
        terms = _deviance_terms(y[None, :], _sigmoid(eta))
        dev = (weights * terms).sum(axis=1)
        held_out = [terms[k + 1, bounds[k] : bounds[k + 1]].sum() for k in range(n_folds)]
        cvm[m] = float(np.sum(held_out) / sizes.sum())
        if cvm[m] < cvm[best]:
            best = m
        ratio = 1 - dev / null_dev
        if m + 1 >= _MIN_STEPS:
            stop = (ratio - previous_ratio < _FDEV * ratio) | (ratio > _DEVMAX)
            active &= ~stop
        previous_ratio = ratio
        if not active[0] or (patience is not None and m - best >= patience):
            break
    return path, reached, steps, cvm


def cv_elastic_net_logit(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    alpha: float = 0.5,
    n_folds: int = 10,
    n_lambda: int = 100,
    lambda_min_ratio: float | None = None,
    random_state: int = 90035,
    fold_ids: npt.ArrayLike | None = None,
    patience: int | None = None,
    tol: float = 1e-7,
    max_newton: int = 25,
    max_sweeps: int = 200,
) -> ElasticNetPath:
    """Cross-validated elastic-net logit (``cv.glmnet(family="binomial")`` semantics).

    Folds are ``fold_ids`` (0-based) when given, else a permutation drawn with
    ``random_state``. ``patience=None`` computes the whole path as ``cv.glmnet`` does;
    an integer stops it that many lambdas after the best cross-validated deviance so
    far (faster; it differs from glmnet only if the curve dips again later).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(400, 3))
    >>> y = (rng.random(400) < 1 / (1 + np.exp(-(x[:, 0] * 2 - 1)))).astype(float)
    >>> fit = cv_elastic_net_logit(x, y)
    >>> bool(fit.coef[0] > 1.0), bool(abs(fit.coef[2]) < 0.3)
    (True, True)
    """
    data = np.asarray(x, dtype=float)
    outcome = np.asarray(y, dtype=float)
    n, p = data.shape
    mean = data.mean(axis=0)
    sd = data.std(axis=0)
    sd[sd == 0] = 1.0
    x1 = np.hstack([np.ones((n, 1)), (data - mean) / sd])
    ratio = lambda_min_ratio if lambda_min_ratio is not None else (1e-4 if n > p else 1e-2)

    if fold_ids is None:
        folds = np.random.default_rng(random_state).permutation(np.arange(n) % n_folds)
    else:
        folds = np.asarray(fold_ids, dtype=np.int64)
        if folds.shape != (n,) or set(np.unique(folds)) != set(range(n_folds)):
            raise ValueError(f"fold_ids must label every row with 0 … {n_folds - 1}")
    # sort rows by fold so that each fold is a contiguous block (views, not copies)
    order = np.argsort(folds, kind="stable")
    x1, outcome, folds = x1[order], outcome[order], folds[order]
    bounds = np.searchsorted(folds, np.arange(n_folds + 1))
    membership = np.vstack([np.ones(n, dtype=bool)] + [folds != k for k in range(n_folds)])
    weights = membership / membership.sum(axis=1, keepdims=True)
    # each problem's own standard deviation of the (globally) standardised columns
    own_mean = weights @ x1[:, 1:]
    own_var = np.maximum(weights @ x1[:, 1:] ** 2 - own_mean**2, 0.0)
    own_sd = np.sqrt(own_var)
    own_sd[own_sd == 0] = 1.0
    penalty_scale = np.hstack([np.zeros((n_folds + 1, 1)), own_sd])

    ybar = outcome.mean()
    gradient = np.abs(x1[:, 1:].T @ (outcome - ybar)) / n
    lambda_max = gradient.max() / max(alpha, 1e-3)
    lambdas = lambda_max * ratio ** (np.arange(n_lambda) / (n_lambda - 1))

    path, reached, steps, cvm_all = _solve_batch(
        x1,
        outcome,
        weights,
        bounds,
        penalty_scale,
        lambdas,
        alpha,
        tol,
        max_newton,
        max_sweeps,
        patience,
    )
    n_full = int(reached[0].sum())
    cvm = cvm_all[:n_full]
    best = int(np.flatnonzero(cvm <= cvm.min())[0])
    beta = path[best, 0]
    coef = beta[1:] / sd
    intercept = float(beta[0] - coef @ mean)
    return ElasticNetPath(
        intercept=intercept,
        coef=np.asarray(coef, dtype=float),
        lambda_min=float(lambdas[best]),
        lambdas=lambdas[:n_full],
        cv_deviance=np.asarray(cvm, dtype=float),
        n_iterations=steps,
    )
