"""The report on the run's rating scale, its graded levels and topics (sentclust.report.kinds,
sections): a 1-5 corpus shows "/5" and its own ends, topics show their lean as numbers, an
unrated run shows no rating parts, an old finegrained.json still reads as IMDB's."""

import re

from test_report import INGEST, PREPARE, make_context

from sentclust import report
from sentclust.finegrained.scale import RunScale
from sentclust.report import kinds

TOPIC = {
    "name": "topic: japanese, war",
    "grade": "topic",
    "graded": False,
    "rank": 1,
    "size": 400,
    "positive_share": 0.65,
    "positive_share_low": 0.602,
    "positive_share_high": 0.695,
    "mean_rating": 3.44,
    "mean_rating_low": 3.31,
    "mean_rating_high": 3.57,
    "terms": ["japanese", "war"],
}
GRADED = {
    **TOPIC,
    "name": "positive: superb, wonderful",
    "grade": "positive",
    "graded": True,
    "rank": 2,
    "positive_share": 0.9,
    "mean_rating": 4.86,
}
GRADING = {
    "grade_share": 0.7,
    "corpus_positive_share": 0.5,
    "negative_threshold": 0.3,
    "positive_threshold": 0.7,
}
CHECK = {
    "n_rated": 800,
    "scale": [1, 5],
    "spearman_rho": 0.6,
    "bottom_rating_in_lowest": 0.8,
    "top_rating_in_highest": 0.9,
    "mean_rating_increasing": True,
    "graded_mean_rating_increasing": True,
}


def five_star_doc() -> dict:
    result = {
        "k": 2,
        "chosen": True,
        "clusters": [TOPIC, GRADED],
        "grading": GRADING,
        "rating_check_all": CHECK,
        "rating_check_test": CHECK,
        "grading_check": {
            "corpus_mean_rating": 3.0,
            "graded_min_distance": 1.86,
            "topic_max_distance": 0.44,
            "separated": True,
        },
    }
    return {"rating_scale": [1, 5], "labels": "from_ratings", "results": [result]}


def test_a_levels_lean_is_numbers_on_the_run_scale():
    lean = kinds.level_lean(TOPIC, RunScale(1, 5))
    assert lean == "positive share 65.0% (60.2%–69.5%) · mean rating 3.4/5 (3.3–3.6)"
    # without labels: the mean rating only; without ratings either: nothing
    unlabelled = {**TOPIC, "positive_share": None}
    assert kinds.level_lean(unlabelled, RunScale(1, 5, "none")) == "mean rating 3.4/5 (3.3–3.6)"
    assert kinds.level_lean(unlabelled, RunScale(None, None, "none")) == ""


def test_the_kind_section_names_graded_levels_and_topics_on_the_run_scale():
    r = kinds._finegrained_result(five_star_doc()["results"][0], RunScale(1, 5))
    topic, graded = r["clusters"]
    assert (topic["naming"], graded["naming"]) == ("topic", "graded")
    assert topic["mean_rating_text"] == "3.44/5" and graded["mean_rating_text"] == "4.86/5"
    assert (r["n_graded"], r["n_topics"]) == (1, 1)
    assert (r["bottom_rating"], r["top_rating"]) == (1, 5) and r["top_rating_in_highest"] == 0.9
    assert r["grading"]["positive_threshold"] == 0.7 and r["rated"] is True


def test_an_old_finegrained_json_reads_as_imdb_with_every_level_graded():
    old = {
        "name": "positive: fun",
        "grade": "positive",
        "size": 3,
        "positive_share": 0.9,
        "mean_rating": 7.91,
    }
    check = {"n_rated": 3, "one_star_in_lowest": 0.5, "ten_star_in_highest": 0.7}
    r = kinds._finegrained_result(
        {"k": 2, "clusters": [old], "rating_check_all": check}, RunScale()
    )
    assert r["clusters"][0]["graded"] is True and r["clusters"][0]["mean_rating_text"] == "7.91/10"
    assert (r["bottom_rating_in_lowest"], r["top_rating_in_highest"]) == (0.5, 0.7)
    assert (r["bottom_rating"], r["top_rating"]) == (1, 10)


