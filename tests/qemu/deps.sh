#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages "make check" and "make demo" need, only the
# missing ones (a fresh Debian 12 machine, as root).
#
#   deps.sh         what make check needs
#   deps.sh arm64   and what make check-arm64 adds: the cross compiler,
#                   qemu-system-aarch64, and dpkg's arm64 architecture,
#                   from which sysroot.sh downloads the guest's programs
#                   (apt-get download: nothing of arm64 is installed)
set -eu

pkgs="make gcc libc6-dev bc bison flex libelf-dev libssl-dev xz-utils cpio kmod
perl python3 patch linux-source-6.12 qemu-system-x86 device-tree-compiler
busybox-static sparse yamllint python3-jsonschema socat fio stress-ng diod git tar coreutils acl
e2fsprogs dt-schema iproute2 iperf3 ethtool"
update=
if [ "${1:-}" = arm64 ]; then
	pkgs="$pkgs qemu-system-arm gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
libc6-dev-arm64-cross"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		[ "$(id -u)" = 0 ] || { echo "hvl: dpkg has no arm64 architecture (run as root to add it)" >&2; exit 1; }
		echo "hvl: dpkg --add-architecture arm64" >&2
		dpkg --add-architecture arm64
		update=1
	fi
fi

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && [ -z "$update" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "hvl: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
apt-get update -qq
[ -z "$missing" ] && exit 0
echo "hvl: installing:$missing" >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
