"""Property: no input breaks a page. For each persona the test crawls the pages reachable from the front page, reads
every form (method, action, fields, select options) and the query parameters of every link, and sends
Hypothesis-generated values into them: control characters, huge and negative numbers, impossible dates, unicode and
empty strings. No answer may be a 500 or carry a traceback.

Runs inside the test's rolled-back transaction (tasks and mail wait for a commit that never comes); log-out, the
language switch and the forms that send notices or start heavy work are left out, so later tests see the same world.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

COLLECT: list[str] | None = None  # set to a list to gather every failure instead of stopping at the first
FUZZ_PERSONAS = ["anonymous", "kari", "per", "sigrid", "anders", "tove"]
MAX_PAGES = 60  # pages crawled per persona
PAGES_PER_VIEW = 2
EXAMPLES = 100  # requests generated per persona (about 30 s for all six on SQLite)
SEEDS = ["/", "/helsefellesskap/", "/moter/offentlig/", "/styringsinformasjon/offentlig/", "/konto/logg-inn/"]
# Paths never fetched or posted: leaving the session, switching language, downloads (slow, not HTML), and the
# forms that send notices or start imports and runs.
SKIP_ALWAYS = ("/logg-ut/", "/sprak/", "/static/", "/innkalling/", "/referat/lag/", "/webhook/")
SKIP_GET = (".pdf", ".docx", ".ics", ".xlsx", ".csv", "/eksport/", "/fhir/", "/last-ned/", "/dokument/", "/vedlegg/")
SKIP_POST = ("/import/", "/importer/", "/kjoringer/ny/", "/konto/passord/")


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name → options ([] for free input)
    files: set[str] = field(default_factory=set)


class PageParser(HTMLParser):
    """Links and forms of one page (Django's templates give well-formed enough HTML for the standard parser)."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url, self.links, self.forms = url, [], []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form":
            action = urljoin(self.url, a.get("action") or self.url)
            self._form = Form(method=(a.get("method") or "get").lower(), action=action)
            self.forms.append(self._form)
        elif self._form is not None and tag in {"input", "textarea", "select", "button"} and a.get("name"):
            name, kind = a["name"], (a.get("type") or "").lower()
            if kind == "file":
                self._form.files.add(name)
            elif kind in {"checkbox", "radio", "hidden", "submit"} or tag == "button":
                self._form.fields.setdefault(name, []).append(a.get("value") or "on")
            else:
                self._form.fields.setdefault(name, [])
            if tag == "select":
                self._select = name
        elif tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _local(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in {"", "testserver"} or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def crawl(client: Client) -> tuple[list[str], list[Form]]:
    """Pages reachable from the seeds (breadth first, MAX_PAGES at most); returns the links with a query string
    and every form seen."""
    queue, seen, with_query, forms, form_keys = list(SEEDS), set(), set(), [], set()
    per_view: dict[str, int] = {}
    link_shapes: set[tuple] = set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or any(s in path for s in SKIP_ALWAYS + SKIP_GET):
            continue
        try:
            view = resolve(path).view_name
        except Resolver404:
            continue
        if per_view.get(view, 0) >= PAGES_PER_VIEW:  # one community page or two tell as much as nineteen
            continue
        per_view[view] = per_view.get(view, 0) + 1
        seen.add(url)
        response = client.get(url)
        assert response.status_code != 500, f"GET {url} answered 500"
        if not response.get("Content-Type", "").startswith("text/html") or response.status_code != 200:
            continue
        parser = PageParser(f"http://testserver{url}")
        parser.feed(_body(response).decode("utf-8", errors="replace"))
        for link in parser.links:
            local = _local(link)
            if local is None:
                continue
            if "?" in local:
                path_part, query = local.split("?", 1)
                shape = (path_part, tuple(sorted(k for k, _v in parse_qsl(query, keep_blank_values=True))))
                if shape not in link_shapes:
                    link_shapes.add(shape)
                    with_query.add(local)
            queue.append(local.split("?", 1)[0] if local.count("/") > 8 else local)
        for form in parser.forms:
            form.action = _local(form.action) or url
            key = (form.method, urlsplit(form.action).path, tuple(sorted(form.fields)))
            if key not in form_keys and not any(s in form.action for s in SKIP_ALWAYS):
                form_keys.add(key)
                forms.append(form)
    return sorted(with_query), forms


NASTY = [
    "",
    " ",
    "0",
    "-1",
    "-9223372036854775809",
    "9223372036854775808",
    "9" * 60,
    "1e308",
    "NaN",
    "inf",
    "1,5",
    "9999-12-31",
    "0000-01-01",
    "2026-02-30",
    "31.12.9999",
    "2026-13-01T25:61",
    "٣",
    "１２",
    "null",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "\x00",
    "a\x07b",
    "\u202e\u200b",
    "ø" * 300,
    "😀",
]
values = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=40),  # any code point, control characters included
    st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=40),
)


def _value(data, options: list[str]) -> str:
    if options:
        return data.draw(st.one_of(st.sampled_from(options), values))
    return data.draw(values)


def _client(demo, persona: str) -> Client:
    client = Client(raise_request_exception=False)
    if persona != "anonymous":
        client.force_login(getattr(demo, persona))
    return client


_CRAWLED: dict[tuple[int, str], tuple[Client, list[str], list[Form]]] = {}


@pytest.mark.parametrize("persona", FUZZ_PERSONAS)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_no_generated_input_breaks_a_page(demo, persona, data):
    key = (id(demo), persona)  # one crawl per test (the world is the same in each; the client's session is not)
    state = _CRAWLED.get(key)
    if state is None:
        _CRAWLED.clear()
        client = _client(demo, persona)
        state = _CRAWLED[key] = (client, *crawl(client))
    client, links, forms = state
    targets = [("link", link) for link in links] + [("form", form) for form in forms]
    assert targets or persona == "anonymous"
    if not targets:
        return
    kind, target = data.draw(st.sampled_from(targets))
    if kind == "link":
        path, query = target.split("?", 1)
        params = [(key, _value(data, [value])) for key, value in parse_qsl(query, keep_blank_values=True)]
        method, url, payload = "get", f"{path}?{urlencode(params)}", None
    else:
        payload = {name: _value(data, options) for name, options in target.fields.items()}
        method = "post" if target.method == "post" and not any(s in target.action for s in SKIP_POST) else "get"
        url = target.action if method == "post" else target.action.split("?", 1)[0]
    response = client.post(url, payload) if method == "post" else client.get(url, payload)
    body = _body(response)
    where = f"{persona}: {method.upper()} {url} {payload!r}"
    if COLLECT is not None and (response.status_code == 500 or b"Traceback" in body):
        COLLECT.append(where)
        return
    assert response.status_code != 500, f"500 for {where}"
    assert b"Traceback" not in body, f"traceback in the answer to {where}"
