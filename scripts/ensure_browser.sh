#!/usr/bin/env bash
# Make sure the browser for the end-to-end tests is there: Debian's chromium at /usr/bin/chromium (Playwright's own
# browser download is not used). Installs it when running as root; otherwise explains what to install and fails.
# Idempotent and silent when everything is already in place. Called by `make test`.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
PACKAGES=(chromium fonts-dejavu-core)

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
# Fonts to render the pages with (chromium normally pulls in fonts-dejavu-core itself).
if ! ls /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf >/dev/null 2>&1; then
    missing+=(fonts-dejavu-core)
fi

[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_browser: installing ${missing[*]} with apt-get ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [ ! -x "$CHROMIUM" ]; then
        echo "ensure_browser: apt-get finished but $CHROMIUM is still missing." >&2
        exit 1
    fi
    exit 0
fi

cat >&2 <<EOF
ensure_browser: the browser tests need Debian's chromium at $CHROMIUM (and fonts), but these are missing:
    ${missing[*]}
Install them as root, for example:
    sudo apt-get update && sudo apt-get install -y ${PACKAGES[*]}
(Playwright's own browser download is not used.)
EOF
exit 1
