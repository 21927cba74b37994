#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the guest initramfs, fresh every run:
#   initramfs.sh <repo> <module-dir> <out.cpio> [<bin-dir> [<kdir>]]
# busybox-static, our modules, the integration and soak tests and init, the host's
# workload programs (with their shared libraries), whatever <bin-dir>
# holds (programs built for the guest, see tools.sh) and the test
# kernel's own modules (vhost_vsock, vsock_loopback) in /lib/modules/kernel.
# With <kdir>, also a modules tree for modprobe, /lib/modules/<release>,
# and the test overlays in /lib/firmware/hvl-test.
# HVL_ARCH=arm64 (arch.sh): busybox and the workload programs come from
# Debian's arm64 packages, unpacked by sysroot.sh, instead of the host.
set -eu

repo=$1
mods=$2
out=$3
bins=${4:-}
kdir=${5:-}
. "$repo/tests/qemu/arch.sh"
# Where busybox and the workload programs come from: "" is the host.
sysroot=
[ "$hvl_arch" = x86_64 ] || sysroot=$("$repo/tests/qemu/sysroot.sh")
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# mktemp makes it 0700, which would become the guest's "/": programs that
# drop to nobody (diod) could then not even read /etc.
chmod 755 "$root"

mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" \
	 "$root/tmp" "$root/lib/modules/hvl" "$root/tests" "$root/tools" \
	 "$root/etc" "$root/soak" "$root/2m"
