#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# "make demo": build what is needed, boot the test board with the hvl
# overlay and show every device at work through the shared window
# (tests/integration/demo.sh): the demo's lines only, the whole console
# log in .out/demo/console.log.
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
q=$repo/tests/qemu
out=${HVL_OUT:-$repo/.out}/demo
mkdir -p "$out"

"$q/deps.sh"
kdir=$("$q/kernel.sh")
make -s -C "$kdir" M="$repo" modules
"$q/dtb.sh" "$out/board.dtb" "$q/board.dts" "$repo/dts/hvl-loopback.dtso"
"$q/initramfs.sh" "$repo" "$repo/drivers/hvl" "$out/initramfs.cpio"
echo "hvl: booting the test board (QEMU x86_64, TCG; full log in $out/console.log)"
"$q/run.sh" "$kdir" "$out/initramfs.cpio" "$out/board.dtb" \
	"$out/console.log" "${HVL_TIMEOUT:-300}" hvl.mode=demo || true
# The demo's own lines (init.sh marks them), not the boot log.
sed -n 's/^HVL-OUT: //p' "$out/console.log" | tr -d '\r'
if ! grep -q '^HVL-OUT: === demo done' "$out/console.log"; then
	echo "hvl: the demo did not finish; the end of $out/console.log:"
	tail -20 "$out/console.log" | tr -d '\r'
	exit 1
fi
