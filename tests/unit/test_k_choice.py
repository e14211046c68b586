import json

import numpy as np
import pandas as pd
import pytest

from sentclust import figures
from sentclust.cluster import choice as kc
from sentclust.cluster.errors import ClusterInputError

# --------------------------------------------------------------------------- choosing k


def test_kneedle_finds_a_planted_elbow():
    ks = np.arange(2, 13)
    # steep until k=5, then nearly flat
    inertia = np.where(ks <= 5, 1000 - 200 * (ks - 2), 400 - 10 * (ks - 5)).astype(float)
    assert kc.kneedle_elbow(ks, inertia) == 5
    # order of the input does not matter
    perm = np.random.default_rng(0).permutation(len(ks))
    assert kc.kneedle_elbow(ks[perm], inertia[perm]) == 5


def test_kneedle_undefined_cases():
    assert kc.kneedle_elbow([2, 3], [10, 5]) is None
    assert kc.kneedle_elbow([2, 3, 4, 5], [10, 8, 6, 4]) is None  # a straight line


def _sweep():
    return pd.DataFrame(
        {
            "k": [2, 3, 4, 5, 6],
            "inertia": [1000.0, 500.0, 300.0, 280.0, 270.0],
            "silhouette": [0.30, 0.35, 0.50, 0.40, 0.20],
            "calinski_harabasz": [100.0, 300.0, 200.0, 150.0, 120.0],
            "davies_bouldin": [1.2, 1.1, 0.9, 0.7, 0.8],
        }
    )


@pytest.mark.parametrize(
    ("criterion", "k"),
    [("elbow", 4), ("silhouette", 4), ("calinski_harabasz", 3), ("davies_bouldin", 5)],
)
def test_choose_k_per_criterion(criterion, k):
    out = kc.choose_k(_sweep().sample(frac=1, random_state=1), criterion)
    assert out["k"] == k and out["criterion"] == criterion and out["chosen_by"] == criterion
    assert out["picks"] == {
        "elbow": 4,
        "silhouette": 4,
        "calinski_harabasz": 3,
        "davies_bouldin": 5,
    }
    assert out["fallback"] is None and out["rule"] == kc._RULES[criterion]
    assert out["ks"] == [2, 3, 4, 5, 6]


def test_choose_k_elbow_fallback_is_recorded():
    t = _sweep().assign(inertia=[1000.0, 800.0, 600.0, 400.0, 200.0])  # no knee
    out = kc.choose_k(t, "elbow")
    assert out["picks"]["elbow"] is None
    assert out["k"] == 4 and out["chosen_by"] == "silhouette"
    assert "elbow is undefined" in out["fallback"] and "silhouette" in out["fallback"]


def test_choose_k_ties_go_to_smaller_k_and_bad_criterion():
    t = _sweep().assign(silhouette=[0.5, 0.5, 0.1, 0.1, 0.1])
    assert kc.choose_k(t, "silhouette")["k"] == 2
    with pytest.raises(ClusterInputError, match="choose_k.criterion='gap'"):
        kc.choose_k(t, "gap")
    with pytest.raises(ClusterInputError, match="lacks columns"):
        kc.choose_k(t.drop(columns="davies_bouldin"), "elbow")


# --------------------------------------------------------------------------- the sweep table


def _record(k, *, test=True, stability=True):
    """A metrics record (metrics.json) as the kmeans rule writes it, the fields a row reads."""
    labels_all = {"n": 10, "purity": 0.6, "ari": 0.1, "nmi": 0.2, "v_measure": 0.25}
    labels_test = {"n": 5, "purity": 0.7, "ari": 0.3, "nmi": 0.4, "v_measure": 0.45}
    return {
        "kind": "bert",
        "k": k,
        "backend": "sklearn",
        "inertia": 100.0 / k,
        "seconds": 0.5,
        "silhouette": 0.1 * k,
        "calinski_harabasz": 10.0 + k,
        "davies_bouldin": 2.0 - 0.1 * k,
        "labels_all": labels_all,
        "labels_test": labels_test if test else None,
        "rating_spearman_all": 0.11,
        "rating_spearman_test": 0.22 if test else None,
        "stability": {"mean": 0.9, "min": 0.8} if stability else None,
    }


def test_sweep_row_takes_the_test_split_when_there_is_one():
    row = kc.sweep_row(_record(3))
    assert list(row) == [
        "k",
        "inertia",
        "silhouette",
        "calinski_harabasz",
        "davies_bouldin",
        "purity",
        "ari",
        "nmi",
        "v_measure",
        "rating_spearman",
        "stability_ari_mean",
        "seconds",
        "backend",
    ]
    assert (row["k"], row["purity"], row["nmi"], row["rating_spearman"]) == (3, 0.7, 0.4, 0.22)
    assert row["stability_ari_mean"] == 0.9 and row["backend"] == "sklearn"
    no_test = kc.sweep_row(_record(3, test=False, stability=False))
    assert (no_test["purity"], no_test["v_measure"], no_test["rating_spearman"]) == (
        0.6,
        0.25,
        0.11,
    )
    assert no_test["stability_ari_mean"] is None


