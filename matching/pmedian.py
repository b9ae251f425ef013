"""``python -m matching.pmedian PATH [--time-limit S] [--capacity C] [--seed K]``: an OR-Library p-median file
(``matching.orlib``) solved by ``ClusterModel.solve`` (one domain, exactly p lighthouses, every
vertex a candidate; ``--capacity`` caps the vertices a median serves, itself included), printing one JSON line ``{objective, lower_bound, gap, status, medians,
seconds}`` with 1-based medians. ``status`` is ``optimal`` only when proven; ``time_limit`` gives
the best solution found with a valid lower bound."""

from __future__ import annotations

import argparse
import sys

from matching.optimizer.cli import parse, print_line, read, solve_matrix
from matching.orlib import InstanceFormatError, read_pmedian


def main(argv: list[str] | None = None) -> int:
    """Command line: solve one OR-Library p-median file and print one JSON line."""
    parser = argparse.ArgumentParser(
        prog="python -m matching.pmedian",
        description=(
            "Solve an OR-Library p-median instance (first line 'n m p', then 'i j cost' edges, "
            "vertices 1..n, the last line of a repeated pair counts; costs are shortest-path "
            "distances) with the planner's ClusterModel.solve. Prints one JSON line: objective, "
            "lower_bound, gap, status (optimal only when proven), medians (1-based), seconds."
        ),
    )
    parser.add_argument("--capacity", type=int, default=None,
                        help="at most C vertices per median, the median itself included")
    args = parse(parser, argv, "OR-Library pmed")
    inst = read(read_pmedian, args.path, (InstanceFormatError,)) if args else None
    if inst is None:
        return 2
    if args.capacity is not None and args.capacity < 1:
        print("error: --capacity must be at least 1", file=sys.stderr)
        return 2
    demand = None if args.capacity is None else [1] * inst.n
    print_line(lambda: solve_matrix(inst.distances, inst.p, demand=demand,
                                    capacity=args.capacity, time_limit=args.time_limit,
                                    seed=args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
