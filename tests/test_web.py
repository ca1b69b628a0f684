"""Web pages, feeds and fetching, against a loopback server (no network)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.inputs import (
    Article,
    Fetcher,
    FetchPolicy,
    InputProblem,
    Item,
    UrlReader,
    read_inputs,
)
from communique.schema import ArticleRecord
from communique.store.feeds import FeedStore
from fake_openai import FakeOpenAI
from fake_web import FakeWeb, Route, news_page, rss

LEAD = (
    "BAKU, Azerbaijan, December 5. Azerbaijani Foreign Minister Jeyhun Bayramov received "
    "a delegation led by Speaker of the Turkish Grand National Assembly Mustafa Şentop."
)
SECOND = (
    "Minister of Defense of Azerbaijan, Colonel General Zakir Hasanov, also attended the "
    "meeting. The sides discussed regional security."
)
BOILERPLATE = (
    "Press releases",
    "Contact us",
    "cookies",
    "trackingSecret",
    "analytics-id-42",
    "Subscribe now",
    "Related news",
    "Deputy minister attends",
    "All rights reserved",
    "Follow us",
    "color: navy",
)


def read(url: str, reader: UrlReader | None = None) -> list[Item]:
    return list(read_inputs([url], urls=reader))


def fetcher(**policy: object) -> Fetcher:
    return Fetcher(FetchPolicy(**policy))  # type: ignore[arg-type]


def page_html(headline: str = "Bayramov receives Şentop", **kwargs: object) -> str:
    return news_page(headline, [LEAD, SECOND], **kwargs)  # type: ignore[arg-type]


# -- pages ---------------------------------------------------------------------------------


def test_a_page_gives_its_main_text_title_and_date_without_boilerplate(fake_web: FakeWeb):
    url = fake_web.page("/news/1", page_html(published="2023-12-05"))
    [article] = read(url)
    assert isinstance(article, Article)
    assert article.source == url
    assert article.url == url
    assert article.text == f"Bayramov receives Şentop\n\n{LEAD}\n\n{SECOND}"
    for junk in BOILERPLATE:
        assert junk not in article.text
    assert article.title == "Bayramov receives Şentop"
    assert article.published == dt.date(2023, 12, 5)
    assert article.encoding == "utf-8"


def test_requests_carry_the_user_agent_and_robots_txt_is_read_once(fake_web: FakeWeb):
    a = fake_web.page("/news/1", page_html())
    b = fake_web.page("/news/2", page_html("Another release"))
    read(a) + read(b)  # one reader per call: robots.txt read by each
    reader = UrlReader(Fetcher())
    list(read_inputs([a, b], urls=reader))
    assert fake_web.paths()[-3:] == ["/robots.txt", "/news/1", "/news/2"]
    for request in fake_web.requests:
        assert request.headers["user-agent"].startswith("communique/")


def test_a_page_in_windows_1251_declared_by_the_server_or_the_page(fake_web: FakeWeb):
    text = "Министр иностранных дел Азербайджана Джейхун Байрамов принял делегацию."
    page = f"<html><body><article><h1>Встреча</h1><p>{text}</p></article></body></html>"
    by_header = fake_web.page(
        "/ru/1", page.encode("cp1251"), content_type="text/html; charset=windows-1251"
    )
    by_meta = fake_web.page(
        "/ru/2",
        page.replace("<html>", '<html><head><meta charset="windows-1251"></head>').encode("cp1251"),
        content_type="text/html",
    )
    for url in (by_header, by_meta):
        [article] = read(url)
        assert isinstance(article, Article), article
        assert article.encoding == "cp1251"
        assert text in article.text


def test_redirects_are_followed_and_the_final_address_kept(fake_web: FakeWeb):
    target = fake_web.page("/news/final", page_html())
    fake_web.redirect("/old", "/news/moved", 301)
    fake_web.redirect("/news/moved", target, 302)
    [article] = read(fake_web.url("/old"))
    assert isinstance(article, Article)
    assert article.source == fake_web.url("/old")
    assert article.url == target
    assert LEAD in article.text


def test_a_redirect_loop_is_a_fetch_problem(fake_web: FakeWeb):
    fake_web.redirect("/a", "/b")
    fake_web.redirect("/b", "/a")
    [problem] = read(fake_web.url("/a"))
    assert isinstance(problem, InputProblem)
    assert problem.kind == "fetch"
    assert problem.source == fake_web.url("/a")
    assert problem.problem == "more than 5 redirects"


def test_a_redirect_to_another_scheme_is_refused(fake_web: FakeWeb):
    fake_web.redirect("/a", "file:///etc/passwd")
    [problem] = read(fake_web.url("/a"))
    assert isinstance(problem, InputProblem)
    assert "is not an http(s) URL" in problem.problem


def test_a_404_is_a_fetch_problem_naming_the_url(fake_web: FakeWeb):
    url = fake_web.url("/missing")
    [problem] = read(url)
    assert isinstance(problem, InputProblem)
    assert (problem.source, problem.problem, problem.kind) == (url, "HTTP 404 Not Found", "fetch")


def test_a_slow_page_times_out(fake_web: FakeWeb):
    url = fake_web.route("/slow", Route(body=page_html().encode(), delay_s=5))
    started = time.monotonic()
    [problem] = read(url, UrlReader(fetcher(timeout_s=0.3)))
    assert time.monotonic() - started < 3
    assert isinstance(problem, InputProblem)
    assert problem.problem == "timed out after 0.3 s"


@pytest.mark.parametrize("stream", [False, True], ids=["content-length", "streamed"])
def test_an_oversized_page_is_refused(fake_web: FakeWeb, stream: bool):
    body = page_html().encode() + b"<!--" + b"x" * 300_000 + b"-->"
    url = fake_web.route("/huge", Route(body=body, stream=stream))
    [problem] = read(url, UrlReader(fetcher(max_bytes=100_000)))
    assert isinstance(problem, InputProblem)
    assert problem.kind == "fetch"
    assert "100,000" in problem.problem and "cap" in problem.problem


def test_what_is_neither_a_page_nor_a_feed_is_a_problem(fake_web: FakeWeb):
    url = fake_web.route("/r.pdf", Route(body=b"%PDF-1.4\n", content_type="application/pdf"))
    [problem] = read(url)
    assert isinstance(problem, InputProblem)
    assert problem.problem == "the URL serves application/pdf, not a web page or a feed"


def test_nothing_listening_is_a_fetch_problem(fake_web: FakeWeb):
    url = fake_web.url("/x")
    fake_web.stop()
    [problem] = read(url, UrlReader(fetcher(timeout_s=2)))
    assert isinstance(problem, InputProblem)
    assert problem.kind == "fetch"
    assert problem.problem.startswith("cannot fetch it:")


# -- robots.txt ------------------------------------------------------------------------------


def test_robots_txt_is_respected(fake_web: FakeWeb):
    fake_web.route(
        "/robots.txt",
        Route(
            body=b"User-agent: communique\nDisallow: /private/\n\n"
            b"User-agent: otherbot\nDisallow: /\n",
            content_type="text/plain",
        ),
    )
    allowed = fake_web.page("/news/1", page_html())
    private = fake_web.page("/private/1", page_html())
    got = list(read_inputs([allowed, private]))
    assert isinstance(got[0], Article)
    assert isinstance(got[1], InputProblem)
    assert got[1].problem == "robots.txt of the site disallows fetching it"
    assert "/private/1" not in fake_web.paths()


def test_robots_txt_is_checked_again_after_a_redirect(fake_web: FakeWeb):
    fake_web.route(
        "/robots.txt",
        Route(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
    )
    fake_web.page("/private/1", page_html())
    fake_web.redirect("/public", "/private/1")
    [problem] = read(fake_web.url("/public"))
    assert isinstance(problem, InputProblem)
    assert "disallows" in problem.problem and "redirected to" in problem.problem


def test_a_robots_txt_server_error_means_no_crawling(fake_web: FakeWeb):
    fake_web.route("/robots.txt", Route(status=503, body=b"busy", content_type="text/plain"))
    url = fake_web.page("/news/1", page_html())
    [problem] = read(url)
    assert isinstance(problem, InputProblem)
    assert "robots.txt answered HTTP 503" in problem.problem
    assert "/news/1" not in fake_web.paths()


# -- feeds -------------------------------------------------------------------------------------


def serve_feed(fake_web: FakeWeb, count: int, *, etag: str | None = None) -> str:
    items = []
    for n in range(count, 0, -1):  # newest first
        link = fake_web.page(f"/news/{n}", news_page(f"Release {n}", [f"{LEAD} Item {n}.", SECOND]))
        items.append((f"Release {n}", link, f"2023-12-{n:02d}"))
    return fake_web.feed("/rss.xml", rss(items), etag=etag)


def test_a_feed_gives_the_articles_of_its_items_in_its_order(fake_web: FakeWeb):
    feed = serve_feed(fake_web, 2)
    got = read(feed)
    assert all(isinstance(a, Article) for a in got), got
    articles = [a for a in got if isinstance(a, Article)]
    assert [a.source for a in articles] == [fake_web.url("/news/2"), fake_web.url("/news/1")]
    assert [a.feed for a in articles] == [feed, feed]
    assert [a.title for a in articles] == ["Release 2", "Release 1"]
    # the pages state no date: the feed's (in its own time zone) is used
    assert [a.published for a in articles] == [dt.date(2023, 12, 2), dt.date(2023, 12, 1)]
    assert articles[0].text.startswith("Release 2\n\n" + LEAD)
    for junk in BOILERPLATE:
        assert junk not in articles[0].text


def test_an_atom_feed_and_an_entry_without_a_link(fake_web: FakeWeb):
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title><id>urn:x</id>
<updated>2023-12-05T10:00:00+04:00</updated>
<entry><title>Linked</title><id>urn:1</id><link href="/news/1"/>
<updated>2023-12-05T10:00:00+04:00</updated></entry>
<entry><title>Inline</title><id>urn:2</id><updated>2023-12-04T23:30:00-02:00</updated>
<content type="html">&lt;p&gt;{LEAD}&lt;/p&gt;</content></entry>
</feed>"""
    fake_web.page("/news/1", page_html())
    feed = fake_web.feed("/atom", atom, content_type="application/atom+xml")
    linked, inline = read(feed)
    assert isinstance(linked, Article) and linked.source == fake_web.url("/news/1")
    assert isinstance(inline, Article)
    assert inline.source == "urn:2"
    assert inline.text == LEAD
    assert inline.published == dt.date(2023, 12, 4)  # the entry's own day, not UTC's


