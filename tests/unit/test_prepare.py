from pathlib import Path

import pandas as pd
import pytest

from conftest import schema_defaults
from sentclust.prepare import job
from sentclust.prepare import text as prepare


def test_clean_text_removes_br_and_tags_and_unescapes():
    raw = "Great film.<br /><br />Really <i>great</i> &amp; fun &quot;stuff&quot;<BR>end"
    assert prepare.clean_text(raw) == 'Great film. Really great & fun "stuff" end'


def test_clean_text_keeps_escaped_markup_as_text():
    # an escaped tag was text in the review: it must survive as text, not vanish as markup
    assert prepare.clean_text("I typed &lt;b&gt;bold&lt;/b&gt;") == "I typed <b>bold</b>"


def test_clean_text_keeps_comparisons_that_are_not_tags():
    assert prepare.clean_text("rating < 5 and > 2") == "rating < 5 and > 2"


def test_clean_text_normalises_unicode_and_whitespace():
    # NFKC folds the ligature and the non-breaking space; runs of spaces collapse
    assert prepare.clean_text("  ﬁlm\u00a0\u00a0was\t\tok  ") == "film was ok"
    assert prepare.clean_text("caf\u0065\u0301", unicode_form="NFC") == "caf\u00e9"


def test_tokens_keep_negations_and_lowercase():
    toks = prepare.tokenize_one("It ISN'T good. I didn't like it, not at all!")
    assert "isn't" in toks and "didn't" in toks and "not" in toks
    assert all(t == t.lower() for t in toks)
    assert toks[-1] == "!"


def test_lowercasing_equals_nltks_own():
    """Tokens lower-cased after tokenising equal TweetTokenizer(preserve_case=False)'s, emoticons
    and all; checked on hand-made hard cases and on real reviews."""
    from nltk.tokenize import TweetTokenizer

    nltk_lower = TweetTokenizer(preserve_case=False, reduce_len=False, strip_handles=False)
    texts = [
        "It ISN'T good :D but XD and :P ... <3 ;-) :-O D: O_o",
        "Visit HTTP://Example.COM/Page?A=B or mail Me@Mail.COM, Call 555 123 4567!",
        "ÉCOLE, İstanbul, STRASSE and ǅemal",
        "",
        "   ",
        "#HashTag @UserName ^_^ (^_^) \\o/ =)",
    ]
    demo = Path(__file__).resolve().parents[2] / "resources" / "demo" / "reviews.parquet"
    texts += pd.read_parquet(demo, columns=["text"])["text"].head(300).tolist()
    for t in texts:
        clean = prepare.clean_text(t)
        expected = [w for w in (prepare._WS.sub("_", w) for w in nltk_lower.tokenize(clean)) if w]
        assert prepare.tokenize_one(clean) == expected, clean


def test_tokens_keep_case_when_asked():
    assert "ISN'T" in prepare.tokenize_one("It ISN'T", lowercase=False)


def test_tokens_never_contain_spaces():
    # TweetTokenizer keeps phone numbers with spaces as one token; tokens are space-joined later
    for t in prepare.tokenize_one("call 555 123 4567 now"):
        assert " " not in t


def test_prepare_keys_order_and_counts():
    reviews = pd.DataFrame(
        {
            "review_id": ["b", "a", "c"],
            "text": ["Bad.<br />Very bad", "Good &amp; nice", "<p></p>"],
        }
    )
    settings = {k: schema_defaults("prepare")[k] for k in ("lowercase", "unicode_form")}
    out = job.prepare(reviews, **settings)
    assert list(out.columns) == ["review_id", "clean_text", "tokens", "n_tokens"]
    assert out["review_id"].tolist() == ["b", "a", "c"]
    assert out["tokens"].tolist() == ["bad . very bad", "good & nice", ""]
    assert out["n_tokens"].tolist() == [4, 3, 0]
    summary = job.summarize(out, reviews)
    assert summary["reviews_with_br_tags"] == 1
    assert summary["reviews_with_entities"] == 1
    assert summary["reviews_with_empty_tokens"] == 1
    assert summary["tokens_total"] == 7


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_tokenize_many_parallel_matches_serial(n_jobs):
    texts = [f"Review number {i}: it wasn't bad, {i % 7} stars!" for i in range(2500)]
    serial = [" ".join(prepare.tokenize_one(t)) for t in texts]
    assert prepare.tokenize_many(texts, n_jobs=n_jobs) == serial


# a rule script as Snakemake runs it: a file run as __main__, nothing under `if __name__ ...`
_RULE_SCRIPT = """
import multiprocessing, sys
multiprocessing.set_start_method(sys.argv[2], force=True)  # forkserver: Python 3.14's default
with open(sys.argv[1], "a") as runs:
    runs.write("ran\\n")
from sentclust.prepare import text as prepare
texts = [f"Review number {i}: it wasn't bad!" for i in range(2500)]
out = prepare.tokenize_many(texts, n_jobs=2)
assert out == prepare.tokenize_many(texts, n_jobs=1)
print("ok")
"""


@pytest.mark.parametrize("default", ["forkserver", "spawn"])
def test_tokenize_workers_do_not_rerun_the_rule_script(tmp_path, default):
    """With Python 3.14's default start method (forkserver) or spawn, each worker process would
    run the main script (the whole rule) again; the pool's own context must not."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "rule_script.py"
    script.write_text(_RULE_SCRIPT)
    runs = tmp_path / "runs.txt"
    scripts = Path(__file__).resolve().parents[2] / "workflow_scripts"
    env = {**os.environ, "PYTHONPATH": str(scripts)}
    done = subprocess.run(
        [sys.executable, str(script), str(runs), default],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
    assert runs.read_text().splitlines() == ["ran"]
