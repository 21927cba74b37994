#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# "make check-arm64": make check's module build and guest on arm64,
# HVL_ARCH=arm64 through tests/qemu/check.sh (arch.sh says what changes):
# the arm64 debug kernel (kernel.sh, cross-built with config/arch/arm64.config,
# cached apart from the x86 ones), our modules cross-built with W=1 and
# sparse, guest programs cross-compiled statically (tools.sh) or taken
# from Debian's arm64 packages (sysroot.sh), and one boot of QEMU's virt
# board (TCG, 4 Cortex-A57s, its own device tree plus board-arm64.dtso and
# make check's overlays: dtb.sh).  The host's own checks (checkpatch,
# dt-schema, ...) do not depend on the guest and stay make check's.
#
# It runs KUnit and the integration tests of the console, vsock and 9P:
#   2[0-3]-*   console: text both ways, overrun, unbind under traffic,
#              no wait for a new kworker
#   5[0-4]-*   vsock: vsock_test, the integrity streams, churn, flood, credit
#   6*-*       9P: everything from the basic mount to the fuzzer
# Left out (HVL_ONLY=<globs, comma separated> runs any of them):
#   1*-*       device-tree errors and overlays: 10-dt-errors and
#              13-overlay expect the x86 windows' addresses by name
#   25-wc      reads x86 PAT's memtype list (debugfs x86/pat_memtype_list)
#   3*, 4*-*   reload, lifecycle, hostile peer and backend, watchdog: not
#              devices of this list, and the time they take under TCG
#   7*-*       hvl_net: likewise
#   24-*, 26-* the console's output kept for a new peer, the polled
#              window: not yet run on arm64
# The guest runs slower than make check's x86 one under TCG (KASAN's
# instrumentation, one host instruction stream for more guest ones), and
# far slower beside other guests on two cores: hvl.slow=3 triples the
# tests' time limits (HVL_SLOW, init.sh), and the guest's is 3 hours.
# HVL_CMDLINE=hvl.slow=<n> sets another factor.
# Ends with make check's "N passed, N failed, N skipped" and its scan of
# the kernel log (any KASAN, UBSAN, lockdep, kmemleak or WARN report fails).
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
export HVL_ARCH=arm64
export HVL_OUT="${HVL_OUT:-$repo/.out-arm64}"
export HVL_ONLY="${HVL_ONLY:-2[0-3]-*,5[0-4]-*,6*-*}"
export HVL_CMDLINE="hvl.slow=3 ${HVL_CMDLINE:-}"
export HVL_TIMEOUT="${HVL_TIMEOUT:-10800}"
exec "$repo/tests/qemu/check.sh"