def test_a_feed_served_as_xml_or_without_a_type_is_recognised(fake_web: FakeWeb):
    xml = rss([("One", fake_web.page("/news/1", page_html()), "2023-12-05")])
    for path, kind in (("/a.xml", "text/xml"), ("/b", "")):
        feed = fake_web.feed(path, xml, content_type=kind)
        [article] = read(feed)
        assert isinstance(article, Article) and article.feed == feed


def test_an_item_listed_twice_is_read_once(fake_web: FakeWeb):
    link = fake_web.page("/news/1", page_html())
    feed = fake_web.feed("/rss.xml", rss([("One", link, "2023-12-05")] * 2))
    assert [item.source for item in read(feed)] == [link]
    assert fake_web.paths().count("/news/1") == 1


def test_a_dead_item_link_is_a_problem_and_the_other_items_still_come(fake_web: FakeWeb):
    good = fake_web.page("/news/1", page_html())
    dead = fake_web.url("/news/gone")
    feed = fake_web.feed(
        "/rss.xml", rss([("Gone", dead, "2023-12-06"), ("Good", good, "2023-12-05")])
    )
    problem, article = read(feed)
    assert isinstance(problem, InputProblem)
    assert problem.source == dead
    assert problem.problem == f"HTTP 404 Not Found (an item of {feed})"
    assert isinstance(article, Article) and article.source == good


