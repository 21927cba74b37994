#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# "make check": static checks on the host, then one boot of the test
# kernel in QEMU running the KUnit suites and the integration tests.
# Ends with "N passed, N failed, N skipped"; exits non-zero on any failure.
#
#   HVL_SELFTEST_FAIL=1   inject one failing KUnit case (harness self-check)
#   HVL_TIMEOUT=<s>       guest time limit (default 3600)
#   HVL_KVM=1             try KVM instead of TCG
#   HVL_QEMU_CPU=<model>  the x86 guest's CPU (default max,-erms,-fsrm: run.sh)
#   HVL_ONLY=<glob>       run only the integration tests matching, e.g. 20-*
#   HVL_CMDLINE=<args>    more guest kernel parameters, e.g. hvl.p9_storm=10000
#   HVL_ARCH=arm64        the arm64 guest (check-arm64.sh): the module build
#                         and the guest only, the host's checks are make check's
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
q=$repo/tests/qemu
. "$q/arch.sh"
board=$q/board.dts
[ "$hvl_arch" = x86_64 ] || board=$q/board-$hvl_arch.dtso
out=${HVL_OUT:-$repo/.out}
rm -rf "$out"
mkdir -p "$out"
host=$out/host-results
: >"$host"

result() { # result <name> <exit-status>
	if [ "$2" = 0 ]; then echo "ok - $1"; else echo "not ok - $1"; fi >>"$host"
}

t0=$(date +%s)
if [ "$hvl_arch" = x86_64 ]; then "$q/deps.sh"; else "$q/deps.sh" "$hvl_arch"; fi
# The debug kernel whatever HVL_KERNEL says: its reports are the tests' point.
kdir=$(HVL_KERNEL=debug "$q/kernel.sh")
src=$(HVL_KERNEL=debug "$q/kernel.sh" --src)
echo "hvl: kernel ready ($kdir) after $(($(date +%s) - t0)) s"

# Build with W=1 and sparse (C=2 checks every file): zero warnings from
# our sources is a test.
make -s -C "$kdir" M="$repo" clean >/dev/null 2>&1 || true
rc=0
make -j"$(nproc)" -C "$kdir" M="$repo" W=1 C=2 modules >"$out/build.log" 2>&1 || rc=$?
result "modules build" $rc
grep -E "^($repo/)?(drivers|include|tests)/.*(warning|error):" "$out/build.log" \
	| sed "s|^$repo/||" | sort -u >"$out/warnings" || true
[ -s "$out/warnings" ] && cat "$out/warnings"
result "W=1 and sparse report nothing" "$([ -s "$out/warnings" ] && echo 1 || echo 0)"
[ $rc = 0 ] || { tail -30 "$out/build.log"; }

# Not bad-nodes.dtso on arm64, whose tests (10-dt-errors, 11-probe-unwind)
# do not run there: Linux 6.12 hands its hvl-bad-failed (a no-map
# restricted-dma-pool, whose setup fails) back to the page allocator with
# memblock_clear_nomap() from unflatten_device_tree(), after arm64's
# paging_init() built the linear map without it: the first user of those
# pages faults.
bad=$q/bad-nodes.dtso
[ "$hvl_arch" = x86_64 ] || bad=
# dts/hvl-poll.dtso, the example for a board without a free mailbox
# channel, is the loopback window without doorbells: the test board
# carries it next to the loopback window, moved to 0x33100000 (regions
# and nodes renamed) and with compatibles no driver matches, so that
# only 26-console-poll binds it (through driver_override): bound, each
# side would poll 2000 times a second through every test.
rc=0
sed -e 's/hvl-regs@30000000/hvl-polled-regs@33100000/; s/hvl-pool@30100000/hvl-polled-pool@33200000/' \
	-e 's/<0x0 0x30000000 /<0x0 0x33100000 /; s/<0x0 0x30100000 /<0x0 0x33200000 /' \
	-e 's/hvl_regs0/polled_regs/g; s/hvl_pool0/polled_pool/g' \
	-e 's/hvl-backend-0 {/hvl-polled {/; s/hvl-frontend-0 {/hvl-polled-front {/' \
	-e 's/"hvl,virtio-backend"/"hvl,test-polled-backend"/' \
	-e 's/"hvl,virtio-frontend"/"hvl,test-polled-frontend"/' \
	"$repo/dts/hvl-poll.dtso" >"$out/polled.dtso"
