#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# "make demo": build what is needed, boot the test board with the hvl
# overlay and show a console session through the shared window.
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
q=$repo/tests/qemu
out=${HVL_OUT:-$repo/.out}/demo
mkdir -p "$out"

"$q/deps.sh"
kdir=$("$q/kernel.sh")
make -s -C "$kdir" M="$repo" modules
"$q/dtb.sh" "$out/board.dtb" "$q/board.dts" "$repo/dts/hvl-loopback.dtso"
"$q/initramfs.sh" "$repo" "$repo/drivers/hvl" "$out/initramfs.cpio.gz"
echo "hvl: booting the test board (QEMU x86_64, TCG)..."
"$q/run.sh" "$kdir" "$out/initramfs.cpio.gz" "$out/board.dtb" \
	"$out/console.log" "${HVL_TIMEOUT:-300}" hvl.mode=demo || true
# The guest's own words, without the firmware noise before the kernel.
sed -n '/Linux version/,$p' "$out/console.log" | tr -d '\r'
grep -q '^=== demo done' "$out/console.log"
