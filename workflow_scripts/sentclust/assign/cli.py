"""``python -m sentclust assign``: new reviews placed on a finished run's fine-grained scale.

The same functions as the workflow's rule assign (:mod:`sentclust.assign.placing`); models are
loaded once per call. Errors about the input or the run stop with one message (exit status 2) and
write nothing. What reaches the terminal (the table, messages) shows a review's control characters
as escapes; --json (JSON escapes them too) and --output keep every text exact.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import unicodedata

import pandas as pd

from sentclust.assign import new_texts
from sentclust.assign import segment_aspects as sa
from sentclust.assign.encoder import needs_hub
from sentclust.assign.manifest import ManifestError
from sentclust.assign.new_texts import NewTextError
from sentclust.assign.placing import Placer, write_assignments
from sentclust.assign.run_models import open_run
from sentclust.bert.models import ModelNotAvailableError
from sentclust.bert.openvino import opt_out_of_openvino_telemetry
from sentclust.workflow import offline

#: characters of a text shown in the table
SNIPPET = 60

EPILOG = """examples:
  python -m sentclust assign --run results/demo "One of the best films I have ever seen."
  python -m sentclust assign --run results/demo --kind bert_pls --k 5 --file reviews.csv
  cat reviews.txt | python -m sentclust assign --run results/demo - --json
  python -m sentclust assign --run results/demo --file reviews.parquet --output placed.parquet

The table shows each text's level on the kind's scale at the chosen k (or --k), the mean star
rating and positive share of the run's reviews in that level, how clearly the text sits there
(confidence: 0 on the boundary with the next level, 1 on its centre), and the word-embedding
network's probability that the text is positive. Below it, each text's segments: the aspect
each is about (its nearest aspect of the run's aspects stage), its polarity, and the
comparisons in it ("better than", "not as good as", ...) with the two sides compared. --json
and --output give every column: all kinds at the chosen and the explored ks, distances,
margins, the polarity inside each text; --json adds each text's segments, --segments writes
them as Parquet.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sentclust",
        description="Use a finished run of the sentiment-clustering workflow on new reviews.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    a = sub.add_parser(
        "assign",
        help="place new reviews on a run's fine-grained sentiment scale",
        description="Place new reviews on a finished run's fine-grained sentiment scale: each "
        "text is prepared and encoded as the run's reviews were, then given the level of its "
        "nearest cluster centre.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    a.add_argument(
        "--run",
        required=True,
        metavar="DIR",
        help="results folder of a finished run (its results_dir, e.g. results/demo); it holds "
        "model/manifest.json",
    )
    a.add_argument(
        "--kind",
        action="append",
        metavar="KIND",
        help="embedding kind to place on: wordvec, bert, wordvec_pls or bert_pls (repeat for "
        "several; default: every kind of the run)",
    )
    a.add_argument(
        "--k",
        type=int,
        metavar="K",
        help="number of levels: one the run named (its chosen k or choose_k.explore); default: "
        "the chosen k in the table, and every named k in --json/--output",
    )
    a.add_argument("texts", nargs="*", metavar="TEXT", help="review texts; '-' reads standard "
                   "input, one review per line")  # fmt: skip
    a.add_argument(
        "--file",
        metavar="FILE",
        help="reviews in a file: .txt (one per line), .csv or .parquet (a column named text or "
        "review; label, rating and review_id are kept when present)",
    )
    out = a.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print every row as JSON lines")
    out.add_argument(
        "--output",
        metavar="FILE.parquet",
        help="write every row to this Parquet file (written whole, or not at all)",
    )
    a.add_argument(
        "--segments",
        metavar="FILE.parquet",
        help="also write one row per segment (its aspect, polarity and comparisons) to this "
        "Parquet file",
    )
    a.add_argument("--threads", type=int, default=1, help="CPU threads (default: 1)")
    a.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    return parser


def read_texts(args) -> pd.DataFrame:
    """The new texts of the command line (texts, --file, or - for stdin)."""

    given = [t for t in args.texts if t != "-"]
    stdin = "-" in args.texts
    if sum(bool(x) for x in (given, stdin, args.file)) != 1:
        raise new_texts.NewTextError(
            "give the reviews one way: TEXT arguments, --file FILE, or - (standard input)"
        )
    if args.file:
        return new_texts.from_path(args.file, rating_scale=new_texts.run_rating_scale(args.run))
    if stdin:
        return new_texts.from_lines(sys.stdin.buffer.read(), "standard input")
    return new_texts.from_arguments(given)


def table_view(placed: pd.DataFrame, texts: pd.DataFrame, k: int | None) -> pd.DataFrame:
    """The readable table: per text and kind at the chosen k (or ``k``)."""
    rows = placed[placed["k"] == k] if k is not None else placed[placed["chosen_k"]]
    snippets = texts.set_index("text_id")["text"].map(_snippet)
    view = pd.DataFrame(
        {
            "text": rows["text_id"].map(snippets).to_numpy(),
            "kind": rows["kind"].to_numpy(),
            "k": rows["k"].to_numpy(),
            "level": rows["name"].map(printable).to_numpy(),
            "mean rating": _numbers(rows["mean_rating"]).round(2).to_numpy(),
            "positive share": _numbers(rows["positive_share"]).round(2).to_numpy(),
            "confidence": rows["confidence"].round(2).to_numpy(),
        }
    )
    if "network_probability" in rows:  # a run without labels has no network
        view["network p(positive)"] = rows["network_probability"].round(3).to_numpy()
    if "dual_polarity" in rows:
        view["dual polarity"] = rows["dual_polarity"].to_numpy()
    return view


