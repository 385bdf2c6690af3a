"""BG/NBD and Gamma-Gamma: closed-form log-likelihoods, maximum-likelihood fits and per-customer predictions.

Pure numpy/scipy, no Django. Notation follows Fader, Hardie & Lee (2005), "Counting your customers the easy
way: an alternative to the Pareto/NBD model", and Fader & Hardie (2013), "The Gamma-Gamma model of monetary
value":

* ``x`` (frequency): repeat purchase days in the calibration period (the first purchase is not counted);
* ``t_x`` (recency): time from the first to the last purchase, in the fit's time unit;
* ``T`` (age): time from the first purchase to the end of the calibration period;
* ``m`` (monetary): mean value of the repeat purchases (customers with x > 0 only).

Fits take optional ``weights``: customers with identical (x, t_x, T) contribute identical likelihood terms, so
a million hotel guests collapse to a few hundred thousand distinct rows (see :func:`compress`), which is what
keeps a group-wide nightly fit fast. Parameters are optimised on the log scale (they must be positive) with
L-BFGS-B using the analytic gradients of both log-likelihoods (numerical gradients cost five likelihood
evaluations per step and stall near flat optima), bounded (LOG_BOUNDS) and capped in iterations
(MAX_ITERATIONS, MAX_EVALUATIONS): a fit that does not converge raises FitError rather than running on.

CLV (:func:`customer_lifetime_value`) discounts the expected purchases of each future month by a monthly rate
derived from an annual rate (``CLV_ANNUAL_DISCOUNT_RATE`` in settings, 10 % by default), over a horizon of
``horizon_months`` (36 by default): CLV = Σ_{i=1..H} (E[Y(i months)] − E[Y(i−1 months)]) × E[M] / (1+d)^i.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

# Days per time unit; the daily summary is divided by this.
TIME_UNITS: dict[str, float] = {"day": 1.0, "week": 7.0}
DAYS_PER_MONTH = 365.25 / 12


class FitError(ValueError):
    """The data cannot support a fit (too few customers, no repeat purchases, optimiser failure)."""


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float
    log_likelihood: float


def _as_arrays(*arrays: np.ndarray) -> list[np.ndarray]:
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def compress(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of the given columns, their counts, and the index mapping each input row to its distinct row.

    ``compress(x, t_x, T)`` → ``([x_u, t_x_u, T_u], counts, inverse)``; ``pred_u[inverse]`` expands back.
    """
    arrays = _as_arrays(*columns)
    if not len(arrays[0]):
        return [np.empty(0) for _ in columns], np.empty(0), np.empty(0, dtype=np.int64)
    # Dense codes per column (1-D sorts are fast), combined into one int64 key when they fit: several times
    # faster than np.unique(axis=0) on a million rows.
    codes, values, key, radix = [], [], np.zeros(len(arrays[0]), dtype=np.int64), 1
    for column in arrays:
        distinct, code = np.unique(column, return_inverse=True)
        values.append(distinct)
        codes.append(code.reshape(-1))
        radix *= max(len(distinct), 1)
    if radix >= 2**62:  # pragma: no cover - astronomically many distinct values
        stacked = np.column_stack(arrays)
        unique, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
        return [unique[:, i] for i in range(unique.shape[1])], counts.astype(np.float64), inverse.reshape(-1)
    for distinct, code in zip(values, codes, strict=True):
        key = key * len(distinct) + code
    unique_keys, first, inverse, counts = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
    return [column[first] for column in arrays], counts.astype(np.float64), inverse.reshape(-1)


# --- BG/NBD ---------------------------------------------------------------------------------------------------