cp "$sysroot/bin/busybox" "$root/bin/busybox"
cp "$repo/tests/qemu/init.sh" "$root/init"
chmod 755 "$root/init"
find "$mods" -name '*.ko' -exec cp {} "$root/lib/modules/hvl/" \;
cp "$repo"/tests/integration/*.sh "$root/tests/"
cp "$repo"/tests/soak/*.sh "$root/soak/"
cp "$repo"/tests/2m/*.sh "$root/2m/"
cp "$repo/tools/hvl-stat" "$repo"/tools/bench-*.sh "$repo/tools/lib-bench.sh" "$repo/tools/lib-tail.awk" "$root/tools/"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/sh" >> "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
echo "nogroup:x:65534:" >> "$root/etc/group"

# Workloads from Debian packages, with the libraries ldd names (same
# paths as on the host, so the host's loader finds them).  For arm64,
# ldd cannot run the programs: their libraries are the DT_NEEDED
# entries, recursively, found where Debian's loader looks and in the
# objects' RUNPATHs, and the loader itself.
program() { # program <name>: its path (in the sysroot), or nothing
	if [ -z "$sysroot" ]; then
		command -v "$1" 2>/dev/null || ls /usr/sbin/"$1" 2>/dev/null
	else
		ls "$sysroot/usr/bin/$1" "$sysroot/bin/$1" "$sysroot/usr/sbin/$1" \
			"$sysroot/sbin/$1" 2>/dev/null | head -1
	fi
}
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'; }
runpath() { readelf -d "$1" | sed -n 's/.*(RU*N*PATH).*\[\(.*\)\]$/\1/p' | tr : ' '; }
libraries() { # libraries <path>: the guest paths of what it loads
	if [ -z "$sysroot" ]; then
		ldd "$1" | awk '/=> \//{print $3} /^\t\//{print $1}'
		return
	fi
	readelf -l "$1" | sed -n 's/.*program interpreter: \(.*\)\]$/\1/p'
	local prog=$1 todo seen=" " l d dirs
	todo=$(needed "$prog")
	dirs="/lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu $(runpath "$prog")"
	while [ -n "$todo" ]; do
		set -- $todo
		l=$1
		shift
		todo=$*
		case $seen in *" $l "*) continue ;; esac
		seen="$seen$l "
		for d in $dirs; do
			[ -e "$sysroot$d/$l" ] || continue
			echo "$d/$l"
			todo="$todo $(needed "$sysroot$d/$l")"
			dirs="$dirs $(runpath "$sysroot$d/$l")"
			continue 2
		done
		echo "hvl: $l (for $prog) is not in $sysroot" >&2
	done
}
mkdir -p "$root/usr/bin"
# GNU tar, coreutils' cp and git: the real workloads of 68-9p-workloads
# (busybox's applets come first in PATH; the test names these),
# coreutils' ls, which lists without a stat per name (67-9p-readdir),
# getfacl, setfacl (68-9p-acl) and chattr (66-9p-hostile).
# kmod: the modprobe and depmod users run (12-modprobe, 13-overlay).
# iproute2's ip, which moves a link to another network namespace (70-net;
# busybox's cannot); iperf3, the network load users measure with (70-net,
# make bench-net); ethtool, for hvl_net's counters (ethtool -S).
# HVL_GUEST_EXTRA names more (make bench-* BENCH_PERF=1 adds perf).
for p in socat fio stress-ng diod flock tar cp ls git getfacl setfacl chattr kmod ip iperf3 ethtool ${HVL_GUEST_EXTRA:-}; do
	path=$(program "$p")
	[ -n "$path" ] || continue
	cp "$path" "$root/usr/bin/"
	libraries "$path" | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$sysroot$lib" "$root$lib"
	done
done
# git runs its own helpers (the same binary) from its exec path.
if [ -x "$root/usr/bin/git" ]; then
	mkdir -p "$root/usr/lib/git-core"
	ln -s /usr/bin/git "$root/usr/lib/git-core/git"
fi
# In /usr/sbin, where Debian has them.  Not /sbin/modprobe: that is the
# kernel's request_module() helper, which would then start loading
# modules behind the other tests' backs.  busybox sh runs its own applet
# for a bare "modprobe" whatever PATH says: lib.sh names this one.
if [ -x "$root/usr/bin/kmod" ]; then
	mkdir -p "$root/usr/sbin"
	ln -s /usr/bin/kmod "$root/usr/sbin/modprobe"
	ln -s /usr/bin/kmod "$root/usr/sbin/depmod"
fi
[ -n "$bins" ] && [ -d "$bins" ] && cp "$bins"/* "$root/usr/bin/"
if [ -n "$kdir" ]; then
	mkdir -p "$root/lib/modules/kernel"
	find "$kdir/" -name "*.ko" -exec cp {} "$root/lib/modules/kernel/" \;
	# The tree a distribution has, installed the way a user installs:
	# the kernel's modules under kernel/, ours under updates/ (kbuild's
	# place for external modules), modules.dep and modules.alias from the
	# host's depmod.  The flat directories above stay for the tests that
	# insmod by path.
	make -s -C "$kdir" INSTALL_MOD_PATH="$root" modules_install >/dev/null
	make -s -C "$repo" KDIR="$kdir" INSTALL_MOD_PATH="$root" modules_install >/dev/null
	rm -f "$root"/lib/modules/*/build
	# The overlays 13-overlay applies at run time (request_firmware()).
	mkdir -p "$root/lib/firmware/hvl-test"
	for o in "$repo"/tests/qemu/overlays/*.dtso; do
		dtc -q -@ -Wno-reg_format -Wno-avoid_default_addr_size -I dts -O dtb \
			-o "$root/lib/firmware/hvl-test/$(basename "$o" .dtso).dtbo" "$o"
	done
fi

# Not compressed: the debug kernel took 8 s to unpack the gzip'd one
# under TCG at each boot.  QEMU loads it just under the top of the
# guest's 1 GiB, and the board's windows end at 0x34200000 (the polled
# window, tests/qemu/check.sh): past some 190 MiB the two would meet.
(cd "$root" && find . | cpio -o -H newc --quiet) >"$out"
size=$(($(stat -c %s "$out") >> 20))
if [ "$size" -gt 176 ]; then
	echo "hvl: the initramfs is $size MiB: above 176 MiB it comes near the board's windows (up to 0x34200000: tests/qemu/check.sh)" >&2
	exit 1
fi