def test_broken_xml_is_not_a_feed(fake_web: FakeWeb):
    url = fake_web.feed("/rss.xml", '<rss version="2.0"><channel><title>News</title></chan')
    [problem] = read(url)
    assert isinstance(problem, InputProblem)
    assert problem.problem.startswith("not a valid RSS or Atom feed")


def test_a_cut_off_feed_keeps_what_it_can_read(fake_web: FakeWeb):
    """feedparser reads what it can of a broken feed; an entry without a link or text
    is a problem of its own."""
    url = fake_web.feed("/rss.xml", "<rss><channel><item><title>x</ti")
    [problem] = read(url)
    assert isinstance(problem, InputProblem)
    assert problem.problem == f"the entry of {url} has neither a link nor text"


def test_feeds_are_fetched_conditionally_and_a_304_still_lists_the_items(
    fake_web: FakeWeb, tmp_path: Path
):
    feed = serve_feed(fake_web, 2, etag='"v1"')
    store = FeedStore(tmp_path / "feeds.db")
    first = read(feed, UrlReader(Fetcher(), store))
    second = read(feed, UrlReader(Fetcher(), store))
    feed_hits = fake_web.hits("/rss.xml")
    assert "if-none-match" not in feed_hits[0].headers
    assert feed_hits[1].headers["if-none-match"] == '"v1"'
    assert [a.source for a in second] == [a.source for a in first]  # from the kept body
    assert len(first) == 2


