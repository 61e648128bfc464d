#!/usr/bin/env bash
# Copy pinned, browser-ready front-end assets from node_modules into the repository,
# so that running the project never needs Node. Versions are pinned in package.json /
# package-lock.json; this script only needs Node/npm when refreshing them.
#
# Usage: bash scripts/vendor_assets.sh   (normally via `make vendor`)
#
# Idempotent: every vendor directory written here is wiped and re-created.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

NM="$ROOT/node_modules"
STATIC_VENDOR="$ROOT/samhandling/static/vendor"
DS_DIR="$STATIC_VENDOR/designsystemet"
HTMX_DIR="$STATIC_VENDOR/htmx"
VEGA_DIR="$STATIC_VENDOR/vega"
AXE_DIR="$ROOT/tests/e2e/vendor/axe-core"

echo "==> npm ci"
npm ci --no-audit --no-fund

# "name@version" of an installed package.
pkg_id() {
    node -e 'const p = require(process.argv[1] + "/package.json"); process.stdout.write(p.name + "@" + p.version)' "$NM/$1"
}

# Copy the licence file(s) of package $1 into directory $2 as LICENSE[-name].
copy_license() {
    local pkg="$1" dest="$2" found=0 f base
    for f in "$NM/$pkg"/LICENSE* "$NM/$pkg"/LICENCE* "$NM/$pkg"/license* "$NM/$pkg"/COPYING*; do
        [ -f "$f" ] || continue
        base="$(basename "$f")"
        case "$base" in
            LICENSE | LICENSE.* | LICENCE | LICENCE.* | license | license.* | COPYING | COPYING.*)
                cp "$f" "$dest/LICENSE-$(echo "${pkg#@}" | tr '/' '-')"
                ;;
            *)
                # e.g. axe-core's LICENSE-3RD-PARTY.txt: keep its own name.
                cp "$f" "$dest/$base"
                ;;
        esac
        found=1
    done
    if [ "$found" -eq 0 ]; then
        echo "error: no licence file found in $pkg" >&2
        exit 1
    fi
}

# Append "package@version" of package $1 to $2/VERSION.
write_version() {
    pkg_id "$1" >> "$2/VERSION"
    echo >> "$2/VERSION"
}

# Copy $1 to $2, dropping a trailing "//# sourceMappingURL=" / "/*# sourceMappingURL=... */"
# line: the .map files are not vendored, and Django's ManifestStaticFilesStorage
# (collectstatic) fails on references to missing files.
copy_stripped() {
    sed -E '/^(\/\/|\/\*)# sourceMappingURL=/d' "$1" > "$2"
}

# Write $1/THIRD-PARTY-LICENSES.txt: name, version, licence and licence text of every
# (transitive) runtime dependency of the packages $2..., which the vendored bundles
# inline (d3 in vega, @floating-ui/@u-elements in designsystemet-web, ...). The named
# packages themselves are left out: their LICENSE-* files sit next to it.
third_party_licenses() {
    local dest="$1"
    shift
    node - "$NM" "$dest/THIRD-PARTY-LICENSES.txt" "$@" <<'JS'
const fs = require('fs'), path = require('path');
const [nm, out, ...roots] = process.argv.slice(2);
const top = new Set(roots), seen = new Map();
function locate(name, fromDir) {
  for (let d = fromDir; ; d = path.dirname(d)) {
    const c = path.join(d, 'node_modules', name);
    if (fs.existsSync(path.join(c, 'package.json'))) return c;
    if (d === path.dirname(nm) || d === path.dirname(d)) break;
  }
  throw new Error(`cannot locate ${name} from ${fromDir}`);
}
function walk(dir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const id = `${pkg.name}@${pkg.version}`;
  if (seen.has(id)) return;
  seen.set(id, { dir, pkg });
  for (const dep of Object.keys(pkg.dependencies || {})) walk(locate(dep, dir));
}
for (const r of roots) walk(path.join(nm, r));
const parts = [];
for (const [id, { dir, pkg }] of [...seen].sort(([a], [b]) => a.localeCompare(b))) {
  if (top.has(pkg.name)) continue;
  const files = fs.readdirSync(dir).filter(f => /^(licen[sc]e|copying)/i.test(f)).sort();
  const repo = typeof pkg.repository === 'string' ? pkg.repository : (pkg.repository || {}).url;
  const author = typeof pkg.author === 'string' ? pkg.author : (pkg.author || {}).name;
  const text = files.length
    ? files.map(f => fs.readFileSync(path.join(dir, f), 'utf8').trim()).join('\n\n')
    : `(The package ships no licence file. package.json: license "${pkg.license}"` +
      `${author ? `, author "${author}"` : ''}${repo ? `, repository ${repo}` : ''}.)`;
  if (!files.length && !pkg.license) throw new Error(`no licence information in ${id}`);
  parts.push(`${'='.repeat(78)}\n${id} (${pkg.license || 'see text'})\n${'='.repeat(78)}\n${text}\n`);
}
fs.writeFileSync(out, `Licences of all (transitive) runtime dependencies of ${roots.join(', ')}.\n` +
  `The minified files in this directory inline a subset of these; the list errs on the side of completeness.\n\n` + parts.join('\n'));
JS
}

