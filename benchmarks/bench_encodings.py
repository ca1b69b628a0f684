"""How often a legacy-encoded article is decoded exactly, and how long decoding takes.

    .venv/bin/python benchmarks/bench_encodings.py [--chars 0]

Every real article of the eval set (en, fr, es, nl, ru, tr, az) is saved in each
legacy encoding its language was commonly written in (what the encoding cannot hold
becomes ``?``) and read back with communique's decoder, which is not told the
encoding. An article counts as right when the decoded text equals what was saved.
``--chars N`` cuts each article to its first N characters first (detection is harder
on short texts). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict

from common import machine, real_articles

from communique.inputs import Decoded, decode_bytes

ENCODINGS = {
    "en": ["cp1252", "latin-1", "utf-16"],
    "fr": ["cp1252", "latin-1", "iso8859-15"],
    "es": ["cp1252", "latin-1"],
    "nl": ["cp1252", "latin-1"],
    "ru": ["cp1251", "koi8-r", "cp866", "iso8859-5", "utf-16"],
    "tr": ["cp1254", "iso8859-9"],
    "az": ["cp1254"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=0, help="cut articles to N characters")
    args = parser.parse_args()
    right: dict[str, list[bool]] = defaultdict(list)
    seconds: list[float] = []
    wrong: list[str] = []
    for article in real_articles():
        language = article.name[:2]
        text = article.file_text[: args.chars] if args.chars else article.file_text
        for encoding in ENCODINGS.get(language, []):
            data = text.encode(encoding, errors="replace")
            saved = data.decode(encoding)
            if saved.isascii():
                continue  # every encoding reads ASCII the same
            started = time.perf_counter()
            result = decode_bytes(data, article.name)
            seconds.append(time.perf_counter() - started)
            ok = isinstance(result, Decoded) and result.text == saved.replace("\r\n", "\n")
            right[f"{language} {encoding}"].append(ok)
            if not ok:
                got = result.encoding if isinstance(result, Decoded) else result.problem
                wrong.append(f"{article.name} in {encoding}: read as {got}")
    total = [ok for oks in right.values() for ok in oks]
    print(
        json.dumps(
            {
                "chars": args.chars or "whole articles",
                "decoded_exactly": f"{sum(total)} of {len(total)}",
                "by_language_and_encoding": {k: f"{sum(v)}/{len(v)}" for k, v in right.items()},
                "wrong": wrong,
                "ms_per_article_median": round(1000 * statistics.median(seconds), 1),
                "ms_per_article_max": round(1000 * max(seconds), 1),
                "machine": machine(),
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
