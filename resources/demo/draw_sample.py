"""Draw the bundled demo sample from the full IMDB Parquet files (run from the project root).

    .venv/bin/python resources/demo/draw_sample.py \
        ../shared/data/imdb resources/demo/reviews.parquet

Balanced over split and star rating: 125 reviews for each of the 16 (split, rating) cells
(ratings 1-4 negative, 7-10 positive), so 2,000 reviews, 1,000 per split, 500 per label and
split. Seeded, so the same full data always gives the same sample. Rows keep the full data's
order (split, label, numeric id).
"""

import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

PER_CELL = 125
SEED = 20111  # fixed: the sample is part of the repository


def draw(src: str) -> pd.DataFrame:
    df = pd.concat(
        [pd.read_parquet(f"{src}/{s}.parquet") for s in ("train", "test")], ignore_index=True
    )
    parts = [g.sample(n=PER_CELL, random_state=SEED) for _, g in df.groupby(["split", "rating"])]
    sample = pd.concat(parts).sort_index()
    return sample.reset_index(drop=True)


if __name__ == "__main__":
    src, dest = sys.argv[1], sys.argv[2]
    sample = draw(src)
    table = pa.Table.from_pandas(sample, preserve_index=False)
    pq.write_table(table, dest, compression="zstd", compression_level=19)
    print(sample.groupby(["split", "label", "rating"]).size().to_string())
    print(len(sample), "reviews written to", dest)
