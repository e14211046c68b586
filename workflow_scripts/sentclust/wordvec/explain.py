"""LIME explanations of the word-embedding network's predictions.

LIME perturbs a text by removing words and fits a local linear model to the classifier's
answers. Here a "word" is one of the network's own tokens (the prepared, space-joined NLTK
tokens), so LIME's perturbations are exactly what the network reads, and the classifier
function vectorises whole batches of perturbed texts at once.
"""

from __future__ import annotations

import html as html_lib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sentclust.files import package_versions, write_text
from sentclust.ingest.contract import CLASS_NAMES
from sentclust.prepare import text as prepare

#: categories of test reviews chosen by rule, in priority order
CATEGORIES = ("confident_positive", "confident_negative", "uncertain", "misclassified")
#: the prepared-text columns the explanations read
PREPARED_COLUMNS = ["review_id", "clean_text", "tokens"]
#: packages whose versions the explanations record
VERSIONS_OF = ["lime", "tensorflow-cpu", "keras"]


def select_examples(pred: pd.DataFrame, counts: dict[str, int]) -> pd.DataFrame:
    """Pick test reviews to explain, by rule: ``pred`` has ``review_id``, ``label``, ``p``.

    - confident_positive: positive reviews the network is surest are positive (highest p);
    - confident_negative: negative reviews with the lowest p;
    - uncertain: p closest to 0.5;
    - misclassified: wrong predictions, most confidently wrong first.
    Ties are broken by review_id, so the choice is deterministic. A review is chosen once,
    for the first category (in that order) that takes it. Returns the chosen rows with a
    ``category`` column, in category order.
    """
    unknown = set(counts) - set(CATEGORIES)
    if unknown:
        raise ValueError(
            f"unknown explain categories {sorted(unknown)}; use some of {list(CATEGORIES)}"
        )
    df = pred[["review_id", "label", "p"]].copy()
    df["wrong"] = (df["p"] >= 0.5).astype(int) != df["label"]
    keys = {
        "confident_positive": (df["label"] == 1, -df["p"]),
        "confident_negative": (df["label"] == 0, df["p"]),
        "uncertain": (pd.Series(True, index=df.index), (df["p"] - 0.5).abs()),
        "misclassified": (df["wrong"], -(df["p"] - df["label"]).abs()),
    }
    taken: set[str] = set()
    rows = []
    for cat in CATEGORIES:
        n = int(counts.get(cat, 0))
        if n <= 0:
            continue
        mask, score = keys[cat]
        cand = df[mask].assign(_score=score[mask]).sort_values(["_score", "review_id"])
        cand = cand[~cand["review_id"].isin(taken)].head(n)
        taken.update(cand["review_id"])
        rows.append(cand.drop(columns="_score").assign(category=cat))
    if not rows:
        return df.head(0).assign(category=pd.Series(dtype=str)).drop(columns="wrong")
    return pd.concat(rows, ignore_index=True).drop(columns="wrong")


def has_tokens(tokens) -> bool:
    """Whether a space-joined token string holds a token (LIME needs one to perturb): not for
    a review that was only markup (``<br /><br />``), which prepares to nothing."""
    return isinstance(tokens, str) and bool(tokens.split())


def batched(predict: Callable[[np.ndarray], np.ndarray], batch_size: int):
    """LIME classifier function: P(negative), P(positive) for each text, ``batch_size`` at once."""

    def classifier_fn(texts: Sequence[str]) -> np.ndarray:
        texts = np.asarray(texts, dtype=object)
        p = np.concatenate(
            [predict(texts[a : a + batch_size]) for a in range(0, len(texts), batch_size)]
        )
        return np.column_stack([1.0 - p, p])

    return classifier_fn


