"""The toolkit's main command.

    python experiments/compare.py                      # the shipped instances
    python experiments/compare.py --validate --instances FILE [FILE ...]

`--validate` loads every instance (our JSON, CVRPLIB `.vrp`, OR-Library `cap*.txt`,
Prodhon `.dat`; `KIND:PATH` and `PATH#capacity=N` as in `lastmile.readers`),
checks it, and prints one summary row per instance. A bad file gets one line naming
the file, the field and the fault, and exit status 2.
"""

from __future__ import annotations

import argparse
import glob
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from lastmile.errors import InstanceError  # noqa: E402
from lastmile.readers import load_instance  # noqa: E402
from lastmile.summary import summary_table  # noqa: E402

SHIPPED = (ROOT / "instances" / "xiqing.json", ROOT / "instances" / "lingshan.json")
EXIT_BAD_INPUT = 2


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="compare.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--instances",
        nargs="+",
        metavar="FILE",
        help="instance files or globs (default: the shipped Xiqing and Ling Shan instances)",
    )
    parser.add_argument(
        "--validate", action="store_true", help="only load, check and summarise the instances, then exit"
    )
    return parser.parse_args(argv)


def expand(patterns: list[str]) -> list[str]:
    """Expand globs; a pattern that matches nothing is kept, so loading names it."""
    out: list[str] = []
    for pattern in patterns:
        path_part = pattern.split("#", 1)[0].split(":", 1)[-1]
        matches = sorted(glob.glob(path_part)) if glob.has_magic(path_part) else []
        out.extend(matches or [pattern])
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    specs = expand(args.instances) if args.instances else [str(p) for p in SHIPPED]
    try:
        instances = [load_instance(spec) for spec in specs]
    except InstanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(summary_table(instances).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
