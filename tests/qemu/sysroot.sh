#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The arm64 guest's programs, from Debian's arm64 packages without
# installing any: apt-get download of the packages below and of every
# library package (lib*) they depend on, recursively, each unpacked with
# dpkg-deb -x into one tree that initramfs.sh copies the programs and
# their libraries from (HVL_ARCH=arm64).  Cached; remade when the list
# changes.  Needs dpkg's arm64 architecture ("deps.sh arm64").
#
#   sysroot.sh      make the tree if needed, print its directory
set -eu

cache=${HVL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hvl}
# busybox, and the packages of the programs initramfs.sh copies.
pkgs="busybox-static socat fio stress-ng diod util-linux tar coreutils git acl
e2fsprogs kmod iproute2 iperf3 ethtool"
root=$cache/sysroot-arm64-$(echo $pkgs | sha256sum | cut -c1-16)
if [ ! -f "$root/.hvl-done" ]; then
	echo "hvl: downloading the arm64 guest's packages into $root" >&2
	rm -rf "$root" "$root.debs"
	mkdir -p "$root" "$root.debs"
	deps=$(apt-cache depends --recurse --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances \
		$(for p in $pkgs; do echo "$p:arm64"; done) |
		sed -n 's/^\(lib[^ <]*\|zlib[^ <]*\):arm64$/\1/p' | sort -u)
	# As root apt-get warns that its _apt user cannot write here: harmless.
	(cd "$root.debs" && apt-get download -q \
		$(for p in $pkgs $deps; do echo "$p:arm64"; done) >download.log 2>&1) || {
		cat "$root.debs/download.log" >&2
		exit 1
	}
	for d in "$root.debs"/*.deb; do
		dpkg-deb -x "$d" "$root"
	done
	rm -rf "$root.debs"
	touch "$root/.hvl-done"
fi
echo "$root"
