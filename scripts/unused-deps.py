#!/usr/bin/env python3
"""Unused dependencies: every dependency a crate's Cargo.toml declares must be named in that
crate's Rust sources (`name::`, `use name`, `name!`, `#[name::...]`, `extern crate name`).

A plain check that works on the stable toolchain and installs nothing (cargo-udeps needs
nightly); it reads the manifests with Python's tomllib and the sources as text, the way
cargo-machete does. A dependency that is needed without being named (one that only enables a
feature of another) is listed in ALLOWED with its reason.

Usage: scripts/unused-deps.py [ROOT]   (exit 1 and a list when something is unused)
"""

import pathlib
import re
import sys
import tomllib

# (crate directory, dependency key) -> why it is needed without being named in the sources.
ALLOWED: dict = {}

SECTIONS = ("dependencies", "dev-dependencies", "build-dependencies")


def sources(crate: pathlib.Path, section: str):
    """The Rust files a section's dependencies may be used from: the crate's own, and the
    folders of modules it includes from elsewhere with `#[path = "..."]` (the CLI's tests share
    the collector's moto harness)."""
    if section == "build-dependencies":
        return [crate / "build.rs"] if (crate / "build.rs").exists() else []
    # A normal dependency used only by tests or benchmarks belongs in dev-dependencies, but that
    # is a lint of another kind: any source of the crate counts.
    files = {p for p in crate.rglob("*.rs") if "target" not in p.parts}
    for f in list(files):
        for m in re.finditer(r'#\[path\s*=\s*"([^"]+)"\]', f.read_text(errors="replace")):
            included = (f.parent / m.group(1)).resolve()
            if included.exists():
                files.update(included.parent.rglob("*.rs"))
    return sorted(files)


def used(ident: str, text: str) -> bool:
    pattern = rf"(?<![\w:]){re.escape(ident)}(::|!|\s*;|\s+as\s)|\bextern\s+crate\s+{re.escape(ident)}\b|\buse\s+{re.escape(ident)}\b"
    return re.search(pattern, text) is not None


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    manifests = sorted(root.glob("crates/*/Cargo.toml")) + sorted(root.glob("xtask/Cargo.toml")) + sorted(root.glob("fuzz/Cargo.toml"))
    unused = []
    checked = 0
    for manifest in manifests:
        crate = manifest.parent
        data = tomllib.loads(manifest.read_text())
        tables = [(s, data.get(s, {})) for s in SECTIONS]
        tables += [(s, t.get(s, {})) for t in data.get("target", {}).values() for s in SECTIONS]
        for section, deps in tables:
            texts = None
            for key in deps:
                checked += 1
                if (crate.name, key) in ALLOWED:
                    continue
                if texts is None:
                    texts = "\n".join(p.read_text(errors="replace") for p in sources(crate, section))
                ident = key.replace("-", "_")
                if not used(ident, texts):
                    unused.append(f"{manifest.relative_to(root)}: [{section}] `{key}` is not used in the sources")
    for line in unused:
        print(line)
    print(f"unused dependencies: {len(unused)} of {checked} checked", file=sys.stderr)
    return 1 if unused else 0


if __name__ == "__main__":
    sys.exit(main())