def bgnbd_log_likelihood_terms(
    r: float, alpha: float, a: float, b: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (FHL 2005, eq. 6), in the numerically stable log-sum-exp form.

    L = Γ(r+x) α^r / Γ(r) · B(a, b+x) / B(a, b) · [ (α+T)^-(r+x) + 1{x>0} · a/(b+x−1) · (α+t_x)^-(r+x) ]
    """
    x, t_x, T = _as_arrays(x, t_x, T)
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    term_T = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    # For x = 0 the second term is absent: -inf makes logsumexp ignore it (b+x-1 may be <= 0 there).
    safe = np.where(repeat, b + x - 1, 1.0)
    term_tx = np.where(repeat, np.log(a) - np.log(safe) - (r + x) * np.log(alpha + t_x), -np.inf)
    return head + np.logaddexp(term_T, term_tx)  # log-sum-exp of the two terms, stable


def bgnbd_negative_log_likelihood(
    log_params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray
) -> float:
    r, alpha, a, b = np.exp(log_params)
    ll = bgnbd_log_likelihood_terms(r, alpha, a, b, x, t_x, T)
    value = -float(np.dot(weights, ll))
    return value if np.isfinite(value) else 1e300


class _BgNbdObjective:
    """Mean negative BG/NBD log-likelihood and its analytic gradient in log-parameter space (``jac=True``).

    Per customer, with A = −(r+x)·ln(α+T), B = ln a − ln(b+x−1) − (r+x)·ln(α+t_x) (x > 0 only) and the weights
    w_A = e^(A−L), w_B = e^(B−L) of L = logaddexp(A, B):

    ∂ℓ/∂r = ψ(r+x) − ψ(r) + ln α − w_A ln(α+T) − w_B ln(α+t_x)
    ∂ℓ/∂α = r/α − (r+x)·(w_A/(α+T) + w_B/(α+t_x))
    ∂ℓ/∂a = ψ(a+b) − ψ(a+b+x) + w_B/a
    ∂ℓ/∂b = ψ(b+x) − ψ(b) + ψ(a+b) − ψ(a+b+x) − w_B/(b+x−1)

    and ∂/∂ln θ = θ·∂/∂θ. The functions of x alone (gammaln, digamma) are evaluated once per distinct x. The
    mean (not the sum) keeps the gradient's scale independent of the number of customers, so the same
    tolerances suit 2,000 and 2,000,000 guests.
    """

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray) -> None:
        self.x_values, self.x_index = np.unique(x, return_inverse=True)
        self.x_index = self.x_index.reshape(-1)
        self.x, self.t_x, self.T = x, t_x, T
        self.repeat = x > 0
        self.total = float(weights.sum())
        self.w = weights / self.total
        self.evaluations = 0

    def __call__(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        self.evaluations += 1
        r, alpha, a, b = np.exp(log_params)
        xv, xi, x, w = self.x_values, self.x_index, self.x, self.w
        with np.errstate(all="ignore"):
            # Per distinct x: the head of the log-likelihood and the digamma parts of the gradient.
            head_v = gammaln(r + xv) - gammaln(r) + r * np.log(alpha) + betaln(a, b + xv) - betaln(a, b)
            dr_v = digamma(r + xv) - digamma(r) + np.log(alpha)
            psi_abx = digamma(a + b + xv)
            da_v = digamma(a + b) - psi_abx
            db_v = digamma(b + xv) - digamma(b) + digamma(a + b) - psi_abx
            rx = r + x
            log_aT = np.log(alpha + self.T)
            log_atx = np.log(alpha + self.t_x)
            safe = np.where(self.repeat, b + x - 1, 1.0)
            term_A = -rx * log_aT
            term_B = np.where(self.repeat, np.log(a) - np.log(safe) - rx * log_atx, -np.inf)
            big = np.logaddexp(term_A, term_B)
            w_A = np.exp(term_A - big)
            w_B = np.exp(term_B - big)
            ll = head_v[xi] + big
            value = -float(np.dot(w, ll))
            g_r = np.dot(w, dr_v[xi] - w_A * log_aT - w_B * log_atx)
            g_alpha = r / alpha - np.dot(w, rx * (w_A / (alpha + self.T) + w_B / (alpha + self.t_x)))
            g_a = np.dot(w, da_v[xi] + w_B / a)
            g_b = np.dot(w, db_v[xi] - w_B / safe)
        grad = -np.array([g_r * r, g_alpha * alpha, g_a * a, g_b * b])
        if not (np.isfinite(value) and np.all(np.isfinite(grad))):
            return 1e300, np.zeros(4)
        return value, grad


# Log-parameter bounds: wide enough for any real data set in days or weeks; they stop degenerate data (guests who
# all stay like clockwork, no heterogeneity) from sending the optimiser off towards infinity.
LOG_BOUNDS = (-10.0, 14.0)


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run with one BLAS thread. L-BFGS-B calls BLAS on 4-element vectors every iteration, and OpenBLAS's thread
    hand-off makes each call ~10 ms: a 27-guest fit took 4 s instead of 0.4 s. Uses threadpoolctl when installed
    (else set OPENBLAS_NUM_THREADS=1 in the worker's environment)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


# Iteration caps: a well-posed fit with analytic gradients converges in 20–80 L-BFGS-B iterations; the caps stop a
# degenerate data set from running for minutes (the fit then fails with FitError instead).
MAX_ITERATIONS = 500
MAX_EVALUATIONS = 1000
# Accept an L-BFGS-B stop short of its tolerances (typically "ABNORMAL_TERMINATION_IN_LNSRCH" at the optimum,
# where the mean log-likelihood is flat to machine precision) when the gradient in log-parameters is this small.
ACCEPT_GRADIENT = 1e-4


def _minimise(objective, start: np.ndarray, args: tuple = (), *, jac: bool = False) -> np.ndarray:
    """L-BFGS-B on the log-parameters (with the analytic gradient when `jac`), bounded in iterations and
    evaluations. Raises FitError when it neither converges nor stops with a negligible gradient."""
    with single_threaded_blas():
        return _minimise_inner(objective, start, args, jac=jac)


def _minimise_inner(objective, start: np.ndarray, args: tuple, *, jac: bool = False) -> np.ndarray:
    bounds = [LOG_BOUNDS] * len(start)
    with np.errstate(all="ignore"):
        best = optimize.minimize(objective, start, args=args, method="L-BFGS-B", jac=jac, bounds=bounds,
                                 options={"maxiter": MAX_ITERATIONS, "maxfun": MAX_EVALUATIONS, "ftol": 1e-14,
                                          "gtol": 1e-9})
    if not np.all(np.isfinite(best.x)) or not np.isfinite(best.fun) or best.fun >= 1e299:
        raise FitError(f"optimiser did not converge: {best.message}")
    if not best.success:
        if jac:
            gradient = np.asarray(best.jac, dtype=np.float64)
        else:
            gradient = optimize.approx_fprime(best.x, lambda v: objective(v, *args), 1e-7)
        free = (best.x > LOG_BOUNDS[0] + 1e-9) & (best.x < LOG_BOUNDS[1] - 1e-9)  # projected gradient
        scale = max(1.0, abs(float(best.fun)))
        if not np.all(np.abs(gradient[free]) <= ACCEPT_GRADIENT * scale):
            raise FitError(f"optimiser did not converge after {best.nit} iterations: {best.message}")
    return best.x


def fit_bgnbd(
    x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray | None = None
) -> BgNbdParams:
    """Maximum-likelihood BG/NBD parameters (r, α, a, b) and the log-likelihood at the optimum.

    L-BFGS-B with the analytic gradient (:class:`_BgNbdObjective`) in log-parameter space, bounded iterations."""
    x, t_x, T = _as_arrays(x, t_x, T)
    weights = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    if weights.sum() < 2 or not np.any(x > 0):
        raise FitError("BG/NBD needs at least two customers and some repeat purchases")
    if np.any(T < 0) or np.any(t_x > T):
        raise FitError("recency and T must satisfy 0 <= t_x <= T (no purchases after the calibration end)")
    # Start from the scale of the data: α ~ mean T, the rest ~1 (as in the papers).
    start = np.log(np.array([1.0, max(float(np.average(T, weights=weights)), 1e-3), 1.0, 1.0]))
    log_params = _minimise(_BgNbdObjective(x, t_x, T, weights), start, jac=True)
    r, alpha, a, b = (float(v) for v in np.exp(log_params))
    ll = float(np.dot(weights, bgnbd_log_likelihood_terms(r, alpha, a, b, x, t_x, T)))
    if not np.isfinite(ll):
        raise FitError("BG/NBD log-likelihood is not finite at the fitted parameters")
    return BgNbdParams(r=r, alpha=alpha, a=a, b=b, log_likelihood=ll)


def probability_alive(params: BgNbdParams, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """P(still active | x, t_x, T) (FHL 2005, eq. 11). Always 1 for customers without repeat purchases."""
    x, t_x, T = _as_arrays(x, t_x, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    repeat = x > 0
    safe = np.where(repeat, b + x - 1, 1.0)
    log_odds = np.log(a) - np.log(safe) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(repeat, 1.0 / (1.0 + np.exp(np.minimum(log_odds, 700.0))), 1.0)


def expected_purchases(
    params: BgNbdParams, t: float | np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units (FHL 2005, eq. 10).

    Eq. 10 evaluates ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t)) with its argument in [0, 1). For the very large r and b
    a fit on clockwork-regular guests can produce, scipy's ₂F₁ overflows or loses accuracy: every value is
    checked against 0 ≤ E[Y(t) | alive] ≤ E[λ | data]·t = (r+x)·t/(α+T), and values that fail are computed by
    quadrature over the dropout probability instead (:func:`_expected_if_alive_by_quadrature`).
    """
    x, t_x, T = _as_arrays(x, t_x, T)
    t = np.asarray(t, dtype=np.float64)
    t, x, T = np.broadcast_arrays(t, x, T)
    if_alive = expected_if_alive(params, t, x, T)
    return np.where(t > 0, if_alive * probability_alive(params, x, t_x, T), 0.0)


def expected_if_alive(params: BgNbdParams, t: np.ndarray, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """E[Y(t) | alive, x, T]: eq. 10 without the P(alive) factor (it depends on x and T only, not on t_x)."""
    t, x, T = np.broadcast_arrays(*_as_arrays(t, x, T))
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    with np.errstate(all="ignore"):
        z = t / (alpha + T + t)
        power = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
        if_alive = (a + b + x - 1) / (a - 1) * (1.0 - power * hyp2f1(r + x, b + x, a + b + x - 1, z))
        ceiling = (r + x) * t / (alpha + T)
    bad = ~np.isfinite(if_alive) | (if_alive < -1e-9) | (if_alive > ceiling * (1 + 1e-6) + 1e-9)
    if np.any(bad):
        if_alive = np.array(if_alive, dtype=np.float64)
        if_alive[bad] = _expected_if_alive_by_quadrature(params, t[bad], x[bad], T[bad])
    return np.where(t > 0, if_alive, 0.0)


def _expected_if_alive_by_quadrature(params: BgNbdParams, t: np.ndarray, x: np.ndarray, T: np.ndarray,
                                     nodes: int = 64) -> np.ndarray:
    """E[Y(t) | alive, x, T] = E_p[(1 − ((α+T)/(α+T+p·t))^(r+x)) / p] with p ~ Beta(a, b+x) (λ integrated out
    analytically), by Gauss-Jacobi quadrature per distinct x. Used where the closed form is not finite."""
    from scipy.special import roots_jacobi

    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    result = np.empty_like(x, dtype=np.float64)
    for value in np.unique(x):
        rows = x == value
        u, w = roots_jacobi(nodes, b + value - 1, a - 1)  # weight (1−u)^(b+x−1) (1+u)^(a−1) on [−1, 1]
        p = (1.0 + u) / 2.0
        w = w / w.sum()
        scale = t[rows, None] / (alpha + T[rows, None])
        integrand = -np.expm1(-(r + value) * np.log1p(p[None, :] * scale)) / p[None, :]
        result[rows] = integrand @ w
    return result


def unconditional_expected_purchases(params: BgNbdParams, t: float | np.ndarray) -> np.ndarray:
    """E[X(t)] for a new customer (FHL 2005, eq. 9)."""
    t = np.asarray(t, dtype=np.float64)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    return (a + b - 1) / (a - 1) * (1.0 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))


# --- Gamma-Gamma ----------------------------------------------------------------------------------------------


def gamma_gamma_log_likelihood_terms(p: float, q: float, gamma: float, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of the mean repeat value ``m`` over ``x`` purchases (x > 0)."""
    x, m = _as_arrays(x, m)
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
            + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(x * m + gamma))


def gamma_gamma_negative_log_likelihood(log_params: np.ndarray, x: np.ndarray, m: np.ndarray,
                                        weights: np.ndarray) -> float:
    p, q, gamma = np.exp(log_params)
    value = -float(np.dot(weights, gamma_gamma_log_likelihood_terms(p, q, gamma, x, m)))
    return value if np.isfinite(value) else 1e300


class _GammaGammaObjective:
    """Mean negative Gamma-Gamma log-likelihood and its analytic gradient in log-parameter space.

    ∂ℓ/∂p = x·(ψ(px+q) − ψ(px) + ln m + ln x − ln(xm+γ)),  ∂ℓ/∂q = ψ(px+q) − ψ(q) + ln γ − ln(xm+γ),
    ∂ℓ/∂γ = q/γ − (px+q)/(xm+γ); ∂/∂ln θ = θ·∂/∂θ.
    """

    def __init__(self, x: np.ndarray, m: np.ndarray, weights: np.ndarray) -> None:
        self.x, self.m = x, m
        self.log_m, self.log_x = np.log(m), np.log(x)
        self.xm = x * m
        self.w = weights / float(weights.sum())

    def __call__(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, gamma = np.exp(log_params)
        x, w = self.x, self.w
        with np.errstate(all="ignore"):
            px = p * x
            log_xmg = np.log(self.xm + gamma)
            ll = (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
                  + (px - 1) * self.log_m + px * self.log_x - (px + q) * log_xmg)
            value = -float(np.dot(w, ll))
            psi_pxq = digamma(px + q)
            g_p = np.dot(w, x * (psi_pxq - digamma(px) + self.log_m + self.log_x - log_xmg))
            g_q = np.dot(w, psi_pxq - log_xmg) - digamma(q) + np.log(gamma)
            g_gamma = q / gamma - np.dot(w, (px + q) / (self.xm + gamma))
        grad = -np.array([g_p * p, g_q * q, g_gamma * gamma])
        if not (np.isfinite(value) and np.all(np.isfinite(grad))):
            return 1e300, np.zeros(3)
        return value, grad


def fit_gamma_gamma(x: np.ndarray, m: np.ndarray, weights: np.ndarray | None = None) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters (p, q, γ) over customers with x > 0 and m > 0."""
    x, m = _as_arrays(x, m)
    weights = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    keep = (x > 0) & (m > 0)
    x, m, weights = x[keep], m[keep], weights[keep]
    if weights.sum() < 2:
        raise FitError("Gamma-Gamma needs at least two customers with repeat purchases of positive value")
    start = np.log(np.array([1.0, 1.0, max(float(np.average(m, weights=weights)), 1e-3)]))
    log_params = _minimise(_GammaGammaObjective(x, m, weights), start, jac=True)
    p, q, gamma = (float(v) for v in np.exp(log_params))
    ll = float(np.dot(weights, gamma_gamma_log_likelihood_terms(p, q, gamma, x, m)))
    if not np.isfinite(ll):
        raise FitError("Gamma-Gamma log-likelihood is not finite at the fitted parameters")
    return GammaGammaParams(p=p, q=q, gamma=gamma, log_likelihood=ll)


def expected_average_value(params: GammaGammaParams, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """E[M | x, m]: expected value per future purchase; the population mean p·γ/(q−1) when x = 0."""
    x, m = _as_arrays(x, m)
    p, q, gamma = params.p, params.q, params.gamma
    mean = np.where(x > 0, m, 0.0)
    return p * (gamma + x * mean) / (p * x + q - 1)


# --- CLV ------------------------------------------------------------------------------------------------------


def monthly_rate(annual_rate: float) -> float:
    """The monthly discount rate equivalent to an annual one: (1 + annual)^(1/12) − 1."""
    return (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0


def customer_lifetime_value(
    bg: BgNbdParams,
    spend: np.ndarray,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    *,
    days_per_unit: float,
    annual_discount_rate: float = 0.10,
    horizon_months: int = 36,
) -> np.ndarray:
    """Discounted expected value over the next ``horizon_months`` months (see the module docstring)."""
    x, t_x, T, spend = _as_arrays(x, t_x, T, spend)
    rate = monthly_rate(annual_discount_rate)
    # P(alive) does not change with the horizon: discount E[Y | alive] on the distinct (x, T) pairs (far fewer
    # than the guests), then multiply by P(alive) and the spend once.
    (x_v, T_v), _counts, inverse = compress(x, T)
    total = np.zeros_like(x_v)
    previous = np.zeros_like(x_v)
    for month in range(1, horizon_months + 1):
        cumulative = expected_if_alive(bg, np.full_like(x_v, month * DAYS_PER_MONTH / days_per_unit), x_v, T_v)
        total += (cumulative - previous) / (1.0 + rate) ** month
        previous = cumulative
    return total[inverse] * probability_alive(bg, x, t_x, T) * spend
