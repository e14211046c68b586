"""Segments: sentences and contrastive clauses of cleaned reviews, with offsets into the text."""

import json
import re

import pandas as pd
import pyarrow as pa
import pytest

from conftest import DEMO_REVIEWS, ROOT, schema_defaults
from sentclust.polarity import contract, segments, sentences
from sentclust.prepare.text import clean_text

GOLD = ROOT / "tests" / "benchmarks" / "segments_gold.json"
SEED = "The location was truly disgusting ... but the people there were glorious."
#: the config's segment settings as the schema's defaults give them (the threads aside)
SETTINGS = {k: v for k, v in schema_defaults("segments").items() if k != "threads"}


def split(text, splitter="punkt"):
    return [text[a:b] for a, b in sentences.split_sentences(text, splitter=splitter)]


def segment(text, **kw):
    return segments.segment_review(text, **(SETTINGS | kw))


def segs(text, **kw):
    return [text[a:b] for a, b, _ in segment(text, **kw)]


def table(ids, texts, **kw):
    return segments.segment_table(ids, texts, **(SETTINGS | {"progress": False} | kw))


def test_seed_example_gives_two_segments_with_offsets():
    cut = SEED.index("but")
    assert segment(SEED) == [(0, cut - 1, 0), (cut, len(SEED), 0)]
    assert segs(SEED) == [
        "The location was truly disgusting ...",
        "but the people there were glorious.",
    ]


def test_abbreviations_and_initials_do_not_end_sentences():
    text = (
        "I was true to my regard for Mr. Glover and Ms. Goldberg. Cameos by Ed Begley Jr. and "
        "Robert Downey, Jr. are fun. Smuggler Michael V. Gazzo is great."
    )
    assert split(text) == [
        "I was true to my regard for Mr. Glover and Ms. Goldberg.",
        "Cameos by Ed Begley Jr. and Robert Downey, Jr. are fun.",
        "Smuggler Michael V. Gazzo is great.",
    ]


def test_ellipsis_ends_a_sentence_only_before_a_new_one():
    assert split("A bunch of clowns talk. Ug... Robert Duvall's character is senile.") == [
        "A bunch of clowns talk.",
        "Ug...",
        "Robert Duvall's character is senile.",
    ]
    one = "Evening is a gorgeously produced failure...until Meryl Streep walks in."
    assert split(one) == [one]
    assert split("Two chuckles... and a headache.") == ["Two chuckles... and a headache."]
    assert split("I kept hoping time would fly faster...It didn't.") == [
        "I kept hoping time would fly faster...",
        "It didn't.",
    ]


def test_quotes_stay_with_their_sentence():
    text = 'I would give a 1/10 to "The Man who Fell to Earth." I remember seeing it.'
    assert split(text) == [
        'I would give a 1/10 to "The Man who Fell to Earth."',
        "I remember seeing it.",
    ]
    assert split('He said "Stop!" and left the room.') == ['He said "Stop!" and left the room.']
    door = "He jumps through a door (!?) and the narrator explains it."
    assert split(door) == [door]


def test_exclamation_runs_and_no_final_stop():
    text = (
        "Did they even try Danny Devito?!? OK, now get this. He matches a tee!!!!!! NOTHING! Sack"
    )
    assert split(text) == [
        "Did they even try Danny Devito?!?",
        "OK, now get this.",
        "He matches a tee!!!!!!",
        "NOTHING!",
        "Sack",
    ]
    # Punkt alone gives "No!!" and "!": no sentence is punctuation only
    assert split("Is victim any better? No!!!") == ["Is victim any better?", "No!!!"]


def test_glued_stops_split_before_a_capital_only():
    assert split("she cant even act.She is just plain annoying.") == [
        "she cant even act.",
        "She is just plain annoying.",
    ]
    for one in ("I bought it at amazon.com for $5.", "Me and Mrs.Jones is a good show."):
        assert split(one) == [one]


