#!/usr/bin/env bash
# Puts Clipper 6.4.2's C++ source (clipper.cpp, clipper.hpp) into a folder, from Debian's
# source package `libpolyclipping` - the same library and version pyclipper wraps, so the
# C++ unclip gives the Python pipeline's polygons.
#
# Why source and not Debian's libpolyclipping-dev: that package is host-only (x86_64), and
# the runner and the Android app need Clipper compiled for ARM with the NDK or the cross
# compiler. The native CMake build compiles these two files into the OCR core.
#
# Usage: fetch_clipper.sh [DEST]   (default: <repo>/out/third_party/clipper)
# Needs apt-get and the Debian archive (as .ci/setup has), but not root: a private source
# list, state and cache folder are used, the system's apt setup is left alone. Safe to re-run.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dest="${1:-$here/../../../out/third_party/clipper}"
version="6.4.2"
sha256="69a2fadc3c0b6c06c3f77e92067b65e28e398a75d1260e9114c283a04e76c463"  # libpolyclipping_6.4.2.orig.tar.bz2

if [ -f "$dest/clipper.cpp" ] && [ -f "$dest/clipper.hpp" ] && grep -q "Version   :  $version" "$dest/clipper.hpp"; then
  exit 0
fi
suite="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
echo "deb-src http://deb.debian.org/debian $suite main" > "$work/sources.list"
apt_opts=(-q -o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
          -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "Debug::NoLocking=1"
          -o "APT::Sandbox::User=$(id -un)")
echo "fetch_clipper: downloading Debian source package libpolyclipping ($version)" >&2
apt-get "${apt_opts[@]}" update >/dev/null
(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only "libpolyclipping" >/dev/null)
tarball="$(ls "$work"/src/libpolyclipping_"$version".orig.tar.* 2>/dev/null | head -n 1)"
if [ -z "$tarball" ]; then
  echo "fetch_clipper: error: Debian's libpolyclipping source is not version $version" >&2
  exit 1
fi
echo "$sha256  $tarball" | sha256sum -c --quiet -
mkdir -p "$dest"
for f in clipper.cpp clipper.hpp; do
  tar -xaf "$tarball" --wildcards --no-anchored -O "*/cpp/$f" > "$dest/$f.tmp"
  mv "$dest/$f.tmp" "$dest/$f"
done
echo "fetch_clipper: Clipper $version source in $dest" >&2
