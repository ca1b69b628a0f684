"""Reading articles from files, folders, stdin, JSONL, web pages and feeds.

The modules, one job each: :mod:`~communique.inputs.article` (what readers produce),
:mod:`~communique.inputs.decode` (bytes to text, any common encoding),
:mod:`~communique.inputs.text`, :mod:`~communique.inputs.html`,
:mod:`~communique.inputs.jsonl` and :mod:`~communique.inputs.feeds` (one format
each), :mod:`~communique.inputs.web` (HTTP fetching), :mod:`~communique.inputs.urls`
(URLs to articles) and :mod:`~communique.inputs.readers` (paths to articles).
"""

from __future__ import annotations

from communique.inputs.article import Article, InputProblem, Item, content_id, content_sha256
from communique.inputs.decode import Decoded, decode_bytes
from communique.inputs.feeds import FeedEntry, parse_feed
from communique.inputs.html import main_text
from communique.inputs.readers import SUPPORTED_SUFFIXES, read_bytes, read_inputs
from communique.inputs.urls import FeedMemory, UrlReader
from communique.inputs.web import Fetched, Fetcher, FetchPolicy, is_url

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Article",
    "Decoded",
    "FeedEntry",
    "FeedMemory",
    "FetchPolicy",
    "Fetched",
    "Fetcher",
    "InputProblem",
    "Item",
    "UrlReader",
    "content_id",
    "content_sha256",
    "decode_bytes",
    "is_url",
    "main_text",
    "parse_feed",
    "read_bytes",
    "read_inputs",
]
