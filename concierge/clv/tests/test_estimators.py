"""The BG/NBD and Gamma-Gamma maths on hand-made data, and against `lifetimes` (test oracle) on CDNOW."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.special import gammaln

from concierge.clv import estimators as E

PARAMS = E.BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0)


def test_customers_without_repeat_purchases_are_alive():
    assert E.probability_alive(PARAMS, [0, 0], [0, 0], [10, 50]).tolist() == [1.0, 1.0]


def test_a_long_silence_lowers_the_probability_alive():
    recent, lapsed = E.probability_alive(PARAMS, [5, 5], [38, 10], [39, 39])
    assert recent > 0.8 > 0.5 > lapsed


def test_log_likelihood_matches_the_paper_formula_term_by_term():
    r, alpha, a, b, x, t_x, T = 0.5, 3.0, 0.8, 2.0, 3.0, 20.0, 30.0
    direct = (gammaln(r + x) - gammaln(r) + r * np.log(alpha)
              + gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
              + np.log((alpha + T) ** -(r + x) + a / (b + x - 1) * (alpha + t_x) ** -(r + x)))
    assert E.bgnbd_log_likelihood_terms(r, alpha, a, b, [x], [t_x], [T])[0] == pytest.approx(direct, rel=1e-12)


def test_weighted_rows_give_the_same_fit_as_repeated_rows():
    rng = np.random.default_rng(7)
    x = rng.integers(0, 6, 400).astype(float)
    T = rng.integers(20, 40, 400).astype(float)
    t_x = np.where(x > 0, np.floor(T * rng.random(400)), 0.0)
    (xu, tu, Tu), weights, inverse = E.compress(x, t_x, T)
    assert len(xu) < len(x) and weights.sum() == len(x)
    assert np.array_equal(xu[inverse], x)
    plain, weighted = E.fit_bgnbd(x, t_x, T), E.fit_bgnbd(xu, tu, Tu, weights)
    assert weighted.r == pytest.approx(plain.r, rel=1e-4)
    assert weighted.log_likelihood == pytest.approx(plain.log_likelihood, rel=1e-6)


def test_expected_purchases_grow_with_the_horizon_and_start_at_zero():
    x, t_x, T = np.array([3.0]), np.array([30.0]), np.array([35.0])
    values = [float(E.expected_purchases(PARAMS, t, x, t_x, T)[0]) for t in (0, 10, 52, 104)]
    assert values[0] == 0 and values == sorted(values)


def test_gamma_gamma_shrinks_a_customer_mean_towards_the_population_mean():
    gg = E.GammaGammaParams(p=6.25, q=3.74, gamma=15.44, log_likelihood=0.0)
    population = gg.p * gg.gamma / (gg.q - 1)
    one, many = E.expected_average_value(gg, [1, 20], [100.0, 100.0])
    assert population < one < many < 100
    assert E.expected_average_value(gg, [0], [0.0])[0] == pytest.approx(population)


def test_clv_is_spend_times_discounted_purchases_and_falls_with_the_rate():
    x, t_x, T = np.array([4.0]), np.array([30.0]), np.array([35.0])
    low = E.customer_lifetime_value(PARAMS, np.array([100.0]), x, t_x, T, days_per_unit=7, annual_discount_rate=0.0,
                                    horizon_months=12)
    high = E.customer_lifetime_value(PARAMS, np.array([100.0]), x, t_x, T, days_per_unit=7,
                                     annual_discount_rate=0.5, horizon_months=12)
    undiscounted = 100 * E.expected_purchases(PARAMS, 365.25 / 7, x, t_x, T)
    assert low[0] == pytest.approx(undiscounted[0], rel=1e-9)
    assert high[0] < low[0]
    assert E.monthly_rate(0.10) == pytest.approx(1.1 ** (1 / 12) - 1)


def test_a_fit_needs_repeat_purchases():
    with pytest.raises(E.FitError):
        E.fit_bgnbd([0, 0, 0], [0, 0, 0], [5, 6, 7])
    with pytest.raises(E.FitError):
        E.fit_gamma_gamma([0, 1], [0, 10])


def test_math_agrees_with_lifetimes_on_the_cdnow_summary():
    lifetimes = pytest.importorskip("lifetimes")
    from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value

    data = load_cdnow_summary_data_with_monetary_value()
    x, t_x, T, m = (data[c].to_numpy(float) for c in ("frequency", "recency", "T", "monetary_value"))
    ours = E.fit_bgnbd(x, t_x, T)
    oracle = lifetimes.BetaGeoFitter().fit(x, t_x, T)
    for name in ("r", "alpha", "a", "b"):
        assert getattr(ours, name) == pytest.approx(oracle.params_[name], rel=2e-3)
    assert E.probability_alive(ours, x, t_x, T) == pytest.approx(
        oracle.conditional_probability_alive(x, t_x, T), abs=1e-3)
    assert E.expected_purchases(ours, 39, x, t_x, T) == pytest.approx(
        oracle.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T), abs=1e-3, rel=1e-3)
    repeat = x > 0
    gg = E.fit_gamma_gamma(x[repeat], m[repeat])
    gg_oracle = lifetimes.GammaGammaFitter().fit(data["frequency"][repeat], data["monetary_value"][repeat])
    assert gg.p == pytest.approx(gg_oracle.params_["p"], rel=2e-3)
    assert gg.q == pytest.approx(gg_oracle.params_["q"], rel=2e-3)
    assert gg.gamma == pytest.approx(gg_oracle.params_["v"], rel=2e-3)
    ours_value = E.expected_average_value(gg, x[repeat], m[repeat])
    oracle_value = gg_oracle.conditional_expected_average_profit(data["frequency"][repeat],
                                                                 data["monetary_value"][repeat]).to_numpy()
    assert ours_value == pytest.approx(oracle_value, rel=1e-3)


def test_the_quadrature_fallback_agrees_with_the_closed_form():
    x, T = np.array([0.0, 1, 2, 5, 10]), np.array([30.0, 35, 38, 39, 39])
    closed = E.expected_purchases(PARAMS, 39, x, T - 1, T) / E.probability_alive(PARAMS, x, T - 1, T)
    assert E._expected_if_alive_by_quadrature(PARAMS, np.full(5, 39.0), x, T) == pytest.approx(closed, rel=1e-8)


def test_very_regular_guests_still_get_finite_predictions():
    # Parameters a fit on clockwork-regular guests produced; scipy's 2F1 returns NaN for them.
    params = E.BgNbdParams(r=12329.36, alpha=54345.66, a=2.373, b=467.69, log_likelihood=0.0)
    values = E.expected_purchases(params, 52.18, np.array([17.0, 35]), np.array([75.0, 70]), np.array([77.0, 128]))
    assert np.all(np.isfinite(values)) and 11 < values[0] < 12 and values[1] < 0.1


def _synthetic(seed: int = 3, n: int = 600):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 8, n).astype(float)
    T = rng.integers(10, 60, n).astype(float)
    t_x = np.where(x > 0, np.floor(T * rng.random(n)), 0.0)
    m = rng.gamma(4.0, 25.0, n)
    return x, t_x, T, m


@pytest.mark.parametrize("point", [(0.243, 4.414, 0.793, 2.426), (2.0, 30.0, 1.5, 8.0), (0.05, 0.5, 0.2, 0.7)])
def test_the_bgnbd_gradient_is_the_derivative_of_the_objective(point):
    from scipy.optimize import check_grad

    x, t_x, T, _m = _synthetic()
    weights = np.arange(1, len(x) + 1, dtype=float) % 5 + 1
    objective = E._BgNbdObjective(x, t_x, T, weights)
    start = np.log(np.array(point))
    error = check_grad(lambda v: objective(v)[0], lambda v: objective(v)[1], start, epsilon=1e-7)
    assert error < 1e-5 * max(1.0, float(np.linalg.norm(objective(start)[1])))
    # And the objective is the mean of the published per-customer terms.
    terms = E.bgnbd_log_likelihood_terms(*point, x, t_x, T)
    assert objective(start)[0] == pytest.approx(-np.dot(weights, terms) / weights.sum(), rel=1e-12)


@pytest.mark.parametrize("point", [(6.25, 3.74, 15.44), (1.2, 9.0, 400.0)])
def test_the_gamma_gamma_gradient_is_the_derivative_of_the_objective(point):
    from scipy.optimize import check_grad

    x, _t_x, _T, m = _synthetic()
    keep = x > 0
    objective = E._GammaGammaObjective(x[keep], m[keep], np.ones(int(keep.sum())))
    start = np.log(np.array(point))
    error = check_grad(lambda v: objective(v)[0], lambda v: objective(v)[1], start, epsilon=1e-7)
    assert error < 1e-5 * max(1.0, float(np.linalg.norm(objective(start)[1])))


def test_compress_matches_numpy_unique_rows():
    x, t_x, T, _m = _synthetic(n=2000)
    (xu, tu, Tu), counts, inverse = E.compress(x, t_x, T)
    expected = np.unique(np.column_stack([x, t_x, T]), axis=0)
    assert np.array_equal(np.column_stack([xu, tu, Tu]), expected)
    assert counts.sum() == len(x)
    assert np.array_equal(xu[inverse], x) and np.array_equal(tu[inverse], t_x) and np.array_equal(Tu[inverse], T)


def test_a_fit_that_cannot_converge_in_its_iteration_budget_fails_cleanly(monkeypatch):
    x, t_x, T, _m = _synthetic()
    monkeypatch.setattr(E, "MAX_ITERATIONS", 2)
    with pytest.raises(E.FitError, match="did not converge"):
        E.fit_bgnbd(x, t_x, T)