def test_html_remnants_after_clean_text():
    text = clean_text("Great cast.<br /><br />But the plot &amp; pacing were awful.<br />")
    assert segs(text) == ["Great cast.", "But the plot & pacing were awful."]
    quoted = clean_text(
        "> Contrary to most reviews, I liked it. <i>> As an American</i>, I knew them."
    )
    assert split(quoted) == [
        "> Contrary to most reviews, I liked it.",
        "> As an American , I knew them.",
    ]


def test_one_word_empty_and_wordless_reviews():
    assert segment("Awful") == [(0, 5, 0)]
    assert segment("  Awful! ", min_words=5) == [(2, 8, 0)]
    assert segment("") == []
    assert segment("   ") == []
    assert segs("!!!") == ["!!!"]


def test_markers_are_whole_words_and_case_insensitive():
    one = "I ate butter yesterday and meanwhile nothing else happened at all."
    assert segs(one) == [one]
    assert segs("I wanted to like it BUT the plot was dumb.") == [
        "I wanted to like it",
        "BUT the plot was dumb.",
    ]
    assert segs("The plot is thin; the acting is great.") == [
        "The plot is thin;",
        "the acting is great.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "It was nothing but trouble from the start.",
        "It was anything but boring for me.",
        "Not only funny but also very smart.",
        "It is yet another pointless sequel.",
        "I have yet to see a worse film.",
        "He fell asleep while watching it at home.",
        "It was filmed as though it was a soft porn movie.",
        "I sat there for a while and ate popcorn.",
        "Last but not least, the music is good.",
        "The acting, however, was awful throughout.",
        "The ending, though, was great.",
        "I liked it a lot though.",
        "In this film however the music is fine.",
    ],
)
def test_non_contrastive_uses_do_not_split(text):
    assert segs(text) == [text]


def test_contrastive_uses_split():
    assert segs("It was dumb, and yet I loved every minute.") == [
        "It was dumb,",
        "and yet I loved every minute.",
    ]
    assert segs("Great film even though the ending sucks.") == [
        "Great film",
        "even though the ending sucks.",
    ]
    assert segs("X was great, while Y was awful.") == ["X was great,", "while Y was awful."]
    assert segs("That is all, but the rest is dull.") == ["That is all,", "but the rest is dull."]
    assert segs("It was good, however the ending was weak.") == [
        "It was good,",
        "however the ending was weak.",
    ]
    assert segs("She loves a mature woman (but an unrequited love) badly.") == [
        "She loves a mature woman",
        "(but an unrequited love) badly.",
    ]
    # a sentence that starts with a subordinator is cut after its clause
    assert segs("Although it is dated, it is still a fun movie.") == [
        "Although it is dated,",
        "it is still a fun movie.",
    ]


def test_short_clauses_merge_into_a_neighbour():
    text = "Good acting, but boring."
    assert segs(text, min_words=2) == ["Good acting,", "but boring."]
    assert segs(text, min_words=3) == [text]
    assert segs("I liked it, though.") == ["I liked it, though."]
    assert segs("Yes, but the fact that it is from Canada helps.") == [
        "Yes, but the fact that it is from Canada helps."
    ]


def test_bad_settings_name_the_problem():
    with pytest.raises(ValueError, match="segments.splitter.*punkt"):
        sentences.split_sentences("A text.", splitter="spacy")
    with pytest.raises(ValueError, match="min_words"):
        segment("A text.", min_words=0)
    with pytest.raises(ValueError, match="empty marker"):
        table(["r"], ["A text."], markers=["but", " "])
    with pytest.raises(ValueError, match="2 review ids but 1 texts"):
        table(["a", "b"], ["A text."])


def test_pysbd_splitter_when_installed():
    pytest.importorskip("pysbd")
    assert segs(SEED, splitter="pysbd") == segs(SEED)
    assert split("Mr. Glover is here. No!!!", splitter="pysbd") == [
        "Mr. Glover is here.",
        "No!!!",
    ]


@pytest.fixture(scope="module")
def demo():
    reviews = pd.read_parquet(DEMO_REVIEWS, columns=["review_id", "text"])
    texts = [clean_text(t) for t in reviews["text"]]
    return reviews["review_id"].tolist(), texts


