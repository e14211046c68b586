"""Rule explain: LIME explanations for test reviews chosen by rule and the config's texts."""

import time

import pandas as pd

from sentclust.files import atomic_dir, package_versions, write_json, write_text
from sentclust.smk import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    # TensorFlow prints while it loads: import it inside the log redirection
    from sentclust import explain, prepare, wordvec

    cfg = sm.params.explain
    # run-time only (not a param: changing it reruns nothing)
    batch_size = sm.config["explain"]["batch_size"]
    seed = sm.params.seed
    wordvec.configure_tensorflow(seed, sm.threads)
    model = wordvec.load_model(sm.input.model)
    reviews = pd.read_parquet(sm.input.reviews)
    prepared = pd.read_parquet(sm.input.prepared, columns=["review_id", "clean_text", "tokens"])
    test = reviews[reviews["split"] == "test"].merge(prepared, on="review_id", validate="1:1")
    test["p"] = wordvec.predict_proba(model, test["tokens"].to_numpy())
    chosen = explain.select_examples(test, cfg["per_category"]).merge(
        test[["review_id", "rating", "clean_text", "tokens"]], on="review_id"
    )
    items = [
        {
            "source": "test review",
            "category": r.category,
            "review_id": r.review_id,
            "label": int(r.label),
            "rating": None if pd.isna(r.rating) else int(r.rating),
            "p_positive": float(r.p),
            "text": r.clean_text,
            "tokens": r.tokens,
        }
        for r in chosen.itertuples()
    ]
    for text in cfg["texts"]:
        clean = prepare.clean_text(text, unicode_form=sm.params.unicode_form)
        toks = " ".join(prepare.tokenize_one(clean, lowercase=sm.params.lowercase))
        p = float(wordvec.predict_proba(model, [toks])[0])
        items.append(
            {
                "source": "config text",
                "category": "user text",
                "review_id": None,
                "label": None,
                "rating": None,
                "p_positive": p,
                "text": clean,
                "tokens": toks,
            }
        )

    def predict(texts):
        return wordvec.predict_proba(model, texts, batch_size=batch_size)

    classifier_fn = explain.batched(predict, batch_size)
    with atomic_dir(sm.output.figures) as fig_dir, atomic_dir(sm.output.html) as html_dir:
        for i, item in enumerate(items):
            t0 = time.perf_counter()
            exp = explain.explain_one(
                item["tokens"],
                classifier_fn,
                num_samples=cfg["num_samples"],
                num_features=cfg["num_features"],
                seed=seed,
            )
            item["seconds"] = round(time.perf_counter() - t0, 3)
            item["weights"] = explain.weights_of(exp)
            name = f"{i:02d}_{item['category'].replace(' ', '_')}"
            title = f"{item['category']}: P(positive) = {item['p_positive']:.3f}"
            explain.weight_figure(item["weights"], title, str(fig_dir / f"{name}.png"))
            write_text(explain.safe_lime_html(exp.as_html()), html_dir / f"{name}.html")
            item["figure"] = f"figures/{name}.png"
            item["html"] = f"html/{name}.html"
            log.info("explained %s in %.2f s", name, item["seconds"])
    write_json(
        {
            "model": "wordvec network",
            "num_samples": cfg["num_samples"],
            "num_features": cfg["num_features"],
            "seed": seed,
            "versions": package_versions(["lime", "tensorflow-cpu", "keras"]),
            "explanations": items,
        },
        sm.output.json,
    )