require_file() {
    if [ ! -s "$1" ]; then
        echo "error: expected file missing or empty: $1" >&2
        exit 1
    fi
}

echo "==> wiping vendor directories"
rm -rf "$DS_DIR" "$HTMX_DIR" "$VEGA_DIR" "$AXE_DIR"
mkdir -p "$DS_DIR" "$HTMX_DIR" "$VEGA_DIR" "$AXE_DIR"

# --- Designsystemet -------------------------------------------------------------------
# CSS: dist/src/index.css (components) and dist/theme/designsystemet.css (default theme).
# Both only use data: URLs, no relative url() assets and no @import of web fonts.
# JS: dist/umd/index.js is a self-contained UMD bundle (dependencies inlined), global
# `Designsystemet`; the ESM builds use bare imports and would need a bundler.
echo "==> designsystemet"
copy_stripped "$NM/@digdir/designsystemet-css/dist/src/index.css" "$DS_DIR/index.css"
copy_stripped "$NM/@digdir/designsystemet-css/dist/theme/designsystemet.css" "$DS_DIR/theme.css"
copy_stripped "$NM/@digdir/designsystemet-web/dist/umd/index.js" "$DS_DIR/designsystemet-web.umd.js"
copy_license "@digdir/designsystemet-css" "$DS_DIR"
copy_license "@digdir/designsystemet-web" "$DS_DIR"
: > "$DS_DIR/VERSION"
write_version "@digdir/designsystemet-css" "$DS_DIR"
write_version "@digdir/designsystemet-web" "$DS_DIR"
third_party_licenses "$DS_DIR" "@digdir/designsystemet-css" "@digdir/designsystemet-web"
# Fail loudly if a future version starts referencing relative assets or external fonts.
if grep -oE 'url\([^)]*\)|@import[^;]*' "$DS_DIR"/*.css | grep -vE 'url\(["'"'"']?data:' ; then
    echo "error: designsystemet CSS references external/relative resources (see above); vendor them" >&2
    exit 1
fi

# --- htmx ------------------------------------------------------------------------------
echo "==> htmx"
copy_stripped "$NM/htmx.org/dist/htmx.min.js" "$HTMX_DIR/htmx.min.js"
copy_license "htmx.org" "$HTMX_DIR"
: > "$HTMX_DIR/VERSION"
write_version "htmx.org" "$HTMX_DIR"

# --- Vega ------------------------------------------------------------------------------
echo "==> vega"
copy_stripped "$NM/vega/build/vega.min.js" "$VEGA_DIR/vega.min.js"
copy_stripped "$NM/vega-lite/build/vega-lite.min.js" "$VEGA_DIR/vega-lite.min.js"
copy_stripped "$NM/vega-embed/build/vega-embed.min.js" "$VEGA_DIR/vega-embed.min.js"
# vega-interpreter >= 2 ships only an ES module with a bare `import ... from 'vega-util'`.
# Bundle it (vega-util inlined) into a classic script that, like the old UMD build,
# extends the `vega` global with `vega.expressionInterpreter` (load it AFTER vega.min.js)
# and also exposes `vegaInterpreter.expressionInterpreter`.
"$NM/.bin/esbuild" --bundle --minify --format=iife --target=es2020 --log-level=warning \
    --legal-comments=none \
    --sourcefile=vega-interpreter-entry.js \
    --outfile="$VEGA_DIR/vega-interpreter.min.js" <<'EOF'
import { expressionInterpreter } from 'vega-interpreter';
const g = globalThis;
g.vega = g.vega || {};
g.vega.expressionInterpreter = expressionInterpreter;
g.vegaInterpreter = { expressionInterpreter };
EOF
for pkg in vega vega-lite vega-embed vega-interpreter; do
    copy_license "$pkg" "$VEGA_DIR"
done
: > "$VEGA_DIR/VERSION"
for pkg in vega vega-lite vega-embed vega-interpreter; do
    write_version "$pkg" "$VEGA_DIR"
done
# Includes vega-util (inlined into vega-interpreter.min.js by esbuild) and d3-* etc.
third_party_licenses "$VEGA_DIR" vega vega-lite vega-embed vega-interpreter

# --- axe-core (end-to-end accessibility tests only, not served) ------------------------
echo "==> axe-core"
copy_stripped "$NM/axe-core/axe.min.js" "$AXE_DIR/axe.min.js"
copy_license "axe-core" "$AXE_DIR"
: > "$AXE_DIR/VERSION"
write_version "axe-core" "$AXE_DIR"

# --- sanity checks ---------------------------------------------------------------------
for f in \
    "$DS_DIR/index.css" "$DS_DIR/theme.css" "$DS_DIR/designsystemet-web.umd.js" \
    "$HTMX_DIR/htmx.min.js" \
    "$VEGA_DIR/vega.min.js" "$VEGA_DIR/vega-lite.min.js" "$VEGA_DIR/vega-embed.min.js" \
    "$VEGA_DIR/vega-interpreter.min.js" \
    "$AXE_DIR/axe.min.js"; do
    require_file "$f"
done

echo "==> done"
(cd "$ROOT" && find samhandling/static/vendor tests/e2e/vendor -type f -print0 | sort -z | xargs -0 ls -l | awk '{printf "%10d  %s\n", $5, $9}')
