"""NPS and CSAT arithmetic: hand-computed cases, and properties that must hold for any answers."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concierge.surveys.stats import (
    Proportion,
    csat_from_histogram,
    mean_from_histogram,
    nps_from_counts,
    nps_from_histogram,
    nps_from_scores,
    wilson,
)

scores_0_10 = st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=400)


# --- hand-computed -----------------------------------------------------------------------------------------------


def test_ten_answers_by_hand():
    # 10,10,9,9,9 promoters (5); 8,7 passives (2); 6,3,0 detractors (3): NPS = 100 * (5 - 3) / 10 = 20.
    # Interval: n' = 13, P' = 5.75/13 = 0.442308, D' = 3.75/13 = 0.288462, P' - D' = 0.153846,
    # var = (0.442308 + 0.288462 - 0.153846²) / 13 = 0.054392, margin = 1.96 * √var * 100 = 45.71.
    nps = nps_from_scores([10, 10, 9, 9, 9, 8, 7, 6, 3, 0])

    assert (nps.promoters, nps.passives, nps.detractors) == (5, 2, 3)
    assert nps.score == 20.0
    assert nps.margin == pytest.approx(45.71, abs=0.01)
    assert (nps.low, nps.high) == (pytest.approx(-25.71, abs=0.01), pytest.approx(65.71, abs=0.01))


def test_all_promoters_score_100_with_a_real_interval():
    # The plain Wald interval would be [100, 100]; the adjusted variance keeps it honest at n = 4:
    # n' = 7, P' = 4.75/7, D' = 0.75/7, var = (0.785714 - 0.571429²) / 7 = 0.065598, margin = 50.20.
    nps = nps_from_scores([10, 9, 9, 10])

    assert nps.score == 100.0
    assert nps.low == pytest.approx(49.80, abs=0.01)
    assert nps.high == 100.0


def test_all_detractors_score_minus_100():
    nps = nps_from_scores([0, 1, 6, 5])

    assert nps.score == -100.0
    assert nps.low == -100.0 and nps.high < -40


def test_passives_only_score_zero():
    assert nps_from_scores([7, 8, 8, 7]).score == 0.0


def test_a_large_sample_matches_the_textbook_interval():
    # 500/300/200 of 1000: NPS 30; Wald margin = 1.96 * √((0.5 + 0.2 - 0.3²) / 1000) * 100 = 4.84.
    nps = nps_from_counts(promoters=500, passives=300, detractors=200)
    wald = 1.959963984540054 * math.sqrt((0.5 + 0.2 - 0.3 ** 2) / 1000) * 100

    assert nps.score == 30.0
    assert nps.margin == pytest.approx(wald, rel=0.005)


def test_no_answers_no_score():
    nps = nps_from_histogram({})

    assert (nps.n, nps.score, nps.low, nps.high) == (0, None, None, None)


def test_wilson_interval_by_hand():
    # 8 of 10: the textbook Wilson 95% interval is 49.0 % – 94.3 %.
    low, high = wilson(8, 10)

    assert (low, high) == (pytest.approx(49.02, abs=0.01), pytest.approx(94.33, abs=0.01))


def test_csat_counts_fours_and_fives():
    csat = csat_from_histogram({1: 1, 2: 1, 3: 2, 4: 3, 5: 3})

    assert (csat.k, csat.n, csat.rate) == (6, 10, 60.0)
    assert mean_from_histogram({1: 1, 2: 1, 3: 2, 4: 3, 5: 3}) == pytest.approx(3.6)


def test_scores_off_the_scale_are_refused():
    with pytest.raises(ValueError):
        nps_from_scores([11])
    with pytest.raises(ValueError):
        nps_from_counts(promoters=-1, passives=0, detractors=0)


# --- properties ----------------------------------------------------------------------------------------------------


@given(scores_0_10)
def test_nps_lies_between_minus_100_and_100(scores):
    nps = nps_from_scores(scores)

    assert -100.0 <= nps.low <= nps.score <= nps.high <= 100.0


@given(scores_0_10)
def test_nps_is_promoters_minus_detractors(scores):
    nps = nps_from_scores(scores)
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)

    assert nps.score == pytest.approx(100.0 * (promoters - detractors) / len(scores))
    assert nps.n == len(scores)


@given(st.data())
def test_nps_does_not_depend_on_the_order_of_answers(data):
    scores = data.draw(scores_0_10)
    shuffled = data.draw(st.permutations(scores))

    assert nps_from_scores(shuffled) == nps_from_scores(scores)
    assert nps_from_scores(shuffled).margin == nps_from_scores(scores).margin


@given(scores_0_10, st.integers(min_value=2, max_value=20))
def test_more_of_the_same_answers_narrow_the_interval(scores, factor):
    once, many = nps_from_scores(scores), nps_from_scores(scores * factor)

    assert many.score == pytest.approx(once.score)
    assert many.margin < once.margin


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=5000), st.data())
def test_a_share_lies_inside_its_wilson_interval(n, data):
    k = data.draw(st.integers(min_value=0, max_value=n))
    share = Proportion(k=k, n=n)

    assert 0.0 <= share.low <= share.rate + 1e-9
    assert share.rate - 1e-9 <= share.high <= 100.0
