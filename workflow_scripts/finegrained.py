"""Rule finegrained: clusters ordered along the sentiment axis, named from the data, checked
against the star ratings, for the chosen k and the k values the config asks to explore."""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sentclust import figures, finegrained
from sentclust.files import write_json, write_parquet
from sentclust.smk import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    import pyarrow as pa

    cfg = sm.params.finegrained
    choice = json.loads(Path(sm.input.choice).read_text())
    reviews = pd.read_parquet(sm.input.reviews, columns=["review_id", "split", "label", "rating"])
    texts = pd.read_parquet(sm.input.prepared, columns=["review_id", "clean_text"])
    # counted once for every kind and k (rule term_counts): only their rows are reordered here
    counts, vocab, count_ids, about = finegrained.read_term_counts(
        sm.input.counts, sm.input.vocab, sm.input.rows
    )
    stop_source = about["stop_words"]
    by_k = {int(p.split("/k")[-1].split("/")[0]): p for p in sm.input.assignments}
    chosen = choice["k"]
    ks = [chosen] + [k for k in sm.params.explore if k in by_k and k != chosen]
    results, chosen_table = [], None
    for k in ks:
        a = pd.read_parquet(by_k[k])
        df = a.merge(reviews, on="review_id", validate="1:1").merge(texts, on="review_id")
        if len(df) != len(a):
            raise ValueError(f"assignments for k={k} do not match the reviews; rerun the sweep")
        clusters = df["cluster"].to_numpy()
        ratings = df["rating"].astype("Float64")
        table = finegrained.finegrained_table(
            clusters,
            df["label"].to_numpy(),
            ratings,
            df["distance"].to_numpy(),
            None,  # the texts: described from the term counts instead
            mixed_band=cfg["mixed_band"],
            top_n=cfg["top_terms"],
            n_nearest=cfg["nearest"],
            review_ids=df["review_id"].to_numpy(),
            counts=finegrained.align_counts(
                counts, count_ids, df["review_id"], what=f"the assignments for k={k}"
            ),
            vocab=vocab,
        )
        table["nearest_texts"] = [
            [df["clean_text"].iat[i][: cfg["snippet_chars"]] for i in rows]
            for rows in table["nearest_rows"]
        ]
        ranks = finegrained.cluster_ranks(clusters, table["cluster"].tolist())
        # measured without test labels: order from the train split, checked on the test split
        train = (df["split"] == "train").to_numpy()
        test = ~train
        check_test = None
        if train.any() and test.any():
            prof = finegrained.cluster_profile(clusters[train], df["label"][train], ratings[train])
            order_train = finegrained.order_clusters(prof)
            keep = np.isin(clusters[test], order_train)
            check_test = finegrained.rating_check(
                finegrained.cluster_ranks(clusters[test][keep], order_train),
                ratings[test][keep],
            )
        results.append(
            {
                "k": k,
                "chosen": k == chosen,
                "clusters": table.drop(columns=["nearest_rows"]).to_dict(orient="records"),
                "rating_check_all": finegrained.rating_check(ranks, ratings),
                "rating_check_test": check_test,
            }
        )
        log.info("k=%d: %s", k, list(table["name"]))
        if k == chosen:
            chosen_table = table
            plot = pd.DataFrame(
                {
                    "name": table.set_index("cluster").loc[clusters, "name"].values,
                    "rating": ratings.to_numpy(dtype=float, na_value=np.nan),
                }
            )
            figures.rating_by_cluster(
                plot.dropna(),
                order=table["name"].tolist(),
                title=f"{sm.wildcards.kind}, k={k}: star ratings by cluster",
                path=sm.output.figure,
            )
    write_parquet(
        pa.Table.from_pandas(chosen_table.drop(columns=["nearest_rows"]), preserve_index=False),
        sm.output.table,
    )
    write_json(
        {
            "kind": sm.wildcards.kind,
            "supervision": sm.params.supervision,
            "chosen_k": chosen,
            "chosen_by": choice["chosen_by"],
            "naming": "clusters ordered by positive share (ties: mean rating); 'mixed' only "
            f"within {cfg['mixed_band']} of one half; names never contradict the majority label",
            "stop_words": stop_source,
            "results": results,
        },
        sm.output.json,
    )