# Each rename must have happened: a node or region left with the
# loopback window's name or address would replace or overlap it.
[ "$(grep -c 'polled' "$out/polled.dtso")" -ge 8 ] &&
	! grep -qE 'hvl-(backend|frontend)-0|0x30[01]00000|"hvl,virtio-(backend|frontend)"' \
		"$out/polled.dtso" || rc=1
"$q/dtb.sh" "$out/board.dtb" "$board" "$repo/dts/hvl-loopback.dtso" \
	$bad "$q/multi-peer.dtso" "$q/wc.dtso" "$q/hostile.dtso" "$out/polled.dtso" || rc=$?
result "fdtoverlay merges board + overlays (dts/hvl-poll.dtso's window moved)" $rc
rc=0
"$q/dtb.sh" "$out/board-poll.dtb" "$board" "$repo/dts/hvl-poll.dtso" || rc=$?
result "fdtoverlay merges board + polling overlay" $rc

# The guest, in the background while the host's checks below run: a
# test guest keeps about a third of this 2-core machine idle (its vCPUs
# wait on each other, on timers, on a peer that sleeps), which those
# checks fill.  (A second test guest at once does not: with 8 vCPUs on 2
# cores every test took twice as long.)  Its output goes to its log, and
# is shown once both are done.
guests=
logs="$out/console.log"
if [ -f "$repo/drivers/hvl/hvl_core.ko" ] && [ -f "$out/board.dtb" ]; then
	rc=0
	"$q/tools.sh" "$kdir" "$src" "$repo" "$out/bin" >"$out/tools.log" 2>&1 || rc=$?
	[ $rc = 0 ] || cat "$out/tools.log"
	result "guest programs build (vsock_test, vsock_perf, tools/)" $rc
	"$q/initramfs.sh" "$repo" "$repo/drivers/hvl" "$out/initramfs.cpio" \
		"$out/bin" "$kdir"
	# Expedited RCU grace periods: every module unload, netdev and
	# network namespace teardown of the tests waits for several, each
	# some tens of ms here when normal.  Boot to /init took 5 s less
	# and a load and unload of every module 40% less (testing.rst, "The
	# test budget").  make soak keeps normal grace periods, so that the
	# long runs see their timing.
	extra=rcupdate.rcu_expedited=1
	[ "${HVL_SELFTEST_FAIL:-0}" = 1 ] && extra="$extra hvl.selftest_fail=1"
	[ -n "${HVL_ONLY:-}" ] && extra="$extra hvl.only=$HVL_ONLY"
	# Region 0 of the write-combining window (wc.dtso) is not RAM (x86:
	# 25-wc, not run on arm64, checks its two mappings in PAT's list).
	[ "$hvl_arch" != x86_64 ] || extra="$extra memmap=1M\$0x32000000"
	extra="$extra ${HVL_CMDLINE:-}"
	echo "hvl: booting the test guest after $(($(date +%s) - t0)) s (log: $logs)"
	{
		"$q/run.sh" "$kdir" "$out/initramfs.cpio" "$out/board.dtb" \
			"$out/console.log" "${HVL_TIMEOUT:-3600}" hvl.mode=check $extra || true
	} &
	guests=$!
else
	: >"$out/console.log"
fi

