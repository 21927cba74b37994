#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages "make check" and "make demo" need, only the
# missing ones (a fresh Debian 12 machine, as root).
set -eu

pkgs="make gcc libc6-dev bc bison flex libelf-dev libssl-dev xz-utils cpio kmod
perl python3 patch linux-source-6.12 qemu-system-x86 device-tree-compiler
busybox-static sparse yamllint python3-jsonschema socat fio stress-ng diod git tar coreutils acl
e2fsprogs dt-schema iproute2 iperf3 ethtool"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "hvl: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "hvl: installing:$missing" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
