#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# "make soak": the long runs, on the debug kernel, in one boot:
# tests/soak/*.sh (the full-size 9P storm, peer restarts and backend
# reloads under traffic on every device, stress-ng, vsock churn, the
# hostile-peer fuzzer), then
# kmemleak and the kernel-report scan of make check.  Ends with the same
# "N passed, N failed, N skipped" line.  Each size is a variable of the
# caller, passed to the guest's environment:
#
#   SOAK_STORM=10000     files of the 9P storm (cache=none: N/20)
#   SOAK_RESTARTS=1000   front-end (peer) restarts under traffic
#   SOAK_RELOADS=1000    backend unbinds + module reloads under traffic
#   SOAK_STRESS=120      seconds of stress-ng per 9P cache mode
#   SOAK_CHURN=5000      vsock connect/close cycles each way
#   SOAK_FUZZ=1000000    hostile-peer fuzzer inputs per case
#   SOAK_9P_FUZZ=200000  hostile 9P messages (tools/hvl-9pfuzz.c)
#   SOAK_NET_MIB=64      MiB of each of 70-net's two TCP streams
#   SOAK_VSOCK_MB=8      MiB of each of 51-vsock-integrity's connections
#   SOAK_FUZZ_SEED=<n>   the fuzzers' seed (default: the time, printed)
#   SOAK_SLAB_KB=<kB>    allowed slab growth over a restart or reload run
#                        (default 6144 + 8 a round; slab figures leave
#                        out the debug kernel's own caches)
#   SOAK_SLAB_HALF_KB=<kB> allowed unreclaimable slab growth over the
#                        second half of such a run (default 1024)
#   SOAK_CACHE_HALF=<n>  objects one slab cache may grow by in each half
#                        of such a run (default 2/5 of the rounds:
#                        4/5 of an object a round of the half; 300 at
#                        least)
#   SOAK_TIMING=1        a line a round of the restarts and reloads: the
#                        centiseconds of each phase and each CPU's idle
#                        time, and what a fork and exec costs in the guest
#   SOAK_ARM64=1         first make check-arm64 (its own report, in
#                        .out/soak/arm64), one result line here
#   HVL_ONLY=<glob>      run only the matching soak tests, e.g. 20-*
#   HVL_TIMEOUT=<s>      guest time limit (default 86400)
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
q=$repo/tests/qemu
out=${HVL_OUT:-$repo/.out}/soak
rm -rf "$out"
mkdir -p "$out"
: >"$out/host-results"

t0=$(date +%s)
if [ "${SOAK_ARM64:-0}" = 1 ]; then
	rc=0
	HVL_OUT=$out/arm64 HVL_ONLY= "$q/check-arm64.sh" || rc=$?
	if [ $rc = 0 ]; then echo "ok - make check-arm64"; else echo "not ok - make check-arm64"; fi \
		>>"$out/host-results"
fi
"$q/deps.sh"
# The debug kernel whatever HVL_KERNEL says: its reports are the tests' point.
kdir=$(HVL_KERNEL=debug "$q/kernel.sh")
src=$(HVL_KERNEL=debug "$q/kernel.sh" --src)
make -s -C "$kdir" M="$repo" modules
"$q/tools.sh" "$kdir" "$src" "$repo" "$out/bin" >"$out/tools.log" 2>&1 ||
	{ cat "$out/tools.log"; exit 1; }
"$q/dtb.sh" "$out/board.dtb" "$q/board.dts" "$repo/dts/hvl-loopback.dtso"
"$q/initramfs.sh" "$repo" "$repo/drivers/hvl" "$out/initramfs.cpio" \
	"$out/bin" "$kdir"

# A task blocked for 60 s (debug.config) ends the run there and then,
# not hours later at the report (its "blocked for more than" line fails
# it either way).
args="hvl.mode=check hvl.suite=soak hvl.kunit=0 hung_task_panic=1"
[ -n "${HVL_ONLY:-}" ] && args="$args hvl.only=$HVL_ONLY"
for v in $(env | sed -n 's/^\(SOAK_[A-Z0-9_]*\)=.*/\1/p'); do
	eval "args=\"\$args hvl.env=$v=\${$v}\""
done
echo "hvl: soak on $(basename "$kdir") (log: $out/console.log): $args"
"$q/run.sh" "$kdir" "$out/initramfs.cpio" "$out/board.dtb" \
	"$out/console.log" "${HVL_TIMEOUT:-86400}" $args ${HVL_CMDLINE:-} || true
grep -E '^(HVL|hvl)' "$out/console.log" | grep -Ev 'HVL-(KTAP|DMESG)' || true
echo "hvl: soak total $(($(date +%s) - t0)) s"
exec python3 "$q/report.py" "$src/tools/testing/kunit/kunit.py" \
	"$out/host-results" --expect-done "$out/console.log"