def test_sweep_table_reads_the_records_sorted_by_k(tmp_path):
    paths = []
    for k in (5, 2, 3):
        paths.append(tmp_path / f"k{k}.json")
        paths[-1].write_text(json.dumps(_record(k)))
    table = kc.sweep_table(paths)
    assert table["k"].tolist() == [2, 3, 5] and table.index.tolist() == [0, 1, 2]
    assert table["inertia"].tolist() == [50.0, 100.0 / 3, 20.0]
    kc.write_sweep_table(table, tmp_path / "out" / "k_sweep.tsv")
    back = pd.read_csv(tmp_path / "out" / "k_sweep.tsv", sep="\t")
    pd.testing.assert_frame_equal(back, table)


# --------------------------------------------------------------------------- figures


def _contingency_files(tmp_path, k):
    lab = tmp_path / f"labels_k{k}.parquet"
    rat = tmp_path / f"ratings_k{k}.parquet"
    pd.DataFrame({"cluster": [0, 1], "0": [5, 1], "1": [2, 6]}).to_parquet(lab)
    pd.DataFrame({"cluster": [0, 1], "1": [3, 0], "10": [1, 4]}).to_parquet(rat)
    return lab, rat


def test_overlap_figures_name_k_from_the_argument(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(figures, "heatmap", lambda counts, **kw: calls.append((counts, kw)))
    lab, rat = _contingency_files(tmp_path, 9)
    kc.overlap_figures(tmp_path, kind="bert", k=3, by_label_path=lab, by_rating_path=rat)
    (labels, first), (ratings, second) = calls
    assert first["title"] == "bert, k3: clusters x labels" and first["xlabel"] == "label"
    assert first["path"] == tmp_path / "overlap_labels_k3.png"
    assert labels.columns.tolist() == ["negative", "positive"]
    assert labels.index.name == "cluster" and labels.to_numpy().tolist() == [[5, 2], [1, 6]]
    assert second["title"] == "bert, k3: clusters x star ratings"
    assert second["path"] == tmp_path / "overlap_ratings_k3.png"
    assert ratings.columns.tolist() == ["1", "10"]


def test_curve_figures_mark_the_picks(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(figures, "sweep_curve", lambda table, column, **kw: calls.append(kw))
    monkeypatch.setattr(figures, "label_curves", lambda table, **kw: calls.append(kw))
    table = _sweep()
    choice = kc.choose_k(table, "elbow")
    kc.curve_figures(tmp_path, table, choice, kind="wordvec")
    assert [c["path"].name for c in calls] == [
        "elbow.png",
        "silhouette.png",
        "calinski_harabasz.png",
        "davies_bouldin.png",
        "labels.png",
    ]
    assert calls[0]["title"] == "wordvec: inertia (elbow by Kneedle)"
    assert calls[0]["marks"] == {"elbow": 4} and calls[0]["chosen"] == 4
    assert calls[2]["marks"] == {"max": 3} and calls[3]["marks"] == {"min": 5}
    assert calls[4]["title"] == "wordvec: clusters against the labels (test split)"


def test_write_figures_fills_the_folder(tmp_path):
    table = _sweep().assign(purity=0.6, ari=0.1, nmi=0.2)
    choice = kc.choose_k(table, "silhouette")
    files = [_contingency_files(tmp_path, k) for k in (2, 3)]
    folder = tmp_path / "figures"
    names = kc.write_figures(
        folder,
        table,
        choice,
        kind="bert",
        ks=[2, 3],
        by_label=[f[0] for f in files],
        by_rating=[f[1] for f in files],
    )
    expected = sorted(
        [f"{c[1]}.png" for c in kc.CURVES]
        + ["labels.png"]
        + [f"overlap_{w}_k{k}.png" for w in ("labels", "ratings") for k in (2, 3)]
    )
    assert names == expected
    assert sorted(p.name for p in folder.iterdir()) == expected
    assert all((folder / n).stat().st_size > 0 for n in names)
    with pytest.raises(ValueError):  # a k for every pair of files
        kc.write_figures(
            tmp_path / "again",
            table,
            choice,
            kind="bert",
            ks=[2],
            by_label=[f[0] for f in files],
            by_rating=[f[1] for f in files],
        )
    assert not (tmp_path / "again").exists()
