"""The cluster terms side by side on the demo sample (2,000 reviews), groups by star rating.

Three descriptions of the same four rating bands: "before" (scikit-learn's token pattern on the
clean text, c-TF-IDF: what the workflow did before issue 14), c-TF-IDF and the weighted log-odds
on the project's own tokens. ``pytest -s`` prints them side by side.
"""

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from conftest import DEMO_REVIEWS, full_config
from sentclust.finegrained import job as fs
from sentclust.finegrained import naming
from sentclust.finegrained import terms as tm
from sentclust.finegrained.weights import terms_from_counts
from sentclust.prepare.job import prepare

#: the rating bands (IMDB has no 5 or 6), most negative first
BANDS = {"1-2": (1, 2), "3-4": (3, 4), "7-8": (7, 8), "9-10": (9, 10)}
FRAGMENTS = {"don", "didn", "doesn", "isn", "wasn", "couldn", "t", "s", "ve", "ll", "re"}
TOP = 10  # shown and checked for sentiment words
TOP_SHARED = 20  # checked for terms every group shares


@pytest.fixture(scope="module")
def demo():
    """The demo sample prepared, its rating band per review and the three term rankings."""
    from sklearn.feature_extraction.text import CountVectorizer

    reviews = pd.read_parquet(DEMO_REVIEWS)
    config = full_config()
    settings = config["prepare"]
    prepared = prepare(
        reviews, lowercase=settings["lowercase"], unicode_form=settings["unicode_form"]
    )
    band_of = {r: i for i, (lo, hi) in enumerate(BANDS.values()) for r in range(lo, hi + 1)}
    groups = reviews["rating"].astype(int).map(band_of).to_numpy()
    assert not np.isnan(groups.astype(float)).any()
    cfg = config["finegrained"]
    counts, vocab, _ = fs.count_terms(
        prepared["tokens"],
        min_df=cfg["min_df"],
        max_df=cfg["max_df"],
        stop_words_source=cfg["stop_words"],
    )
    old = CountVectorizer(
        ngram_range=(1, 2),
        min_df=cfg["min_df"],
        max_df=cfg["max_df"],
        stop_words=tm.stop_words("sklearn")[0],
    )
    old_counts = old.fit_transform(prepared["clean_text"])
    rankings = {}
    for top in (TOP, TOP_SHARED):
        rankings[top] = {
            "before": terms_from_counts(
                old_counts, old.get_feature_names_out(), groups, top_n=top, weighting="ctfidf"
            ),
            "ctfidf": terms_from_counts(counts, vocab, groups, top_n=top, weighting="ctfidf"),
            "log_odds": terms_from_counts(counts, vocab, groups, top_n=top, weighting="log_odds"),
        }
    return {"groups": groups, "labels": reviews["label"].to_numpy(), "rankings": rankings}


def _shared_by_all(ranking: dict[int, list[str]]) -> list[str]:
    seen = Counter(t for ts in ranking.values() for t in ts)
    return sorted(t for t, n in seen.items() if n == len(ranking))


def test_print_side_by_side(demo):
    shown = demo["rankings"][TOP]
    for g, band in enumerate(BANDS):
        print(f"\nratings {band}:")
        for weighting, ranking in shown.items():
            print(f"  {weighting:>8}: {', '.join(ranking[g])}")
    for weighting, ranking in demo["rankings"][TOP_SHARED].items():
        print(f"shared by all groups (top {TOP_SHARED}), {weighting}: {_shared_by_all(ranking)}")
    shares = [float(np.mean(demo["labels"][demo["groups"] == g])) for g in range(len(BANDS))]
    grades = naming.name_clusters(shares, mixed_band=0.1)
    names = naming.names_with_terms(grades, [shown["log_odds"][g] for g in range(len(BANDS))])
    print("names:", names)
    assert len(set(names)) == len(BANDS)


def test_log_odds_has_no_fragments(demo):
    before = demo["rankings"][TOP_SHARED]["before"]
    assert FRAGMENTS & {w for ts in before.values() for t in ts for w in t.split()}  # the bug
    for weighting in ("ctfidf", "log_odds"):
        ranking = demo["rankings"][TOP_SHARED][weighting]
        words = {w for ts in ranking.values() for t in ts for w in t.split()}
        assert not FRAGMENTS & words, weighting


def test_log_odds_shares_fewer_terms_across_groups(demo):
    rank = demo["rankings"][TOP_SHARED]
    assert len(_shared_by_all(rank["log_odds"])) < len(_shared_by_all(rank["ctfidf"]))
    assert len(_shared_by_all(rank["ctfidf"])) <= len(_shared_by_all(rank["before"]))
    assert _shared_by_all(rank["log_odds"]) == []
    in_two = Counter(t for ts in rank["log_odds"].values() for t in ts)
    assert sum(n >= 2 for n in in_two.values()) <= 2  # each band has its own terms


def test_log_odds_puts_sentiment_words_at_the_extremes(demo):
    log_odds = demo["rankings"][TOP]["log_odds"]
    most_negative, most_positive = set(log_odds[0]), set(log_odds[len(BANDS) - 1])
    negative_words = {"worst", "waste", "awful", "terrible", "crap", "stupid", "horrible"}
    positive_words = {"great", "excellent", "perfect", "brilliant", "wonderful", "masterpiece"}
    assert len(most_negative & negative_words) >= 4, most_negative
    assert len(most_positive & positive_words) >= 4, most_positive
    assert not most_negative & positive_words and not most_positive & negative_words
    # the mild bands are told apart by milder words and negations, not by the extremes' words
    assert not (set(log_odds[1]) | set(log_odds[2])) & {"worst", "excellent", "masterpiece"}
