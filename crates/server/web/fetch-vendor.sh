#!/bin/sh
# Fetches the pinned Cytoscape.js (MIT licence) from the npm registry into web/vendor/, where
# build.rs embeds it into the binary. The bundle is a third-party build and is not committed;
# without it the server still builds and the role page lists the graph instead of drawing it.
# Usage: crates/server/web/fetch-vendor.sh   (needs npm; run before `cargo build`)
set -eu
VERSION=3.33.1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "cytoscape@$VERSION" >/dev/null)
tar -xzf "$tmp/cytoscape-$VERSION.tgz" -C "$tmp"
licence=$(node -e 'process.stdout.write(require(process.argv[1]).license)' "$tmp/package/package.json")
if [ "$licence" != "MIT" ]; then
    echo "error: cytoscape@$VERSION is licensed \`$licence\`, expected MIT" >&2
    exit 2
fi
mkdir -p "$here/vendor"
cp "$tmp/package/dist/cytoscape.min.js" "$here/vendor/cytoscape.min.js"
cp "$tmp/package/LICENSE" "$here/vendor/cytoscape.LICENSE"
echo "fetched cytoscape@$VERSION (MIT) into $here/vendor/"