def test_new_only_skips_items_summarised_before_by_url_or_by_text(
    fake_web: FakeWeb, tmp_path: Path
):
    from communique.schema import ArticleInfo

    feed = serve_feed(fake_web, 2)
    store = FeedStore(tmp_path / "feeds.db")

    def new() -> list[Item]:
        return read(feed, UrlReader(Fetcher(), store, new_only=True))

    first = new()
    assert len(first) == 2
    newest = first[0]
    assert isinstance(newest, Article)
    store.remember(
        ArticleRecord(article=ArticleInfo(id=newest.id, source=newest.source, feed=feed, chars=1))
    )
    assert [a.source for a in new()] == [fake_web.url("/news/1")]
    # the same release under a new address is not new either
    fake_web.page("/news/2-copy", news_page("Release 2", [f"{LEAD} Item 2.", SECOND]))
    fake_web.feed("/rss.xml", rss([("Copy", fake_web.url("/news/2-copy"), "2023-12-07")]))
    assert new() == []


# -- summarise URLs and feeds from the command line -------------------------------------------


def summarise(*args: str) -> tuple[int, list[ArticleRecord], str]:
    result = CliRunner().invoke(app, ["summarise", *args, "-m", "openai:fake-model"])
    got = [ArticleRecord.model_validate_json(line) for line in result.stdout.splitlines()]
    return result.exit_code, got, " ".join(result.stderr.split())


