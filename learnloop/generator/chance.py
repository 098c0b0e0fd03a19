"""Seeded randomness: one independent, reproducible stream per purpose.

Streams are seeded from strings (hashed with SHA-512 by :class:`random.Random`), so they do not
depend on ``PYTHONHASHSEED`` and adding a site does not shift the draws of another site.
The standard library is enough here; numpy is not a project dependency.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")

KNUTH_LIMIT = 60.0
"""Above this mean, Poisson counts use the normal approximation (exp(-mean) underflows later)."""


def stream(seed: int, *purpose: object) -> random.Random:
    """A random stream for ``purpose`` (e.g. a site and a month) under ``seed``."""
    return random.Random("/".join(str(part) for part in (seed, *purpose)))


def poisson(rng: random.Random, mean: float) -> int:
    """Draw a Poisson-distributed count with the given mean."""
    if mean <= 0:
        return 0
    if mean > KNUTH_LIMIT:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def pick(rng: random.Random, weights: Mapping[T, float]) -> T:
    """Pick one key of ``weights`` with probability proportional to its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def one_of(rng: random.Random, options: Sequence[T]) -> T:
    """Pick one of ``options`` uniformly."""
    return options[rng.randrange(len(options))]


def chance(rng: random.Random, probability: float) -> bool:
    """True with the given probability."""
    return rng.random() < probability
