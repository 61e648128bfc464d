#!/usr/bin/env bash
# Make sure the system tools the tests need are there: Debian's chromium at /usr/bin/chromium for the browser tests
# (Playwright's own browser download is not used), a Java 17+ runtime for the PySpark engine test, and Node with
# the OpenID Connect provider the log-in tests run on loopback (tests/tools/oidc-provider, pinned by its
# package-lock.json). Installs them when running as root (the npm packages as any user); otherwise explains what to
# install and fails. Idempotent and silent when everything is already in place. Called by `make test`.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
PACKAGES=(chromium fonts-dejavu-core default-jre-headless nodejs npm)
OIDC_TOOL="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/tools/oidc-provider"

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
# Fonts to render the pages with (chromium normally pulls in fonts-dejavu-core itself).
if ! ls /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf >/dev/null 2>&1; then
    missing+=(fonts-dejavu-core)
fi
# PySpark 4 runs on Java 17 or newer.
java_major() { java -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p'; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
    missing+=(default-jre-headless)
fi

command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

install_oidc_provider() {
    if [ ! -d "$OIDC_TOOL/node_modules/oidc-provider" ]; then
        echo "ensure_test_tools: installing the test OpenID Connect provider with npm ci ..." >&2
        npm ci --prefix "$OIDC_TOOL" --no-audit --no-fund --silent >/dev/null
    fi
}

if [ "${#missing[@]}" -eq 0 ]; then
    install_oidc_provider
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_test_tools: installing ${missing[*]} with apt-get ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [ ! -x "$CHROMIUM" ] || ! command -v java >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        echo "ensure_test_tools: apt-get finished but chromium, java or npm is still missing." >&2
        exit 1
    fi
    install_oidc_provider
    exit 0
fi

cat >&2 <<EOF
ensure_test_tools: the tests need Debian's chromium at $CHROMIUM (and fonts), Java 17+ and Node with npm, but these
are missing:
    ${missing[*]}
Install them as root, for example:
    sudo apt-get update && sudo apt-get install -y ${PACKAGES[*]}
(Playwright's own browser download is not used.)
EOF
exit 1
