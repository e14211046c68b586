"""Rule choose_k: one kind's k-sweep table, the choice of k, its figures (elbow, overlap)."""

import json
from pathlib import Path

import pandas as pd

from sentclust import cluster, figures
from sentclust.files import atomic_dir, atomic_path, write_json
from sentclust.smk import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    kind = sm.wildcards.kind
    rows = []
    for path in sm.input.metrics:
        m = json.loads(Path(path).read_text())
        lab = m["labels_test"] or m["labels_all"]
        rows.append(
            {
                "k": m["k"],
                "inertia": m["inertia"],
                "silhouette": m["silhouette"],
                "calinski_harabasz": m["calinski_harabasz"],
                "davies_bouldin": m["davies_bouldin"],
                "purity": lab["purity"],
                "ari": lab["ari"],
                "nmi": lab["nmi"],
                "v_measure": lab["v_measure"],
                "rating_spearman": m["rating_spearman_test"]
                if m["rating_spearman_test"] is not None
                else m["rating_spearman_all"],
                "stability_ari_mean": m["stability"]["mean"] if m["stability"] else None,
                "seconds": m["seconds"],
                "backend": m["backend"],
            }
        )
    table = pd.DataFrame(rows).sort_values("k").reset_index(drop=True)
    choice = cluster.choose_k(table, sm.params.criterion)
    choice.update(kind=kind, supervision=sm.params.supervision)
    log.info("%s: chosen k=%s (%s)", kind, choice["k"], choice["rule"])
    with atomic_path(sm.output.table) as tmp:
        table.to_csv(tmp, sep="\t", index=False)
    picks = choice["picks"]
    with atomic_dir(sm.output.figures) as out:
        curves = [  # (column, file, title, label of the criterion's pick)
            ("inertia", "elbow", "inertia (elbow by Kneedle)", "elbow"),
            ("silhouette", "silhouette", "silhouette (sampled)", "max"),
            ("calinski_harabasz", "calinski_harabasz", "Calinski-Harabasz", "max"),
            ("davies_bouldin", "davies_bouldin", "Davies-Bouldin", "min"),
        ]
        for column, name, title, mark in curves:
            criterion = "elbow" if column == "inertia" else column
            figures.sweep_curve(
                table,
                column,
                title=f"{kind}: {title}",
                chosen=choice["k"],
                marks={mark: picks[criterion]},
                path=out / f"{name}.png",
            )
        figures.label_curves(
            table,
            title=f"{kind}: clusters against the labels (test split)",
            path=out / "labels.png",
        )
        for lab_path, rat_path in zip(sm.input.by_label, sm.input.by_rating, strict=True):
            k = Path(lab_path).parent.name  # "k<k>"
            by_label = pd.read_parquet(lab_path).set_index("cluster")
            by_label.columns = ["negative" if c == "0" else "positive" for c in by_label.columns]
            figures.heatmap(
                by_label,
                title=f"{kind}, {k}: clusters x labels",
                xlabel="label",
                path=out / f"overlap_labels_{k}.png",
            )
            by_rating = pd.read_parquet(rat_path).set_index("cluster")
            figures.heatmap(
                by_rating,
                title=f"{kind}, {k}: clusters x star ratings",
                xlabel="rating",
                path=out / f"overlap_ratings_{k}.png",
            )
    choice["figures"] = sorted(p.name for p in Path(sm.output.figures).iterdir())
    write_json(choice, sm.output.choice)
