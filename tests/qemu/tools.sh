#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the programs the guest runs, statically, into <out-dir>:
#   tools.sh <kdir> <kernel-src> <repo> <out-dir>
# The kernel's own vsock_test and vsock_perf (tools/testing/vsock, against
# the test kernel's UAPI headers) and our tools/*.c.  HVL_ARCH=arm64
# (arch.sh): with the cross compiler, static against Debian's arm64 libc
# (libc6-dev-arm64-cross).
set -eu

kdir=$1 src=$2 repo=$3 out=$4
. "$repo/tests/qemu/arch.sh"
mkdir -p "$out"
cflags="-O2 -Wall -static -D_GNU_SOURCE"

# The UAPI headers of the test kernel, installed once per kernel build.
[ -f "$kdir/usr/include/linux/vm_sockets.h" ] || make -s -C "$kdir" headers >/dev/null

v=$src/tools/testing/vsock
vflags="$cflags -I$v -I$src/tools/include -I$kdir/usr/include -Wno-pointer-sign -fno-strict-overflow -fno-strict-aliasing -fno-common -U_FORTIFY_SOURCE"
# The programs are independent: compile them all at once and wait for
# each (a dozen small static builds, seconds each).
pids=
$hvl_cc $vflags -o "$out/vsock_test" "$v/vsock_test.c" "$v/vsock_test_zerocopy.c" \
	"$v/timeout.c" "$v/control.c" "$v/util.c" "$v/msg_zerocopy_common.c" &
pids="$pids $!"
$hvl_cc $vflags -o "$out/vsock_perf" "$v/vsock_perf.c" "$v/msg_zerocopy_common.c" &
pids="$pids $!"
for c in "$repo"/tools/*.c; do
	$hvl_cc $cflags -Wextra -Werror -o "$out/$(basename "$c" .c)" "$c" &
	pids="$pids $!"
done
rc=0
for p in $pids; do
	wait "$p" || rc=1
done
exit $rc