def test_new_only_summarises_a_page_and_a_feed_then_nothing_then_the_one_new_item(
    fake_web: FakeWeb, fake_openai: FakeOpenAI, isolated_home: Path
):
    page = fake_web.page("/news/page", page_html(published="2023-12-05"))
    feed = serve_feed(fake_web, 2)
    fake_openai.add_json(*[{"events": []}] * 3)

    code, first, _ = summarise(page, feed, "--new-only")
    assert code == 0
    assert [r.article.source for r in first] == [
        page,
        fake_web.url("/news/2"),
        fake_web.url("/news/1"),
    ]
    assert all(r.status == "ok" for r in first)
    assert first[0].article.published == dt.date(2023, 12, 5)
    assert first[0].article.title == "Bayramov receives Şentop"
    assert first[0].article.encoding == "utf-8"
    assert [r.article.feed for r in first] == [None, feed, feed]
    assert fake_openai.request_count == 3
    # the model saw the main text only
    sent = fake_openai.requests[0]["messages"][-1]["content"]
    assert LEAD in sent and "Related news" not in sent and "trackingSecret" not in sent
    assert (isolated_home / "feeds.db").is_file()

    code, second, stderr = summarise(page, feed, "--new-only")
    assert (code, second) == (0, [])
    assert "0 article(s)" in stderr
    assert fake_openai.request_count == 3

    link = fake_web.page("/news/3", news_page("Release 3", [f"{LEAD} Item 3.", SECOND]))
    fake_web.feed(
        "/rss.xml",
        rss(
            [("Release 3", link, "2023-12-03")]
            + [(f"Release {n}", fake_web.url(f"/news/{n}"), f"2023-12-0{n}") for n in (2, 1)]
        ),
    )
    fake_openai.add_json({"events": []})
    code, third, _ = summarise(page, feed, "--new-only")
    assert code == 0
    assert [r.article.source for r in third] == [link]
    assert fake_openai.request_count == 4


def test_fetch_errors_are_error_records_retried_on_the_next_run(
    fake_web: FakeWeb, fake_openai: FakeOpenAI
):
    good = fake_web.page("/news/1", page_html())
    broken = fake_web.url("/news/2")  # no route yet: 404
    feed = fake_web.feed(
        "/rss.xml", rss([("Two", broken, "2023-12-06"), ("One", good, "2023-12-05")])
    )
    slow = fake_web.route("/slow", Route(body=page_html().encode(), delay_s=5))
    fake_openai.add_json({"events": []})

    code, got, stderr = summarise(
        feed, slow, fake_web.url("/nowhere"), "--new-only", "--fetch-timeout", "0.3"
    )
    assert code == 3
    by_source = {r.article.source: r for r in got}
    assert by_source[good].status == "ok"
    for source, message in (
        (broken, f"HTTP 404 Not Found (an item of {feed})"),
        (slow, "timed out after 0.3 s"),
        (fake_web.url("/nowhere"), "HTTP 404 Not Found"),
    ):
        record = by_source[source]
        assert record.status == "error" and record.error is not None
        assert (record.error.kind, record.error.message) == ("fetch", message)
        assert f"failed {source}: {message}" in stderr

    fake_web.page("/news/2", page_html("Two"))  # the item is up now
    fake_openai.add_json({"events": []})
    code, again, _ = summarise(feed, "--new-only")
    assert code == 0
    assert [r.article.source for r in again] == [broken]


def test_spans_index_the_extracted_text_which_is_kept_with_the_url_title_and_encoding(
    fake_web: FakeWeb, fake_openai: FakeOpenAI, isolated_home: Path
):
    from communique.store.articles import ArticleStore
    from fake_openai import draft

    url = fake_web.page("/news/1", page_html(published="2023-12-05"))
    fake_openai.add_json(draft())
    code, [record], _ = summarise(url)
    assert code == 0 and record.status == "ok"
    assert record.article.id is not None
    stored = ArticleStore(isolated_home / "articles.db").get(record.article.id)
    assert stored is not None
    assert stored.source == url
    assert stored.meta == {"url": url, "title": "Bayramov receives Şentop", "encoding": "utf-8"}
    assert stored.text == f"Bayramov receives Şentop\n\n{LEAD}\n\n{SECOND}"
    spans = [s for e in record.events for p in e.participants for s in p.evidence]
    assert {s.text for s in spans} >= {"Jeyhun Bayramov", "Mustafa Şentop", "Zakir Hasanov"}
    for span in spans:
        assert stored.text[span.start : span.end] == span.text