def _numbers(column: pd.Series) -> pd.Series:
    """A column as floats, None (a run without labels or ratings) as NaN."""
    return pd.to_numeric(column, errors="coerce").astype("float64")


def _snippet(text: str) -> str:
    text = " ".join(str(text).split())
    text = text if len(text) <= SNIPPET else text[: SNIPPET - 3] + "..."
    return printable(text)


def printable(text: str, keep: str = "\n") -> str:
    """``text`` as it may be shown on a terminal: control characters (C0, DEL, C1: ESC and CSI
    start the sequences that move the cursor, retitle the window or write to the clipboard),
    bidirectional overrides and line separators written as escapes (``\\x1b``, ``\\u202e``);
    only the characters of ``keep`` pass. The rows written by --json and --output stay exact."""
    return "".join(c if c in keep or not _hidden(c) else ascii(c)[1:-1] for c in str(text))


#: bidirectional controls: they reorder what a terminal shows (U+061C, U+200E-F, U+202A-E,
#: U+2066-9), and the line and paragraph separators
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029}


def _hidden(c: str) -> bool:
    return unicodedata.category(c) == "Cc" or ord(c) in _BIDI


def assign_command(args) -> int:
    log = logging.getLogger("sentclust")
    texts = read_texts(args)
    for option, path in (("--output", args.output), ("--segments", args.segments)):
        if path and not path.endswith(".parquet"):
            raise ValueError(f"{option} {path}: name the file ....parquet (Parquet is written)")
    models = open_run(args.run)
    # the workflow's rule: the hub only for the run's model where it is not on this machine
    # (the run's config named it), no telemetry; the user's own settings win
    offline.set_environment(lambda: needs_hub(models.about.get("bert")))
    placer = Placer(models, kinds=args.kind, threads=args.threads, log=log)
    placed, segments = placer.place_with_segments(texts, k=args.k)
    if args.segments:
        sa.write_segments(segments, args.segments)
        log.info("wrote %d segments to %s", len(segments), args.segments)
    if args.output:
        write_assignments(placed, args.output)
        log.info("wrote %d rows to %s", len(placed), args.output)
    elif args.json:
        by_text = segment_records(segments)
        for record in placed.to_dict(orient="records"):
            record["segments"] = by_text.get(record["text_id"], [])
            print(json.dumps(record, default=_json_default))
    else:
        with pd.option_context("display.max_colwidth", SNIPPET, "display.width", 200):
            print(printable(table_view(placed, texts, args.k).to_string(index=False)))
        print(printable("\n".join(segment_lines(segments, texts, models.about))))
    return 0


def segment_records(segments: pd.DataFrame) -> dict[str, list[dict]]:
    """Per text_id its segments as plain records (the --json field ``segments``)."""
    out: dict[str, list[dict]] = {}
    for row in segments.to_dict(orient="records"):
        row = {k: sa.plain(v) for k, v in row.items()}
        out.setdefault(row.pop("text_id"), []).append(row)
    return out


def segment_lines(segments: pd.DataFrame, texts: pd.DataFrame, about: dict) -> list[str]:
    """The readable segment lines: per text its segments, each with its aspect (id and name),
    its polarity and its comparisons; what the run lacks is said, not left blank."""
    no_aspect = (
        "none (the run has no aspects stage: polarity.bert_segments off, or a run from before "
        "aspects)"
        if not about.get("aspects")
        else "none (its BERT vector covers too little of it)"
    )
    no_polarity = "none (the run has no segment polarity: its corpus has no labels)"
    if not len(segments):
        return ["", "segments: none (the run segments no texts: it has neither segment "
                "polarity nor aspects)"]  # fmt: skip
    lines = []
    for text_id, rows in segments.groupby("text_id", sort=False):
        snippet = _snippet(texts.set_index("text_id").loc[text_id, "text"])
        lines += ["", f"segments of {text_id}: {snippet}"]
        for seg in rows.itertuples(index=False):
            aspect = (
                f"{int(seg.aspect)} ({seg.aspect_name})" if not pd.isna(seg.aspect) else no_aspect
            )
            polarity = seg.polarity_name if isinstance(seg.polarity_name, str) else no_polarity
            lines.append(f"  {seg.segment_no + 1}. {_snippet(seg.text)}")
            lines.append(f"     aspect {aspect}; polarity {polarity}")
            lines += [f"     comparison {_comparison(c)}" for c in sa.plain(seg.comparisons)]
    return lines


def _comparison(c: dict) -> str:
    """One comparison: its cue, negation and the two sides with their spans in the segment."""

    def side(name):
        if c.get(name) is None:
            return f"{name} not found"
        return f'{name} "{c[name]}" [{c[name + "_start"]}:{c[name + "_end"]}]'

    negated = " (negated)" if c.get("negated") else ""
    return f'"{c["cue"]}"{negated}: {side("left")}, {side("right")}'


def _json_default(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class _PrintableFormatter(logging.Formatter):
    """Progress messages as they may be shown on a terminal (:func:`printable`)."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def main(argv: list[str] | None = None) -> int:
    opt_out_of_openvino_telemetry()  # (importing placing did already; before anything else)
    args = build_parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PrintableFormatter("%(message)s"))
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, handlers=[handler])
    try:
        return assign_command(args)
    except (ManifestError, NewTextError, ModelNotAvailableError, ValueError, KeyError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"sentclust assign: error: {printable(message)}", file=sys.stderr)
        return 2