# The host's checks: the same whatever the guest's architecture, so
# make check's alone.
if [ "$hvl_arch" = x86_64 ]; then
	# checkpatch --strict over our C sources; exceptions live in
	# tests/checkpatch.ignore, one type per line, each with its reason.
	ignore=$(grep -v '^#' "$repo/tests/checkpatch.ignore" | awk 'NF {print $1}' | paste -sd, -)
	find "$repo/drivers" "$repo/include" -name '*.[ch]' ! -name '*.mod.c' | sort >"$out/csources"
	rc=0
	xargs "$src/scripts/checkpatch.pl" --strict --no-tree --quiet --no-summary --terse \
		--show-types ${ignore:+--ignore "$ignore"} -f <"$out/csources" \
		>"$out/checkpatch.log" 2>&1 || rc=$?
	[ $rc = 0 ] || sed "s|^$repo/||" "$out/checkpatch.log"
	result "checkpatch --strict" $rc

	# Barriers on the shared window: hvl_map_wmb() and hvl_map_rmb() in
	# <linux/hvl.h> pick dma_*() for a cacheable window and wmb()/rmb() for a
	# write-combining one; anything else uses those, wmb()/rmb() or mb().
	# dma_*() and virtio_*() are compiler barriers only on x86 and order
	# nothing on a write-combining mapping, and smp_*() does not order against
	# the peer (another OS, maybe under a UP build).  Comments are not code.
	find "$repo/drivers/hvl" "$repo/include" -name '*.[ch]' ! -name '*.mod.c' \
		! -path "$repo/include/linux/hvl.h" | sort |
		xargs grep -nE '\b(dma|virtio|smp)_[rw]mb\b|\bvirtio_mb\b' |
		sed -E 's|/\*.*\*/||; s|//.*||' |
		grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*([[:space:]]|/|$)|/\*)' |
		grep -E '\b(dma|virtio|smp)_[rw]mb\b|\bvirtio_mb\b' |
		sed "s|^$repo/||" >"$out/barriers" || true
	[ -s "$out/barriers" ] && { echo "barriers that do not order the window:"; cat "$out/barriers"; }
	result "window barriers only through hvl_map_wmb/rmb, wmb/rmb, mb" \
		"$([ -s "$out/barriers" ] && echo 1 || echo 0)"

	# Device-tree bindings and overlays.
	rc=0
	yamllint -s -d '{extends: relaxed, rules: {line-length: {max: 110}}}' \
		"$repo/Documentation/devicetree/bindings" "$q/dtschema" >"$out/yamllint.log" 2>&1 || rc=$?
	[ $rc = 0 ] || cat "$out/yamllint.log"
	result "yamllint bindings" $rc
	rc=0
	"$q/mbox-names.py" "$repo"/Documentation/devicetree/bindings/hvl/hvl,virtio-*.yaml || rc=$?
	result "bindings' mbox-names as hvl_doorbell_init() takes them" $rc
	rc=0
	for o in "$repo"/dts/*.dtso "$repo"/dts/examples/*.dtso "$repo"/tests/qemu/overlays/*.dtso \
		"$repo"/tests/2m/*.dtso; do
		[ -f "$o" ] || continue
		dtc -q -@ -Wno-reg_format -Wno-avoid_default_addr_size -I dts -O dtb \
			-o /dev/null "$o" || { echo "dtc: $o"; rc=1; }
	done
	result "dtc compiles dts/, tests/qemu/overlays/ and tests/2m/" $rc
fi
if [ "$hvl_arch" = x86_64 ]; then
	# dt-schema (Debian's dt-schema 2022.08).  dt-doc-validate checks the
	# bindings against its meta-schema; it exits 0 after some of its messages
	# (a $id that does not match the path), so any output fails.  Then
	# tests/qemu/dt-check.sh, with dt-schema's Python package copied to
	# $out/dtschema-patched and tests/qemu/dtschema-*.patch applied to the
	# copy (README), runs dt-validate on compiled trees: each example
	# overlay applied to the base tree of its SoC (dts/examples/<soc>-*.dtso
	# on dts/examples/base/<soc>.dts, whose mailbox controllers are checked
	# against the kernel's bindings), the bindings' own examples, the test
	# board with the overlays meant to be valid (against the hvl bindings
	# only: its hvl nodes sit in /soc, a simple-bus, without unit addresses,
	# and its 9P nodes are named 9p@..., which dt-schema's core schemas
	# refuse), and the broken overlays of tests/qemu/dt-invalid/, each of
	# which must be refused with the message its header names.
	rc=0
	{ dt-doc-validate -u "$repo/Documentation/devicetree/bindings" \
		"$repo"/Documentation/devicetree/bindings/hvl/*.yaml &&
	  dt-doc-validate -u "$q/dtschema" "$q"/dtschema/*.yaml; } >"$out/dt-doc-validate.log" 2>&1 || rc=$?
	[ -s "$out/dt-doc-validate.log" ] && rc=1
	[ $rc = 0 ] || cat "$out/dt-doc-validate.log"
	result "dt-doc-validate bindings" $rc
	dtschema=$out/dt-schema.json
	rc=0
	"$q/dt-check.sh" schema "$dtschema" "$src" || rc=$?
	result "dt-mk-schema: bindings, core schemas, the examples' mailbox bindings" $rc
	rc=0
	for o in "$repo"/dts/examples/*.dtso; do
		soc=$(basename "$o")
		"$q/dt-check.sh" validate "$dtschema" "$repo/dts/examples/base/${soc%%-*}.dts" "$o" || rc=1
	done
	result "dt-validate: dts/examples/ on their SoC's base tree" $rc
	rc=0
	"$q/dt-check.sh" examples "$dtschema" "$repo"/Documentation/devicetree/bindings/hvl/*.yaml || rc=$?
	result "dt-validate: the bindings' examples" $rc
	rc=0
	"$q/dt-check.sh" validate -l bindings/hvl/ "$dtschema" "$q/board.dts" \
		"$repo/dts/hvl-loopback.dtso" "$q/multi-peer.dtso" "$q/wc.dtso" "$q/hostile.dtso" || rc=1
	"$q/dt-check.sh" validate -l bindings/hvl/ "$dtschema" "$q/board.dts" \
		"$repo/dts/hvl-poll.dtso" || rc=1
	# make check-2m's two machines, polled and with the ivshmem doorbell,
	# its node first as check-2m.sh merges them (the arm64 trees start
	# from the virt board's, which the run dumps: booted, not checked here).
	for side in backend peer; do
		"$q/dt-check.sh" validate -l bindings/hvl/ "$dtschema" "$q/board.dts" \
			"$repo/tests/2m/$side-poll.dtso" || rc=1
		"$q/dt-check.sh" validate -l bindings/hvl/ "$dtschema" "$q/board.dts" \
			"$repo/tests/2m/ivshmem-x86_64.dtso" "$repo/tests/2m/$side-irq.dtso" || rc=1
	done
	result "dt-validate: the test board's trees (hvl bindings)" $rc

	# make check-2m's ivshmem server, a host program: warnings are errors.
	rc=0
	cc -O2 -Wall -Wextra -Werror -o "$out/hvl-ivshmem-server" \
		"$repo/tools/hvl-ivshmem-server.c" >"$out/ivshmem-server.log" 2>&1 || rc=$?
	[ $rc = 0 ] || cat "$out/ivshmem-server.log"
	result "tools/hvl-ivshmem-server builds without warnings" $rc
	rc=0
	for o in "$q"/dt-invalid/*.dtso; do
		soc=$(basename "$o")
		"$q/dt-check.sh" invalid "$dtschema" "$repo/dts/examples/base/${soc%%-*}.dts" "$o" || rc=1
	done
	result "dt-validate refuses tests/qemu/dt-invalid/" $rc
fi


if [ -n "$guests" ]; then
	echo "hvl: the host's checks done after $(($(date +%s) - t0)) s"
	wait $guests || true
	for l in $logs; do
		grep -E '^(HVL|hvl)' "$l" | grep -Ev 'HVL-(KTAP|DMESG)' || true
	done
	sed -n '/^HVL-DMESG-BEGIN/,/^HVL-DMESG-END/p' "$out/console.log" >"$out/dmesg.log"
fi

echo "hvl: total $(($(date +%s) - t0)) s"
exec python3 "$q/report.py" "$src/tools/testing/kunit/kunit.py" \
	"$host" --expect-done $logs
