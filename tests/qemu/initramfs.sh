#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the guest initramfs, fresh every run:
#   initramfs.sh <repo> <module-dir> <out.cpio.gz>
# busybox-static, our modules, the integration tests and init.
set -eu

repo=$1
mods=$2
out=$3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" \
	 "$root/tmp" "$root/lib/modules/hvl" "$root/tests" "$root/tools" \
	 "$root/etc"
cp /bin/busybox "$root/bin/busybox"
cp "$repo/tests/qemu/init.sh" "$root/init"
chmod 755 "$root/init"
find "$mods" -name '*.ko' -exec cp {} "$root/lib/modules/hvl/" \;
cp "$repo"/tests/integration/*.sh "$root/tests/"
cp "$repo/tools/hvl-stat" "$root/tools/"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out"