def explain_one(
    tokens: str,
    classifier_fn,
    *,
    num_samples: int,
    num_features: int,
    seed: int,
):
    """One seeded LIME explanation of a space-joined token string (a fresh explainer per text,
    so an explanation does not depend on which texts were explained before it). A string
    without tokens raises ValueError (LIME's sampler would fail on it)."""
    from lime.lime_text import LimeTextExplainer

    if not has_tokens(tokens):
        raise ValueError(
            "LIME explains a text by removing its words, and this one has none once prepared "
            f"({tokens!r}); explain only texts with words"
        )

    explainer = LimeTextExplainer(
        class_names=list(CLASS_NAMES),
        split_expression=r"\s+",
        bow=True,
        random_state=seed,
    )
    return explainer.explain_instance(
        tokens,
        classifier_fn,
        labels=(1,),
        num_features=num_features,
        num_samples=num_samples,
    )


def weights_of(exp) -> list[tuple[str, float]]:
    """(word, weight toward 'positive'), strongest first."""
    return [(str(w), float(v)) for w, v in exp.as_list(label=1)]


_DATA_START = "var top_div = d3.select("


def safe_lime_html(page: str) -> str:
    """LIME's own HTML with its data script made safe for any review text.

    LIME writes the explained words into a ``<script>`` block as JSON; a word such as
    ``</script>`` would end the block early and let the rest run as markup. That block starts
    at the ``<script>`` just before LIME's first ``var top_div = d3.select(`` (the library
    bundle comes earlier and holds no such line) and ends at the page's last ``</script>``. In
    it, every ``<`` becomes ``\\u003c``: the same character inside a JavaScript string, never
    the start of a tag (LIME's generated code there has no ``<`` of its own).
    """
    anchor = page.find(_DATA_START)
    if anchor < 0:
        return page
    start = page.rfind("<script>", 0, anchor) + len("<script>")
    end = page.rindex("</script>")
    return page[:start] + page[start:end].replace("<", "\\u003c") + page[end:]


def highlight_html(tokens: str, weights: Sequence[tuple[str, float]]) -> str:
    """The token text as escaped HTML, each weighted word tinted (green positive, red negative)."""
    w = dict(weights)
    top = max((abs(v) for v in w.values()), default=0.0) or 1.0
    parts = []
    for tok in tokens.split(" "):
        esc = html_lib.escape(tok)
        if tok in w:
            a = 0.15 + 0.75 * abs(w[tok]) / top
            rgb = "46,139,87" if w[tok] > 0 else "200,50,50"
            parts.append(
                f'<mark style="background: rgba({rgb},{a:.2f})" title="{w[tok]:+.3f}">{esc}</mark>'
            )
        else:
            parts.append(esc)
    return " ".join(parts)