def _page(tmp_path, doc, ingest_extra, render=report.render_html):
    ctx = make_context(tmp_path)
    ctx["kinds"][0]["finegrained"] = [
        kinds._finegrained_result(
            r, RunScale(*(doc["rating_scale"] or (None, None)), doc["labels"])
        )
        for r in doc["results"]
    ]
    ctx["kinds"][0]["scale"] = "-".join(map(str, doc["rating_scale"] or []))
    ctx["data"] = report.data_section({**INGEST, **ingest_extra}, PREPARE)
    return render(ctx)


def test_the_page_shows_a_five_star_run_on_its_scale(tmp_path):
    derived = {"negative": [1, 2], "positive": [4, 5], "neutral_dropped": 120}
    extra = {"rating_scale": [1, 5], "labels": "from_ratings", "labels_from_ratings": derived}
    page = _page(tmp_path, five_star_doc(), extra)
    text = re.sub(r"\s+", " ", page)
    assert "3.44/5" in text and "/10" not in text
    assert "topic: positive share 65.0% (60.2%–69.5%) · mean rating 3.4/5" in text
    assert "1-star reviews in the lowest cluster" in text
    assert "5-star reviews in the highest" in text and "10-star" not in text
    assert "lies wholly above 0.70 or below 0.30" in text
    assert (
        "at least 1.86 stars from the corpus mean (3.00), the topics' at most 0.44 (separated)"
        in text
    )
    assert "derived from the ratings (negative 1-2, positive 4-5 stars; 120 neutral" in text
    assert "per star rating (scale 1-5)" in text
    assert "|rating − 5.5|" not in text


def test_an_unrated_unlabelled_run_shows_no_rating_parts(tmp_path):
    doc = five_star_doc()
    doc.update(rating_scale=None, labels="none")
    bare = {
        **TOPIC,
        "positive_share": None,
        "positive_share_low": None,
        "positive_share_high": None,
        "mean_rating": None,
    }
    doc["results"][0].update(
        clusters=[bare],
        grading={**GRADING, "corpus_positive_share": None, "positive_threshold": None},
    )
    del doc["results"][0]["rating_check_all"], doc["results"][0]["rating_check_test"]
    page = _page(tmp_path, doc, {"rating_scale": None, "labels": "none"})
    text = re.sub(r"\s+", " ", page)
    assert "No labels: every level is a topic" in text
    assert "-star reviews in the lowest" not in text
    assert "none (the stages that need labels did not run)" in text


def test_the_summary_shows_mean_ratings_on_the_run_scale(tmp_path):
    md = _page(tmp_path, five_star_doc(), {"rating_scale": [1, 5]}, render=report.render_summary)
    assert "| topic: japanese, war | 400 | 0.650 | 3.44/5 |" in md


def test_the_kind_section_leaves_out_the_rating_figure_without_ratings(tmp_path):
    from test_report import CHOICE, PROJECTION_INFO, SWEEP, write_figures

    figs = write_figures(tmp_path)
    doc = {**five_star_doc(), "rating_scale": None, "labels": "none"}
    args = dict(
        choice=CHOICE,
        sweep=SWEEP,
        figure_dir=figs,
        rating_figure=tmp_path / "rating.png",
        projection_figure=None,
        projection_info=PROJECTION_INFO,
        probe=None,
        explore=[2],
    )
    assert report.kind_section("bert", finegrained=doc, **args)["rating_figure"] is None
    rated = report.kind_section("bert", finegrained=five_star_doc(), **args)
    assert rated["rating_figure"].startswith("data:image/png") and rated["scale"] == "1-5"
