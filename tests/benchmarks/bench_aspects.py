"""The aspects of a finished run, checked against what we did not make: the aspects film
criticism names, the star ratings, a second K-means seed, the corpus's own term co-occurrence.

    .venv/bin/python tests/benchmarks/bench_aspects.py results/full [--kinds wordvec_pls,bert_pls]

Prints, from ``aspects/aspects.json`` and the run's files (nothing is recomputed but the
coverage, which reads the segments' words):

- the aspect table: name, top terms, size, positive / negative share, Spearman rho of the
  reviews' net polarity on the aspect with their rating, NPMI of the top terms;
- the film-criticism coverage (:mod:`sentclust.aspects.coverage`): which named aspect the data
  finds on its own, merges or misses, with its segments' share and lift;
- per kind (``--kinds``; default every kind in the file) the level x aspect net polarity at
  its chosen k, levels in their fine-grained order;
- the comparisons (count, negated, per aspect, examples), the stability (ARI under a second
  seed) and the mean NPMI;
- the aspects rules' time and peak memory from their ``benchmark:`` files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))

import pandas as pd  # noqa: E402

from sentclust import layout as L  # noqa: E402
from sentclust.aspects.coverage import coverage  # noqa: E402
from sentclust.aspects.job import tokens  # noqa: E402
from sentclust.bert import machine  # noqa: E402


def _pct(v) -> str:
    return "-" if v is None or pd.isna(v) else f"{100 * v:.0f}%"


def _num(v, fmt=".2f") -> str:
    return "-" if v is None or pd.isna(v) else format(v, fmt)


def aspect_rows(doc: dict) -> list[str]:
    pol = {p["aspect"]: p for p in doc.get("polarity", [])}
    total = sum(a["size"] for a in doc["aspects"]) or 1
    out = [
        "| aspect | top terms | segments | positive | negative | rho with rating | NPMI |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for a in sorted(doc["aspects"], key=lambda a: -a["size"]):
        p = pol.get(a["aspect"], {})
        out.append(
            f"| {a['aspect']}: {a['name']} | {', '.join(a['terms'][:6])} | {a['size']:,} "
            f"({_pct(a['size'] / total)}) | {_pct(p.get('positive_share'))} | "
            f"{_pct(p.get('negative_share'))} | {_num(p.get('rating_rho'))} | "
            f"{_num(a.get('npmi'))} |"
        )
    return out


def coverage_rows(run: Path, doc: dict) -> list[str]:
    k = doc["choice"]["k"]
    frame = pd.read_parquet(run / L.path(L.ASPECTS_ASSIGNMENTS, k=k))
    segs = pd.read_parquet(run / L.SEGMENTS, columns=["review_id", "segment_no", "text"])
    text = frame.merge(segs, on=["review_id", "segment_no"], how="left")["text"]
    names = {a["aspect"]: a["name"] for a in doc["aspects"]}
    rows = coverage(tokens(text), frame["aspect"].to_numpy(), k, names=names)
    out = [
        "| named aspect | segments using its words | held by | share there | lift | status |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        held = "-" if r["aspect"] is None else f"{r['aspect']}: {r['aspect_name']}"
        status = r["status"] + (
            f" (with {', '.join(r['merged_with'])})" if "merged_with" in r else ""
        )
        out.append(
            f"| {r['named']} | {r['segments']:,} | {held} | {_pct(r['share'])} | "
            f"{_num(r['lift'])} | {status} |"
        )
    return out


def level_rows(doc: dict, kind: str) -> list[str]:
    lv = doc["levels"][kind]
    t = pd.DataFrame(lv["table"])
    names = {a["aspect"]: a["name"] for a in doc["aspects"]}
    order = lv.get("order") or sorted(t["level"].unique())
    level_names = lv.get("names", {})
    aspects = sorted(t["aspect"].unique())
    out = [
        f"{kind}, k={lv['k']} (net polarity, segments)",
        "",
        "| level | " + " | ".join(names.get(a, str(a)) for a in aspects) + " |",
        "| --- |" + " --- |" * len(aspects),
    ]
    cell = t.set_index(["level", "aspect"])
    for level in order:
        vals = [
            f"{cell.loc[(level, a), 'net']:+.2f} ({int(cell.loc[(level, a), 'n'])})"
            if (level, a) in cell.index
            else "-"
            for a in aspects
        ]
        out.append(f"| {level_names.get(str(level), level)} | " + " | ".join(vals) + " |")
    return out


def rule_rows(run: Path) -> list[str]:
    out = [
        "| rule | jobs | seconds (sum) | longest s | peak RSS MB |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule, pattern in (("aspects_k", "aspects_k/*.tsv"), ("aspects", "aspects.tsv")):
        files = sorted((run / "benchmarks").glob(pattern))
        if not files:
            continue
        b = pd.concat([pd.read_csv(f, sep="\t") for f in files])
        out.append(
            f"| {rule} | {len(b)} | {b['s'].sum():.1f} | {b['s'].max():.1f} | "
            f"{b['max_rss'].max():.0f} |"
        )
    return out


def sweep_rows(doc: dict) -> list[str]:
    """The sweep of aspect counts: inertia, silhouette and the mean NPMI the choice reads."""
    out = [
        "| count | inertia | silhouette | mean NPMI | chosen |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in doc["sweep"]:
        out.append(
            f"| {r['k']} | {r['inertia']:,.0f} | {_num(r.get('silhouette'), '.4f')} | "
            f"{_num(r.get('npmi_mean'), '.3f')} | {'yes' if r['k'] == doc['choice']['k'] else ''} |"
        )
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("--kinds", default=None, help="comma-separated kinds (default: all)")
    args = ap.parse_args(argv)
    doc = json.loads((args.run / L.ASPECTS).read_text())
    print(machine.header(machine.describe(())))
    print(
        f"run {args.run}; {doc['n_segments']:,} segments; aspect count {doc['choice']['k']} "
        f"by {doc['choice'].get('chosen_by') or doc['choice'].get('criterion')}"
        + (f" ({doc['choice']['fallback']})" if doc["choice"].get("fallback") else "")
        + "\n"
    )
    print("\n".join(sweep_rows(doc)) + "\n")
    print("\n".join(aspect_rows(doc)) + "\n")
    print("\n".join(coverage_rows(args.run, doc)) + "\n")
    kinds = args.kinds.split(",") if args.kinds else list(doc.get("levels", {}))
    for kind in kinds:
        print("\n".join(level_rows(doc, kind)) + "\n")
    c, q = doc["comparisons"], doc.get("quality", {})
    print(
        f"comparisons: {c['n']:,} ({c['negated']:,} negated); per aspect: "
        + ", ".join(f"{r['aspect']}: {r['n']}" for r in c.get("by_aspect", []))
    )
    for e in c.get("examples", [])[:5]:
        print(f"  [{e['cue']}] {e['left']!r} vs {e['right']!r}: {e['text'][:100]!r}")
    print(
        f"stability (ARI, seeds {q.get('seeds')}): {_num(q.get('stability_ari'), '.3f')}; "
        f"mean NPMI of the top terms: {_num(q.get('npmi_mean'), '.3f')}\n"
    )
    print("\n".join(rule_rows(args.run)))


if __name__ == "__main__":
    main()