@pytest.fixture(scope="module")
def demo_table(demo):
    ids, texts = demo
    return table(ids, texts)


def test_offsets_round_trip_on_real_reviews(demo, demo_table):
    ids, texts = demo
    rows = demo_table.to_pandas()
    by_id = dict(zip(ids, texts, strict=True))
    no_space = re.compile(r"\s+")
    for rid, group in rows.groupby("review_id", sort=False):
        text = by_id[rid]
        assert group["segment_no"].tolist() == list(range(len(group)))
        sent = group["sentence_no"].to_numpy()
        assert sent[0] == 0 and set(sent[1:] - sent[:-1]) <= {0, 1}
        assert (group["start"].to_numpy()[1:] >= group["end"].to_numpy()[:-1]).all()
        for s, e, seg in zip(group["start"], group["end"], group["text"], strict=True):
            assert text[s:e] == seg == seg.strip() and sentences.n_words(seg) > 0
        # together the segments hold every non-space character of the review, in order
        assert no_space.sub("", "".join(group["text"])) == no_space.sub("", text)


def test_table_schema_order_and_parallel_equal(demo, demo_table):
    ids, texts = demo
    assert demo_table.schema == contract.SEGMENTS_SCHEMA
    order = pd.unique(demo_table.column("review_id").to_numpy(zero_copy_only=False))
    assert order.tolist() == [i for i, t in zip(ids, texts, strict=True) if t]
    parallel = table(ids, texts, n_jobs=2)
    assert parallel.equals(demo_table)


def test_empty_reviews_have_no_rows_and_summary_counts_them():
    three = table(["a", "b", "c"], [SEED, "", "Fine. Really fine."])
    assert three.column("review_id").to_pylist() == ["a", "a", "c", "c"]
    assert three.column("sentence_no").to_pylist() == [0, 0, 0, 1]
    summary = segments.segments_summary(three, 3, splitter="punkt")
    assert summary["n_segments"] == 4 and summary["n_sentences"] == 3
    assert summary["reviews_without_segments"] == 1
    assert summary["segments_per_review"] == {"mean": 4 / 3, "median": 2.0, "max": 2}
    assert summary["share_multi_segment"] == pytest.approx(2 / 3)
    assert summary["share_split_at_marker"] == pytest.approx(1 / 3)
    assert summary["splitter_version"].startswith("nltk ")
    empty = table([], [])
    assert empty.num_rows == 0 and empty.schema == contract.SEGMENTS_SCHEMA
    assert segments.segments_summary(empty, 0)["n_segments"] == 0


def test_gold_set_is_real_cleaned_text_and_the_stage_splits_it_well():
    gold = json.loads(GOLD.read_text())["reviews"]
    raw = pd.read_parquet(DEMO_REVIEWS, columns=["review_id", "text"]).set_index("review_id")
    tp = fp = fn = 0
    for review in gold:
        text = review["text"]
        assert text == clean_text(raw.loc[review["review_id"], "text"])
        want, pos = set(), 0
        for i, sent in enumerate(review["sentences"]):
            at = text.index(sent, pos)
            assert not text[pos:at].strip()
            want |= {at} if i else set()
            pos = at + len(sent)
        got = {a for a, _ in sentences.split_sentences(text, splitter="punkt")[1:]}
        tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
    assert len(gold) >= 25
    # measured: precision 0.995, recall 0.944 (tests/benchmarks/bench_segments.py)
    assert tp / (tp + fp) >= 0.98 and tp / (tp + fn) >= 0.93


def test_table_types_match_the_contract():
    one = table(["r1"], [SEED])
    assert one.schema.field("segment_no").type == pa.int32()
    assert one.schema.field("start").type == pa.int32()
    assert one.to_pylist()[1] == {
        "review_id": "r1",
        "segment_no": 1,
        "sentence_no": 0,
        "start": SEED.index("but"),
        "end": len(SEED),
        "text": "but the people there were glorious.",
    }
