#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# "make bench-<name>": boot the test board and run tools/bench-<name>.sh
# in the guest; its output is the result.  Same overlay and programs as
# "make check", so figures compare like with like within one run, but
# on the release kernel (tests/qemu/config/release.config: no KASAN,
# lockdep, kmemleak): the figures measure the code, not the debugging.
# HVL_KERNEL=debug runs them on make check's kernel instead;
# HVL_CMDLINE adds guest kernel parameters, as for make check (idle=poll,
# hvl_mbox_loopback.direct=0, ...).
set -eu
HVL_KERNEL=${HVL_KERNEL:-release}
export HVL_KERNEL
# The x86 guest's CPU: qemu64, on which the published tables were
# measured, not make check's max,-erms,-fsrm (run.sh).  A model moves
# the paths' figures by different factors (veth's stream Linux -> peer:
# 676 MiB/s on qemu64, 949 on max,-erms,-fsrm, 214 on max, one boot
# each in one hour), so a table compares only with one measured on the
# same.  HVL_QEMU_CPU=<model> measures on another.
HVL_QEMU_CPU=${HVL_QEMU_CPU:-qemu64}
export HVL_QEMU_CPU

name=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
q=$repo/tests/qemu
out=${HVL_OUT:-$repo/.out}/bench-$name
mkdir -p "$out"
[ -f "$repo/tools/bench-$name.sh" ] || { echo "no tools/bench-$name.sh" >&2; exit 2; }

"$q/deps.sh"
# BENCH_PERF=1: Debian's perf in the guest, for a profile of the runs
# the benchmark script chooses (software clock: TCG has no PMU);
# BENCH_TAIL=1: the same perf, for the scheduler's events of the round
# trips (tools/lib-bench.sh).
if [ -n "${BENCH_PERF:-}${BENCH_TAIL:-}" ]; then
	command -v perf >/dev/null || {
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends linux-perf >&2
	}
	HVL_GUEST_EXTRA=perf
	export HVL_GUEST_EXTRA
fi
kdir=$("$q/kernel.sh")
src=$("$q/kernel.sh" --src)
make -s -C "$kdir" M="$repo" modules
"$q/tools.sh" "$kdir" "$src" "$repo" "$out/bin" >"$out/tools.log" 2>&1 ||
	{ cat "$out/tools.log"; exit 1; }
"$q/dtb.sh" "$out/board.dtb" "$q/board.dts" "$repo/dts/hvl-loopback.dtso"
"$q/initramfs.sh" "$repo" "$repo/drivers/hvl" "$out/initramfs.cpio" \
	"$out/bin" "$kdir"
# BENCH_* variables of the caller reach the guest script's environment.
args="hvl.mode=bench hvl.bench=$name ${HVL_CMDLINE:-}"
for v in $(env | sed -n 's/^\(BENCH_[A-Z_]*\)=.*/\1/p'); do
	eval "args=\"\$args hvl.env=$v=\${$v}\""
done
# The 9P benchmark compares with QEMU's own 9P server, on a host directory.
if [ "$name" = 9p ]; then
	share=$(mktemp -d)
	trap 'rm -rf "$share"' EXIT
	chmod 777 "$share"
	HVL_QEMU_ARGS="-virtfs local,path=$share,mount_tag=host9p,security_model=none,id=host9p"
	export HVL_QEMU_ARGS
	# Should the virtio-pci device use INTx (MSI-X, in the test kernel
	# for make check-2m, can fail), under TCG the ACPI _PRT method can
	# time out (AE_AML_LOOP_TIMEOUT), leaving it without an interrupt:
	# take its INTx from the BIOS's $PIR.
	args="$args pci=noacpi"
fi
echo "hvl: booting the $HVL_KERNEL kernel ($kdir) for bench-$name (log: $out/console.log)"
# BENCH_TAIL=1: the host counts how long QEMU's threads waited for a CPU
# while the guest recorded its round trips.
: >"$out/console.log"
sampler=
if [ -n "${BENCH_TAIL:-}" ]; then
	"$q/host-sched.sh" sample "$out/console.log" "$out/initramfs.cpio" >"$out/host-sched" &
	sampler=$!
fi
"$q/run.sh" "$kdir" "$out/initramfs.cpio" "$out/board.dtb" \
	"$out/console.log" "${HVL_TIMEOUT:-2400}" $args || true
[ -z "$sampler" ] || wait $sampler
echo "hvl: bench-$name ran on the $HVL_KERNEL kernel:"
sed -n 's/^HVL-BENCH: //p' "$out/console.log" | tr -d '\r'
[ -z "$sampler" ] || "$q/host-sched.sh" report "$out/console.log" "$out/host-sched"
grep -q '^HVL-BENCH: done' "$out/console.log"
