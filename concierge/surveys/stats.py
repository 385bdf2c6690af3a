"""The arithmetic of satisfaction scores: NPS with its confidence interval, CSAT with a Wilson interval.

Inputs are counts the database produced (a histogram of scores, or promoters/passives/detractors);
nothing here touches rows. All results are percentages (NPS in points from -100 to 100).

NPS interval. NPS = 100·(P − D) with P, D the shares of promoters (9–10) and detractors (0–6). As a
difference of two proportions of one multinomial sample its variance is (P + D − (P − D)²) / n. The
plain Wald interval collapses to zero width when every answer is a promoter (or n is tiny), so the
variance is taken from "add-¾" adjusted shares P' = (promoters + ¾)/(n + 3), D' = (detractors + ¾)/(n + 3)
over n + 3 answers (the adjusted-Wald NPS interval of Rocks, 2016), centred on the observed NPS and
clipped to [-100, 100]. For large n it equals the textbook interval.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Z95 = 1.959963984540054  # two-sided 95 %

PROMOTER_MIN = 9
DETRACTOR_MAX = 6
SATISFIED_MIN = 4  # top-two box on a 1–5 scale


@dataclass(frozen=True)
class Nps:
    """Net Promoter Score of n answers on a 0–10 scale, with a 95 % interval (None when n is 0)."""

    promoters: int
    passives: int
    detractors: int

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> float | None:
        if not self.n:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.n

    @property
    def margin(self) -> float | None:
        """Half-width of the 95 % interval in NPS points (before clipping)."""
        if not self.n:
            return None
        n_adj = self.n + 3
        p = (self.promoters + 0.75) / n_adj
        d = (self.detractors + 0.75) / n_adj
        variance = max(0.0, p + d - (p - d) ** 2) / n_adj
        return 100.0 * Z95 * math.sqrt(variance)

    @property
    def low(self) -> float | None:
        return None if self.score is None else max(-100.0, self.score - self.margin)  # type: ignore[operator]

    @property
    def high(self) -> float | None:
        return None if self.score is None else min(100.0, self.score + self.margin)  # type: ignore[operator]

    @property
    def promoter_share(self) -> float | None:
        return 100.0 * self.promoters / self.n if self.n else None

    @property
    def detractor_share(self) -> float | None:
        return 100.0 * self.detractors / self.n if self.n else None


@dataclass(frozen=True)
class Proportion:
    """k of n (e.g. satisfied answers), as a percentage with a Wilson 95 % interval (None when n is 0)."""

    k: int
    n: int

    @property
    def rate(self) -> float | None:
        return 100.0 * self.k / self.n if self.n else None

    @property
    def low(self) -> float | None:
        return wilson(self.k, self.n)[0] if self.n else None

    @property
    def high(self) -> float | None:
        return wilson(self.k, self.n)[1] if self.n else None


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials, in percent."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return 100.0 * max(0.0, centre - half), 100.0 * min(1.0, centre + half)


def nps_from_counts(*, promoters: int, passives: int, detractors: int) -> Nps:
    if min(promoters, passives, detractors) < 0:
        raise ValueError("counts cannot be negative")
    return Nps(promoters=promoters, passives=passives, detractors=detractors)


def nps_from_histogram(histogram: Mapping[int, int]) -> Nps:
    """NPS from {score: count} for scores 0–10."""
    promoters = sum(c for s, c in histogram.items() if s >= PROMOTER_MIN)
    detractors = sum(c for s, c in histogram.items() if s <= DETRACTOR_MAX)
    passives = sum(c for s, c in histogram.items() if DETRACTOR_MAX < s < PROMOTER_MIN)
    return nps_from_counts(promoters=promoters, passives=passives, detractors=detractors)


def nps_from_scores(scores: Iterable[int]) -> Nps:
    """NPS of individual 0–10 scores (tests and small samples; the results page counts in the database)."""
    histogram: dict[int, int] = {}
    for score in scores:
        if not 0 <= score <= 10:
            raise ValueError(f"an NPS score lies between 0 and 10, not {score}")
        histogram[score] = histogram.get(score, 0) + 1
    return nps_from_histogram(histogram)


def csat_from_histogram(histogram: Mapping[int, int]) -> Proportion:
    """Share of satisfied answers (4 or 5) among 1–5 ratings."""
    n = sum(histogram.values())
    return Proportion(k=sum(c for s, c in histogram.items() if s >= SATISFIED_MIN), n=n)


def mean_from_histogram(histogram: Mapping[int, int]) -> float | None:
    n = sum(histogram.values())
    return sum(s * c for s, c in histogram.items()) / n if n else None
