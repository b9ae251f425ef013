"""``python -m matching.capmedian PATH [--time-limit S] [--seed K]``: a capacitated p-median in
OR-Library's pmedcap form (first line ``problem_number best_known_value``, second ``n p
capacity``, then ``n`` lines ``id x y demand``; cost = Euclidean distance rounded down; each
median serves itself; the demand served by a median, its own included, is at most the
capacity), solved by ``ClusterModel.solve`` with ``max_load`` = capacity over the demand
column. Prints one JSON line ``{objective, lower_bound, gap, status, medians, seconds}``."""

from __future__ import annotations

import argparse
import sys

from matching.optimizer.cli import parse, print_line, read, solve_matrix
from matching.orlib import InstanceFormatError, read_pmedcap


def main(argv: list[str] | None = None) -> int:
    """Command line: solve one pmedcap problem and print one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m matching.capmedian",
                                     description=__doc__.split("\n\n")[0])
    args = parse(parser, argv, "pmedcap")
    inst = read(read_pmedcap, args.path, (InstanceFormatError,)) if args else None
    if inst is None:
        return 2
    print_line(lambda: solve_matrix(inst.distances, inst.p, demand=inst.demand,
                                    capacity=inst.capacity, ids=inst.ids,
                                    time_limit=args.time_limit, seed=args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
