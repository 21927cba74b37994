#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build (or find) the test kernel: Debian's linux-source-6.12 with the
# board patches in patches/ (x86 device-tree fixes, see each patch),
# allnoconfig plus our fragments, out of tree in a cache keyed by the
# source version, the patches, the fragments, the build recipe and the compiler,
# so it is rebuilt only when one of them changes.
#
# Two kernels from the same fragments: HVL_KERNEL=debug (the default,
# make check and make soak) adds config/debug.config (KASAN, UBSAN,
# lockdep, kmemleak, object debugging); HVL_KERNEL=release (the
# benchmarks' default) adds config/release.config instead, a production
# configuration whose figures measure the code, not the instrumentation.
# Each has its own cache directory; both can be built at once.
#
# HVL_ARCH=arm64 (arch.sh) cross-builds the same flavours for QEMU's
# virt board with config/arch/arm64.config instead of x86_64.config,
# in cache directories of their own (kernel-arm64-*), keyed by the
# cross compiler's version.
#
#   kernel.sh          build if needed, print the build directory
#   kernel.sh --path   print the build directory if it is built, else fail
#   kernel.sh --src    print the source directory (extracting it if needed)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/arch.sh"
cache=${HVL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hvl}
# Absolute and without symlinks: make's O= is relative to the source
# tree, and a build's "source" link (prune()) holds the resolved path.
# Kbuild refuses a path with a space or a colon: say so first.  (--path
# creates nothing: make evaluates it for every build of the modules.)
refuse_spaced() {
	case $1 in
	*[\ :]*) echo "hvl: the kernel cache '$1' has a space or a colon, which Kbuild refuses: set HVL_CACHE" >&2; exit 1 ;;
	esac
}
refuse_spaced "$cache"
[ "${1:-}" != --path ] || [ -d "$cache" ] || exit 1
mkdir -p "$cache"
cache=$(CDPATH= cd "$cache" && pwd -P)
refuse_spaced "$cache"
flavour=${HVL_KERNEL:-debug}
case $flavour in
debug | release) ;;
*) echo "hvl: HVL_KERNEL=$flavour: must be debug or release" >&2; exit 1 ;;
esac
frags="$here/config/kernel.config $here/config/arch/$hvl_arch.config $here/config/$flavour.config"
patches=$(ls "$here"/patches/*.patch 2>/dev/null | sort)
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo none)
phash=$(cat $patches /dev/null | sha256sum | cut -c1-8)
src=$cache/src-$ver-$phash/linux-source-6.12
# The key covers what the build depends on, not this script's comments:
# bump recipe when the build steps below change.
recipe=2
key=$( (cat $frags $patches; echo "$ver recipe $recipe"; $hvl_cc --version | head -1) | sha256sum | cut -c1-16)
# x86_64: kernel-<key>, kernel-release-<key>; arm64: kernel-arm64-<key>, ...
name=kernel
[ "$hvl_arch" = x86_64 ] || name=$name-$hvl_arch
[ "$flavour" = debug ] || name=$name-$flavour
obj=$cache/$name-$key

# A build's .hvl-built is touched at each use: its age says which
# builds are stale, for prune().
if [ "${1:-}" = --path ]; then
	[ -f "$obj/.hvl-built" ] && touch "$obj/.hvl-built" && echo "$obj" && exit 0
	exit 1
fi

# After a build: keep the two builds of this name (arch and flavour)
# used last, any used in the last 12 hours (a run of another checkout
# may still be on it: .hvl-built is touched when a run starts, and a
# whole make soak takes some 3 hours), and the source trees that a build
# still uses (its "source" link) or that were extracted within the hour
# (another checkout's patches, about to be built).  Each change of the
# fragments, the patches or Debian's source version otherwise leaves a
# stale build (0.6 GB) and, with the last two, a source tree (1.7 GB)
# for good.
hex='[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
prune() {
	local n=0 b d s l used
	# (The cache path has no space: refused above.)
	for b in $(ls -t "$cache/$name"-$hex$hex/.hvl-built 2>/dev/null); do
		n=$((n + 1))
		d=${b%/.hvl-built}
		[ $n -gt 2 ] && [ "$d" != "$obj" ] &&
			[ -n "$(find "$b" -mmin +720)" ] || continue
		echo "hvl: removing a test kernel not used lately: $d" >&2
		rm -rf "$d"
	done
	for s in "$cache"/src-*; do
		[ -d "$s" ] && [ -n "$(find "$s" -maxdepth 0 -mmin +60)" ] || continue
		used=0
		for l in "$cache"/kernel-*/source; do
			case $(readlink "$l" 2>/dev/null) in "$s"/*) used=1 ;; esac
		done
		[ $used = 1 ] && continue
		echo "hvl: removing a kernel source no build uses: $s" >&2
		rm -rf "$s"
	done
}

if [ ! -f "$src/.hvl-extracted" ]; then
	[ "$ver" != none ] || { echo "hvl: linux-source-6.12 is not installed" >&2; exit 1; }
	echo "hvl: extracting linux-source-6.12 $ver" >&2
	rm -rf "$cache/src-$ver-$phash"
	mkdir -p "$cache/src-$ver-$phash"
	tar -C "$cache/src-$ver-$phash" -xf /usr/src/linux-source-6.12.tar.xz
	for p in $patches; do
		patch -s -p1 -d "$src" <"$p" >&2
	done
	touch "$src/.hvl-extracted"
fi
if [ "${1:-}" = --src ]; then
	echo "$src"
	exit 0
fi

if [ ! -f "$obj/.hvl-built" ]; then
	echo "hvl: building the $hvl_arch $flavour test kernel in $obj (a cold build takes ~10 min)" >&2
	mkdir -p "$obj"
	make -s -C "$src" O="$obj" ARCH=$hvl_karch allnoconfig >&2
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" $frags >/dev/null
	make -s -C "$src" O="$obj" ARCH=$hvl_karch olddefconfig >&2
	# A symbol the fragments ask for but Kconfig dropped is a broken
	# kernel.  A later fragment overrides an earlier one (release.config
	# renames LOCALVERSION), as in merge_config.sh.
	bad=0
	cat $frags | grep -E '^CONFIG_[A-Z0-9_]+=' | awk -F= '{v[$1] = substr($0, length($1) + 2); if (!($1 in o)) o[$1] = n++} END {for (k in o) print k "=" v[k]}' |
	while IFS== read -r k v; do
		got=$(grep -E "^$k=" "$obj/.config" | cut -d= -f2-)
		[ "$v" = n ] && [ -z "$got" ] && continue
		[ "$got" = "$v" ] || { echo "hvl: $k=$v requested, got '${got:-unset}'" >&2; echo x; }
	done | grep -q x && bad=1
	[ $bad = 0 ] || exit 1
	make -s -C "$src" O="$obj" ARCH=$hvl_karch -j$(($(nproc) + 1)) "$(basename "$hvl_image")" modules >&2
	touch "$obj/.hvl-built"
	prune
fi
touch "$obj/.hvl-built"
echo "$obj"
