"""Shared pieces of the permission-matrix tests: the project's URL names, and one walk over a persona's requests."""

from collections.abc import Callable, Iterable

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

LOGIN_REDIRECT = "/konto/logg-inn/?next="


def url_names(namespace: str | None = None) -> set[str]:
    """Every named URL pattern as "namespace:name" (or "name" at the root); with `namespace`, that namespace's
    names without the prefix."""

    def walk(patterns: Iterable, prefix: str) -> set[str]:
        names = set()
        for entry in patterns:
            if isinstance(entry, URLResolver):
                names |= walk(entry.url_patterns, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(prefix + entry.name)
        return names

    every = walk(get_resolver().url_patterns, "")
    if namespace is None:
        return every
    return {name.split(":", 1)[1] for name in every if name.startswith(f"{namespace}:")}


def walk(
    client: Client,
    requests: dict[str, str | tuple[str, str]],
    expected: Callable[[str], int],
    check: Callable[[str, object, int], list[str]] | None = None,
) -> list[str]:
    """Send each request (a URL for GET, or (method, URL)) and list what differs from `expected(view)`.

    A 302 must lead to the log-in page. `check(view, response, status)` may add problems for a response whose status
    was as expected (leaked data, a missing download …)."""
    failures = []
    for view, target in requests.items():
        method, url = target if isinstance(target, tuple) else ("get", target)
        response = getattr(client, method)(url)
        want = expected(view)
        if response.status_code != want:
            failures.append(f"{view} {method.upper()} {url}: expected {want}, got {response.status_code}")
        elif want == 302 and not response["Location"].startswith(LOGIN_REDIRECT):
            failures.append(f"{view}: redirected to {response['Location']}, not to the log-in page")
        elif check is not None:
            failures.extend(check(view, response, want))
    return failures
