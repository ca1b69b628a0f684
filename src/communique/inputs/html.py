"""Web pages: the main text (headline, date and body) without menus, footers or
related-story lists, extracted with trafilatura.

The article text is the headline followed by the body's paragraphs, separated by
blank lines like a plain-text release; record spans index that text. The page's own
publication date (its metadata, a ``<time>`` element) becomes ``published``. A page
trafilatura finds no main text in (a bare fragment, a page of only a few words)
falls back to its visible text, so a short page still gives an article.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from communique.inputs.article import Article, InputProblem, Item

logger = logging.getLogger("communique")

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE
)
_BLOCK_TAGS = [
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "td", "th", "tr", "table", "section", "article", "figure", "figcaption", "pre", "dd", "dt",
]  # fmt: skip
_BOILERPLATE_TAGS = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside"]
_DATE_META: tuple[dict[str, Any], ...] = (
    {"property": "article:published_time"},
    {"name": "date"},
    {"itemprop": "datePublished"},
)


@dataclass(frozen=True)
class MainText:
    text: str
    title: str | None = None
    published: dt.date | None = None


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` tag near its start."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def html_article(
    html: str,
    source: str,
    *,
    encoding: str | None = None,
    url: str | None = None,
    feed: str | None = None,
    title: str | None = None,
    published: dt.date | None = None,
) -> Item:
    """One article from a page's HTML; ``title`` and ``published`` are used when the
    page itself gives none (a feed entry's, for instance)."""
    try:
        main = main_text(html, url)
    except Exception as exc:  # a parser failure on one page must not stop the batch
        logger.debug("cannot parse %s", source, exc_info=True)
        return InputProblem(source, f"the HTML page could not be parsed ({type(exc).__name__})")
    if main is None:
        return InputProblem(source, "the HTML page has no visible text")
    return Article(
        source=source,
        text=main.text,
        published=main.published or published,
        encoding=encoding,
        title=main.title or title,
        url=url,
        feed=feed,
    )


def main_text(html: str, url: str | None = None) -> MainText | None:
    """Headline, date and body of a page; None when it shows no text at all."""
    extracted = _trafilatura(html, url)
    if extracted is not None:
        return extracted
    text, published = visible_text(html)
    return MainText(text, None, published) if text else None


@lru_cache(maxsize=1)
def _config() -> Any:
    from trafilatura.settings import use_config

    # A page without main text is normal here (the fallback reads it); trafilatura
    # would log it as an error on the user's terminal.
    for name in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    config = use_config()
    # Below this size trafilatura tries other extractors that split a paragraph at its
    # links and bold names; a short page falls back to visible_text instead.
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
    config.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return config


def _trafilatura(html: str, url: str | None) -> MainText | None:
    import trafilatura  # slow to import: only when there is HTML to read

    config = _config()  # first: it quiets trafilatura's logging
    tree = trafilatura.load_html(html)
    if tree is None:
        return None
    # trafilatura leaves script text inside a headline in the title it reports
    for element in tree.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        config=config,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None:
        return None
    body = _paragraphs(str(getattr(doc, "text", None) or ""))
    if not body:
        return None
    title = " ".join(str(getattr(doc, "title", None) or "").split()) or None
    if title and title.casefold() not in body[: 4 * len(title) + 200].casefold():
        body = f"{title}\n\n{body}"
    return MainText(body, title, _iso_date(getattr(doc, "date", None)))


def _paragraphs(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _iso_date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def visible_text(html: str) -> tuple[str, dt.date | None]:
    """All visible text of a page (scripts, styles, menus and footers removed),
    paragraphs kept apart; plus its published date if tagged."""
    from bs4 import BeautifulSoup

    with warnings.catch_warnings():  # "looks like XML", "looks like a URL": read it anyway
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(html, "html.parser")
    published = None
    for attrs in _DATE_META:
        tag = soup.find("meta", attrs=attrs)
        content = tag.get("content") if tag is not None else None
        published = _iso_date(content)
        if published is not None:
            break
    if published is None:
        time_tag = soup.find("time", attrs={"datetime": True})
        published = _iso_date(time_tag.get("datetime") if time_tag is not None else None)
    for tag in soup(_BOILERPLATE_TAGS):
        tag.decompose()
    body = soup.find("article") or soup.body or soup
    for br in body.find_all("br"):
        br.replace_with("\n")
    for block in body.find_all(_BLOCK_TAGS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", body.get_text())]
    return "\n\n".join(p for p in paragraphs if p), published
