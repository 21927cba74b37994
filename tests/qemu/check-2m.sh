#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# "make check-2m": two QEMU machines, one with the backends and one with
# the peer (hvl_front and the stock virtio drivers), that share one host
# file as memory and nothing else (tests/2m/run.py says how).  First
# polled (hvl,poll-interval-us on both sides), then with a real doorbell:
# QEMU's ivshmem-doorbell on each machine, hvl_mbox_ivshmem as its
# mailbox controller, tools/hvl-ivshmem-server between the two.
# Ends with "N passed, N failed, N skipped" (report.py) like make check.
#
#   HVL_2M_MODES="poll irq"   the modes to run
#   HVL_2M_BIG=<bytes>        size of the console and vsock transfers (4 MiB)
#   HVL_2M_SCENARIOS=a,b      run.py's --scenarios (default: all of them)
#   HVL_2M_CONSOLE_LOOPS=N    rounds of the console-loop scenario (50)
#   HVL_CMDLINE="..."         more kernel parameters, both machines
#   HVL_OUT=<dir>             output directory (default .out-2m, or
#                             .out-2m-arm64)
#   HVL_2M_REUSE=1            keep the modules and initramfs of the last run
#                             (called from check.sh, which built them)
#   HVL_ARCH=arm64            two arm64 machines (QEMU's virt board, the
#                             arm64 debug kernel of make check-arm64),
#                             the doorbell's MSI-X through the GICv2m
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
q=$repo/tests/qemu
. "$q/arch.sh"
export HVL_ARCH=$hvl_arch
if [ "$hvl_arch" = arm64 ]; then
	out=${HVL_OUT:-$repo/.out-2m-arm64}
else
	out=${HVL_OUT:-$repo/.out-2m}
fi
modes=${HVL_2M_MODES:-poll irq}
mkdir -p "$out"
host=$out/host-results
: >"$host"
: >"$out/logs"

result() { # result <name> <exit-status>
	if [ "$2" = 0 ]; then echo "ok - $1"; else echo "not ok - $1"; fi >>"$host"
}

t0=$(date +%s)
# Before the kernel: its cache key names the compiler, which a fresh
# machine installs here (gcc-aarch64-linux-gnu for arm64).
"$q/deps.sh" "$hvl_arch"
# The debug kernel whatever HVL_KERNEL says: its reports are the tests' point.
kdir=$(HVL_KERNEL=debug "$q/kernel.sh")
src=$(HVL_KERNEL=debug "$q/kernel.sh" --src)
if [ "${HVL_2M_REUSE:-0}" != 1 ]; then
	# Clean first: modules built against another kernel configuration
	# (the same release, so insmod takes them) read struct device at the
	# wrong offsets.
	make -s -C "$kdir" M="$repo" clean >/dev/null 2>&1 || true
	rc=0
	make -j"$(nproc)" -C "$kdir" M="$repo" modules >"$out/build.log" 2>&1 || rc=$?
	[ $rc = 0 ] || tail -30 "$out/build.log"
	result "2m: modules build" $rc
	rc=0
	"$q/tools.sh" "$kdir" "$src" "$repo" "$out/bin" >"$out/tools.log" 2>&1 || rc=$?
	[ $rc = 0 ] || cat "$out/tools.log"
	result "2m: guest programs build" $rc
	"$q/initramfs.sh" "$repo" "$repo/drivers/hvl" "$out/initramfs.cpio" "$out/bin" "$kdir"
	initrd=$out/initramfs.cpio
else
	initrd=${HVL_2M_INITRD:?}
fi
case " $modes " in
*" irq "*)
	rc=0
	cc -O2 -Wall -Wextra -Werror -o "$out/hvl-ivshmem-server" \
		"$repo/tools/hvl-ivshmem-server.c" || rc=$?
	result "2m: tools/hvl-ivshmem-server builds" $rc
	;;
esac

# Each machine's tree as dtb.sh merges make check's: on arm64 the virt
# board's own tree with these machines' memory (HVL_DTB_BOARD, the same
# in both modes: the doorbell's PCI device is not in it), base-arm64.dtso
# adding what board.dts has.  In irq mode the doorbell's node first: it
# sits where each board's PCI is (tests/2m/ivshmem-<arch>.dtso), and the
# windows name its label.
base=$q/board.dts board= board_rc=0
if [ "$hvl_arch" = arm64 ]; then
	base=$repo/tests/2m/base-arm64.dtso board=$out/virt.dtb
	python3 "$repo/tests/2m/run.py" --arch arm64 --kdir "$kdir" --initrd "$initrd" \
		--out "$out" --mode poll --dumpdtb "$board" || board_rc=$?
fi
for mode in $modes; do
	rc=$board_rc ivs=
	[ "$mode" = irq ] && ivs=$repo/tests/2m/ivshmem-$hvl_arch.dtso
	for side in backend peer; do
		[ $rc = 0 ] || break
		HVL_DTB_BOARD=$board "$q/dtb.sh" "$out/$side-$mode.dtb" "$base" $ivs \
			"$repo/tests/2m/$side-$mode.dtso" || rc=$?
	done
	result "2m $mode: device trees" $rc
	[ $rc = 0 ] || continue
	echo "hvl: two machines, $mode (logs: $out/console-$mode-*.log)"
	python3 "$repo/tests/2m/run.py" --arch "$hvl_arch" --kdir "$kdir" --initrd "$initrd" --out "$out" \
		--mode "$mode" --dtb-backend "$out/backend-$mode.dtb" \
		--dtb-peer "$out/peer-$mode.dtb" --server "$out/hvl-ivshmem-server" \
		${HVL_2M_BIG:+--big "$HVL_2M_BIG"} ${HVL_CMDLINE:+--cmdline "$HVL_CMDLINE"} \
		${HVL_2M_SCENARIOS:+--scenarios "$HVL_2M_SCENARIOS"} || true
done

echo "hvl: two machines: total $(($(date +%s) - t0)) s"
exec python3 "$q/report.py" "$src/tools/testing/kunit/kunit.py" \
	"$host" --expect-done $(cat "$out/logs")
