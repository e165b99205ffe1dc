"""The labelled communities for the service-mode classifier: a documented synthetic set.

    python zoning/dataset.py            # (re)write zoning/data/communities.csv
    python zoning/dataset.py --check    # exit 1 if the file differs from a rebuild

The study trained on 204 communities of Xiqing with 7 features and 3 modes; its
rows are not public. This file is SYNTHETIC: 204 communities drawn with a seeded
generator in the ranges of the study's Table 4, labelled by a written rule, with
written noise:

- features: main type (1 residential p 0.45, 2 commercial p 0.35, 3 mixed p 0.20),
  residential areas U{2..16}, buildings U{60..450}, coverage U(1.0, 4.5) km^2,
  population density level U{1..3}, age level U{1..3} (3 oldest), nearby subway
  stations U{0..3};
- label rule (large-scale regions get exclusive operation, small-scale ones lockers):
  1 exclusive operation if buildings >= 300 and density level >= 2, or buildings >= 220
  and at least 2 subway stations; 3 smart lockers if buildings < 150, or density level
  1 with fewer than 6 residential areas; 2 dynamic joint delivery otherwise;
- label noise: 8% of rows get a different label, drawn uniformly.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20_250_204
ROWS = 204
LABEL_NOISE = 0.08
PATH = Path(__file__).resolve().parent / "data" / "communities.csv"
FEATURES = (
    "main_type",
    "residential_areas",
    "buildings",
    "coverage_km2",
    "density_level",
    "age_level",
    "subway_stations",
)


def generate(seed: int = SEED, rows: int = ROWS) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "main_type": rng.choice([1, 2, 3], size=rows, p=[0.45, 0.35, 0.20]),
            "residential_areas": rng.integers(2, 17, size=rows),
            "buildings": rng.integers(60, 451, size=rows),
            "coverage_km2": np.round(rng.uniform(1.0, 4.5, size=rows), 1),
            "density_level": rng.integers(1, 4, size=rows),
            "age_level": rng.integers(1, 4, size=rows),
            "subway_stations": rng.integers(0, 4, size=rows),
        }
    )
    large = ((data["buildings"] >= 300) & (data["density_level"] >= 2)) | (
        (data["buildings"] >= 220) & (data["subway_stations"] >= 2)
    )
    small = (data["buildings"] < 150) | ((data["density_level"] == 1) & (data["residential_areas"] < 6))
    mode = np.where(large, 1, np.where(small, 3, 2))
    flip = rng.random(rows) < LABEL_NOISE
    shift = rng.integers(1, 3, size=rows)  # to one of the two other modes
    mode = np.where(flip, (mode - 1 + shift) % 3 + 1, mode)
    data["mode"] = mode
    return data


def render(data: pd.DataFrame) -> str:
    return data.to_csv(index=False, lineterminator="\n")


def load(path: Path = PATH) -> pd.DataFrame:
    return pd.read_csv(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the synthetic labelled communities.")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = render(generate())
    if args.check:
        same = PATH.is_file() and PATH.read_text() == text
        print(f"{PATH.name}: {'identical' if same else 'DIFFERS from a rebuild'}")
        return 0 if same else 1
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_text(text)
    print(f"wrote {PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