def weight_figure(weights: Sequence[tuple[str, float]], title: str, path: str) -> None:
    """A horizontal bar chart (seaborn) of the word weights, saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    # matplotlib and seaborn: only when drawing
    from sentclust.figures import save

    df = pd.DataFrame(weights, columns=["word", "weight"]).sort_values("weight")
    df["direction"] = np.where(df["weight"] > 0, "positive", "negative")
    height = 1.2 + 0.35 * max(len(df), 1)
    fig, ax = plt.subplots(figsize=(7, height), dpi=100)
    sns.barplot(
        data=df,
        x="weight",
        y="word",
        hue="direction",
        palette={"positive": "#2e8b57", "negative": "#c83232"},
        dodge=False,
        legend=False,
        ax=ax,
    )
    ax.axvline(0, color="#444", lw=0.8)
    ax.set_xlabel("LIME weight toward 'positive'")
    ax.set_ylabel("")
    ax.set_title(title, fontsize=10, loc="left")
    save(fig, path)


def _item(source, category, p_positive, text, tokens, *, review_id=None, label=None, rating=None):
    """One item to explain, its keys in the order of ``explanations.json``."""
    return {
        "source": source,
        "category": category,
        "review_id": review_id,
        "label": label,
        "rating": rating,
        "p_positive": p_positive,
        "text": text,
        "tokens": tokens,
    }


def review_items(
    reviews: pd.DataFrame,
    prepared: pd.DataFrame,
    predict: Callable[[np.ndarray], np.ndarray],
    per_category: dict[str, int],
) -> list[dict]:
    """The test reviews chosen by :func:`select_examples` as items to explain.

    ``predict`` gives P(positive) for an array of token strings; every test review (joined
    with its prepared text) is scored once to choose by. Reviews without tokens (only markup)
    are never chosen: LIME cannot explain a text with no words.
    """
    test = reviews[reviews["split"] == "test"].merge(prepared, on="review_id", validate="1:1")
    empty = ~test["tokens"].map(has_tokens)
    if empty.any():
        logging.getLogger("sentclust").info(
            "%d test reviews have no tokens (only markup) and are not explained", empty.sum()
        )
        test = test[~empty].reset_index(drop=True)
    test["p"] = predict(test["tokens"].to_numpy())
    chosen = select_examples(test, per_category).merge(
        test[["review_id", "rating", "clean_text", "tokens"]], on="review_id"
    )
    return [
        _item(
            "test review",
            r.category,
            float(r.p),
            r.clean_text,
            r.tokens,
            review_id=r.review_id,
            label=int(r.label),
            rating=None if pd.isna(r.rating) else int(r.rating),
        )
        for r in chosen.itertuples()
    ]


def text_items(
    texts: Sequence[str],
    predict: Callable[[Sequence[str]], np.ndarray],
    *,
    unicode_form: str,
    lowercase: bool,
) -> list[dict]:
    """The config's own texts, prepared like the reviews, as items to explain. A text with no
    tokens once prepared (only markup or spaces) raises ValueError naming it."""
    items = []
    for i, text in enumerate(texts):
        clean = prepare.clean_text(text, unicode_form=unicode_form)
        toks = " ".join(prepare.tokenize_one(clean, lowercase=lowercase))
        if not has_tokens(toks):
            raise ValueError(
                f"explain.texts[{i}] = {text[:80]!r} has no words once prepared (markup and "
                "spaces are removed), and LIME explains a text by removing its words; give it "
                "words or remove it from explain.texts"
            )
        p = float(predict([toks])[0])
        items.append(_item("config text", "user text", p, clean, toks))
    return items


def item_name(i: int, item: dict) -> str:
    """The file name (without suffix) of the ``i``-th item's figure and page."""
    return f"{i:02d}_{item['category'].replace(' ', '_')}"


def explain_items(
    items: list[dict],
    classifier_fn,
    fig_dir: Path,
    html_dir: Path,
    cfg: dict,
    *,
    seed: int,
    log: logging.Logger | None = None,
) -> None:
    """Explain every item with LIME (``cfg``: the explain settings ``num_samples`` and
    ``num_features``): add its ``seconds``, ``weights``, ``figure`` and ``html`` to it, and
    write the bar chart to ``fig_dir`` and LIME's page to ``html_dir``."""
    log = log or logging.getLogger("sentclust")
    for i, item in enumerate(items):
        t0 = time.perf_counter()
        exp = explain_one(
            item["tokens"],
            classifier_fn,
            num_samples=cfg["num_samples"],
            num_features=cfg["num_features"],
            seed=seed,
        )
        item["seconds"] = round(time.perf_counter() - t0, 3)
        item["weights"] = weights_of(exp)
        name = item_name(i, item)
        title = f"{item['category']}: P(positive) = {item['p_positive']:.3f}"
        weight_figure(item["weights"], title, str(Path(fig_dir) / f"{name}.png"))
        write_text(safe_lime_html(exp.as_html()), Path(html_dir) / f"{name}.html")
        item["figure"] = f"figures/{name}.png"
        item["html"] = f"html/{name}.html"
        log.info("explained %s in %.2f s", name, item["seconds"])


def explanations_record(items: list[dict], cfg: dict, seed: int) -> dict:
    """``explanations.json``: LIME's settings, the package versions, every explained item."""
    return {
        "model": "wordvec network",
        "num_samples": cfg["num_samples"],
        "num_features": cfg["num_features"],
        "seed": seed,
        "versions": package_versions(VERSIONS_OF),
        "explanations": items,
    }
