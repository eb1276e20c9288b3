#!/usr/bin/env bash
# Puts QEMU 7.2's TCG plugin API header (qemu-plugin.h) into a folder, from Debian's source
# package `qemu` - the version of bookworm's qemu-user, whose qemu-aarch64 loads the
# instruction-counting plugin targets/native/qemu_plugin/edgeocr_work.c
# (edgeocr/device/work_count.py compiles it against this header).
#
# Why the source package: no Debian binary package ships the header (qemu's packaging lists
# it as not installed), and the plugin must be built against the API of the qemu that loads it.
#
# Usage: fetch_qemu_plugin_api.sh [DEST]   (default: <repo>/out/third_party/qemu)
# Needs apt-get and the Debian archive (as .ci/setup has), but not root: a private source
# list, state and cache folder are used, the system's apt setup is left alone. The orig
# tarball is about 24 MB; only the header is kept. Safe to re-run.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dest="${1:-$here/../../../out/third_party/qemu}"
version="7.2"
tarball_sha256="91aca71520040edc40b8d437aa3004dae614f58e286cf653ee8996c07af2962f"  # qemu_7.2+dfsg.orig.tar.xz
header_sha256="19f277b037d05a8bcb5069f2f81a465d177208e5903048a915c56627d4c3748e"   # its include/qemu/qemu-plugin.h

if [ -f "$dest/qemu-plugin.h" ] && echo "$header_sha256  $dest/qemu-plugin.h" | sha256sum -c --quiet - 2>/dev/null; then
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
echo "fetch_qemu_plugin_api: downloading Debian source package qemu ($version)" >&2
apt-get "${apt_opts[@]}" update >/dev/null
(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only "qemu" >/dev/null)
tarball="$(ls "$work"/src/qemu_"$version"+dfsg.orig.tar.* 2>/dev/null | head -n 1)"
if [ -z "$tarball" ]; then
  echo "fetch_qemu_plugin_api: error: Debian's qemu source is not version $version" >&2
  exit 1
fi
echo "$tarball_sha256  $tarball" | sha256sum -c --quiet -
mkdir -p "$dest"
tar -xaf "$tarball" --wildcards --no-anchored -O "*/include/qemu/qemu-plugin.h" > "$dest/qemu-plugin.h.tmp"
mv "$dest/qemu-plugin.h.tmp" "$dest/qemu-plugin.h"
echo "fetch_qemu_plugin_api: QEMU $version plugin API header in $dest" >&2
