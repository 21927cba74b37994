#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot the test guest once:
#   run.sh <kdir> <initramfs> <dtb> <console-log> <timeout-s> [cmdline...]
# TCG by default (nested KVM hangs here); HVL_KVM=1 tries KVM.  QEMU runs
# under a hard timeout and is killed with it; -no-reboot turns the guest's
# "reboot -f" into an exit.  HVL_QEMU_ARGS adds devices (make bench-9p).
set -eu

kdir=$1 initrd=$2 dtb=$3 log=$4 limit=$5
shift 5

accel="-accel tcg,thread=multi"
[ "${HVL_KVM:-0}" = 1 ] && [ -w /dev/kvm ] && accel="-accel kvm"

rc=0
timeout --foreground -k 5 "$limit" qemu-system-x86_64 $accel \
	-M pc -cpu qemu64 -smp 4 -m 1G -nographic -no-reboot \
	-nodefaults -serial stdio -net none ${HVL_QEMU_ARGS:-} \
	-kernel "$kdir/arch/x86/boot/bzImage" -initrd "$initrd" -dtb "$dtb" \
	-append "console=ttyS0 loglevel=5 panic=-1 oops=panic panic_on_warn=1 softlockup_panic=1 kasan.fault=panic $*" \
	</dev/null >"$log" 2>&1 || rc=$?
if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "hvl: guest timed out after ${limit}s" >>"$log"
fi
exit $rc
