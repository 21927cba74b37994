#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the guest initramfs, fresh every run:
#   initramfs.sh <repo> <module-dir> <out.cpio.gz> [<bin-dir> [<kdir>]]
# busybox-static, our modules, the integration and soak tests and init, the host's
# workload programs (with their shared libraries), whatever <bin-dir>
# holds (programs built for the guest, see tools.sh) and the test
# kernel's own modules (vhost_vsock, vsock_loopback) in /lib/modules/kernel.
set -eu

repo=$1
mods=$2
out=$3
bins=${4:-}
kdir=${5:-}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# mktemp makes it 0700, which would become the guest's "/": programs that
# drop to nobody (diod) could then not even read /etc.
chmod 755 "$root"

mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" \
	 "$root/tmp" "$root/lib/modules/hvl" "$root/tests" "$root/tools" \
	 "$root/etc" "$root/soak"
cp /bin/busybox "$root/bin/busybox"
cp "$repo/tests/qemu/init.sh" "$root/init"
chmod 755 "$root/init"
find "$mods" -name '*.ko' -exec cp {} "$root/lib/modules/hvl/" \;
cp "$repo"/tests/integration/*.sh "$root/tests/"
cp "$repo"/tests/soak/*.sh "$root/soak/"
cp "$repo/tools/hvl-stat" "$repo"/tools/bench-*.sh "$root/tools/"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/sh" >> "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
echo "nogroup:x:65534:" >> "$root/etc/group"

# Workloads from Debian packages, with the libraries ldd names (same
# paths as on the host, so the host's loader finds them).
mkdir -p "$root/usr/bin"
# GNU tar, coreutils' cp and git: the real workloads of 68-9p-workloads
# (busybox's applets come first in PATH; the test names these),
# coreutils' ls, which lists without a stat per name (67-9p-readdir),
# getfacl, setfacl (68-9p-acl) and chattr (66-9p-hostile).
for p in socat fio stress-ng diod flock tar cp ls git getfacl setfacl chattr; do
	path=$(command -v "$p" 2>/dev/null || ls /usr/sbin/"$p" 2>/dev/null) || continue
	cp "$path" "$root/usr/bin/"
	ldd "$path" | awk '/=> \//{print $3} /^\t\//{print $1}' | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done
# git runs its own helpers (the same binary) from its exec path.
if [ -x "$root/usr/bin/git" ]; then
	mkdir -p "$root/usr/lib/git-core"
	ln -s /usr/bin/git "$root/usr/lib/git-core/git"
fi
[ -n "$bins" ] && [ -d "$bins" ] && cp "$bins"/* "$root/usr/bin/"
if [ -n "$kdir" ]; then
	mkdir -p "$root/lib/modules/kernel"
	find "$kdir/" -name "*.ko" -exec cp {} "$root/lib/modules/kernel/" \;
fi

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out"
