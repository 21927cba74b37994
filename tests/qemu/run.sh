#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot the test guest once:
#   run.sh <kdir> <initramfs> <dtb> <console-log> <timeout-s> [cmdline...]
#   run.sh --dumpdtb <out.dtb>   the board's own tree, as it boots (arm64)
# TCG by default (nested KVM hangs here); HVL_KVM=1 tries KVM.  QEMU runs
# under a hard timeout and is killed with it; -no-reboot turns the guest's
# "reboot -f" into an exit.  HVL_QEMU_ARGS adds devices (make bench-9p).
# x86_64: a pc with QEMU's "max" CPU, every feature TCG implements: the
# same tests ran some 10% faster than on "qemu64" (make check, side by
# side in Documentation/hvl/testing.rst); but without ERMS and FSRM,
# which have the kernel copy to and from user space with "rep movsb",
# one byte a step under TCG: 256 MiB through a pipe took 1.97 s with
# them and 0.79 s without, a shell loop 0.35 to 0.38 s either way, and
# the tests that move data took a fifth longer (testing.rst).
# HVL_QEMU_CPU names another x86 CPU model (the benchmarks take qemu64:
# tests/qemu/bench.sh).
# HVL_ARCH=arm64 (arch.sh) boots QEMU's virt board instead of a pc: a
# Cortex-A57 (ARMv8.0: none of the later extensions that TCG emulates
# slowly, such as pointer authentication), its GICv2 and PL011, the same
# 4 CPUs and 1 GiB.
set -eu

. "$(dirname "$0")/arch.sh"
case $hvl_arch in
x86_64) board=pc cpu=${HVL_QEMU_CPU:-max,-erms,-fsrm} console=ttyS0 ;;
arm64) board=virt cpu=cortex-a57 console="ttyAMA0 earlycon" ;;
esac
machine="-cpu $cpu -smp 4 -m 1G"

if [ "$1" = --dumpdtb ]; then
	exec $hvl_qemu -M "$board,dumpdtb=$2" $machine -nodefaults -nographic \
		>/dev/null 2>&1
fi

kdir=$1 initrd=$2 dtb=$3 log=$4 limit=$5
shift 5

accel="-accel tcg,thread=multi"
[ "${HVL_KVM:-0}" = 1 ] && [ -w /dev/kvm ] && accel="-accel kvm"

rc=0
timeout --foreground -k 5 "$limit" $hvl_qemu $accel \
	-M $board $machine -nographic -no-reboot \
	-nodefaults -serial stdio -net none ${HVL_QEMU_ARGS:-} \
	-kernel "$kdir/$hvl_image" -initrd "$initrd" -dtb "$dtb" \
	-append "console=$console loglevel=5 panic=-1 oops=panic panic_on_warn=1 softlockup_panic=1 kasan.fault=panic $*" \
	</dev/null >"$log" 2>&1 || rc=$?
if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "hvl: guest timed out after ${limit}s" >>"$log"
fi
exit $rc
