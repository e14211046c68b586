"""Re-expressed copies of the bundled demo sample, for the demo variants (issue 29).

    python resources/demo/reexpress.py --stars5 results/demo-inputs/stars5.parquet
    python resources/demo/reexpress.py --text-only results/demo-inputs/unlabelled.parquet

- ``--stars5``: the ratings on 1-5 stars (``ceil(rating / 2)``: 1-2 -> 1, 3-4 -> 2, 7-8 -> 4,
  9-10 -> 5) and no label column: ingest detects the 1-5 scale and derives the labels from the
  stars (1-2 negative, 4-5 positive), the same labels as the original's for every review;
- ``--text-only``: neither label nor rating: a corpus without labels.

Both keep ``review_id``, ``split`` and ``text`` as they are, so that a variant's results can be
compared review by review with the demo's. Used by ``make demo-stars5`` / ``make
demo-unlabelled`` (config/demo-stars5.yaml, config/demo-unlabelled.yaml).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

#: the bundled sample
DEMO = Path(__file__).resolve().parent / "reviews.parquet"
#: the columns every variant keeps
KEPT = ["review_id", "split", "text"]


def stars5(reviews: pd.DataFrame) -> pd.DataFrame:
    """The reviews with 1-10 ratings as 1-5 stars (``ceil(rating / 2)``) and no label."""
    rating = reviews["rating"].astype("Int64")
    stars = pd.array(np.ceil(rating.to_numpy(dtype="float64", na_value=np.nan) / 2), dtype="Int8")
    return reviews[KEPT].assign(rating=stars).reset_index(drop=True)


def text_only(reviews: pd.DataFrame) -> pd.DataFrame:
    """The reviews without label and rating."""
    return reviews[KEPT].reset_index(drop=True)


VARIANTS = {"stars5": stars5, "text_only": text_only}


def write(variant: str, out: Path, source: Path = DEMO) -> Path:
    """Write ``variant`` of ``source`` to ``out`` (a Parquet file; folders made; written to a
    temporary name, then renamed)."""
    frame = VARIANTS[variant](pd.read_parquet(source))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    frame.to_parquet(tmp, index=False)
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--stars5", action="store_true", help="ratings on 1-5 stars, no label")
    which.add_argument("--text-only", action="store_true", help="no label, no rating")
    parser.add_argument("out", type=Path, help="the Parquet file to write (under results/)")
    parser.add_argument("--source", type=Path, default=DEMO, help="the sample to re-express")
    args = parser.parse_args(argv)
    variant = "stars5" if args.stars5 else "text_only"
    path = write(variant, args.out, args.source)
    print(f"wrote {path} ({variant})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
