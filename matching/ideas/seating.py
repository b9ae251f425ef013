"""Seed-session table plan: per domain and round, tables of at most ``table_size`` ideas, each
idea with its most related ideas, no pair meeting twice where that can be avoided (issue 14,
item 4; docs/ideas.md).

VLAIO's 2023 seed session ran per smart-city domain with a moderator per domain; ideas were
seated with related ideas so partners could merge them. An idea sits in the session of its first
domain. Per round the tables are filled greedily (the idea with the most relatedness to what is
still free opens a table; then the idea that adds the most to it joins) and improved by swapping
ideas between tables while that helps. A pair already seated together in an earlier round counts
``-repeat_penalty`` instead of its relatedness, so a later round seats new pairs unless no table
can avoid it. The tables of a round are as even as ``table_size`` allows (sizes differ by at most
one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from matching.graph import InvalidParameter
from matching.ideas.relatedness import RelatednessModel
from matching.registry import DOMAINS

#: Counted for a pair that already met in an earlier round (relatedness is at most 1).
REPEAT_PENALTY = 2.0


@dataclass(frozen=True)
class Table:
    ideas: tuple[int, ...]
    relatedness: float
    """Sum of the relatedness of the pairs at the table."""
    repeated_pairs: int


@dataclass(frozen=True)
class Round:
    number: int
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class DomainSession:
    domain: str
    rounds: tuple[Round, ...]


def seat(model: RelatednessModel, rounds: int = 2, table_size: int = 4) -> list[DomainSession]:
    """The table plan of every domain that has ideas, in the order of :data:`DOMAINS`."""
    if not 1 <= rounds <= 5:
        raise InvalidParameter("rounds", "between 1 and 5 rounds")
    if not 2 <= table_size <= 12:
        raise InvalidParameter("table_size", "between 2 and 12 ideas per table")
    sessions = []
    for d in DOMAINS:
        members = [k for k, i in enumerate(model.ideas) if i.domains and i.domains[0] == d]
        if members:
            sessions.append(DomainSession(d, tuple(_rounds(model.score, members, rounds,
                                                           table_size))))
    return sessions


def _rounds(score: np.ndarray, members: list[int], rounds: int, size: int) -> list[Round]:
    met = np.zeros_like(score, dtype=bool)
    out = []
    for r in range(rounds):
        weight = np.where(met, -REPEAT_PENALTY, score)
        tables = _improve(weight, _greedy(weight, members, size))
        built = []
        for table in tables:
            pairs = [(a, b) for x, a in enumerate(table) for b in table[x + 1:]]
            built.append(Table(tuple(table), float(sum(score[a, b] for a, b in pairs)),
                               sum(1 for a, b in pairs if met[a, b])))
            for a, b in pairs:
                met[a, b] = met[b, a] = True
        out.append(Round(r + 1, tuple(built)))
    return out


def _sizes(n: int, size: int) -> list[int]:
    count = math.ceil(n / size)
    return [n // count + (1 if t < n % count else 0) for t in range(count)]


def _greedy(weight: np.ndarray, members: list[int], size: int) -> list[list[int]]:
    free = list(members)
    tables: list[list[int]] = []
    for capacity in _sizes(len(members), size):
        opener = max(free, key=lambda a: (sum(weight[a, b] for b in free if b != a), -a))
        table = [opener]
        free.remove(opener)
        while len(table) < capacity:
            best = max(free, key=lambda a: (sum(weight[a, b] for b in table), -a))
            table.append(best)
            free.remove(best)
        tables.append(table)
    return tables


def _gain(weight: np.ndarray, table: list[int], out: int, into: int) -> float:
    return float(sum(weight[into, b] for b in table if b != out)
                 - sum(weight[out, b] for b in table if b != out))


def _improve(weight: np.ndarray, tables: list[list[int]], passes: int = 5) -> list[list[int]]:
    """Swap ideas between two tables while the total weight rises (first improvement)."""
    for _ in range(passes):
        improved = False
        for s in range(len(tables)):
            for t in range(s + 1, len(tables)):
                for a in list(tables[s]):
                    for b in list(tables[t]):
                        if a not in tables[s] or b not in tables[t]:
                            continue
                        delta = _gain(weight, tables[s], a, b) + _gain(weight, tables[t], b, a)
                        if delta > 1e-9:
                            tables[s][tables[s].index(a)] = b
                            tables[t][tables[t].index(b)] = a
                            improved = True
        if not improved:
            break
    return tables


def plan_dict(model: RelatednessModel, sessions: list[DomainSession]) -> list[dict]:
    """JSON shape: per domain its rounds, per round its tables with idea ids."""
    return [{"domain": s.domain, "rounds": [
        {"round": r.number, "tables": [{"table": k + 1,
                                        "ideas": [model.ideas[i].id for i in t.ideas],
                                        "relatedness": round(t.relatedness, 4),
                                        "repeated_pairs": t.repeated_pairs}
                                       for k, t in enumerate(r.tables)]}
        for r in s.rounds]} for s in sessions]
