#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Merge the base board and overlays into one blob, as a bootloader would:
#   dtb.sh <out.dtb> <base.dts> [overlay.dtso ...]
#
# HVL_ARCH=arm64 (arch.sh): the base is QEMU's virt board's own tree
# (run.sh --dumpdtb, or the file HVL_DTB_BOARD names: make check-2m's
# machines, whose memory and devices differ), and <base> an overlay on it
# (board-arm64.dtso, tests/2m/base-arm64.dtso).  The overlays' windows
# are the x86 board's, below the virt board's RAM (make check's at
# 0x3xxxxxxx, make check-2m's at 0x2xxxxxxx): each "reg = <0x0 0x2xxxxxxx"
# or "reg = <0x0 0x3xxxxxxx" and each such unit address (8 hex digits)
# moves up 1 GiB, to 0x6xxxxxxx and 0x7xxxxxxx, so that the same overlays
# serve both boards.  Other properties (hvl,bus-addresses: the peer's
# view) stay as written.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/arch.sh"
out=$1 base=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$hvl_arch" = arm64 ]; then
	if [ -n "${HVL_DTB_BOARD:-}" ]; then
		cp "$HVL_DTB_BOARD" "$tmp/base.dtb"
	else
		"$here/run.sh" --dumpdtb "$tmp/base.dtb"
	fi
	set -- "$base" "$@"
else
	dtc -q -@ -I dts -O dtb -o "$tmp/base.dtb" "$base"
fi
i=0 ovl=
for o in "$@"; do
	i=$((i + 1))
	if [ "$hvl_arch" = arm64 ]; then
		sed -E 's/@2([0-9a-f]{7})\b/@6\1/g; s/(reg = <0x0 0x)2([0-9a-f]{7}) /\16\2 /g;
			s/@3([0-9a-f]{7})\b/@7\1/g; s/(reg = <0x0 0x)3([0-9a-f]{7}) /\17\2 /g' \
			"$o" >"$tmp/$i.dtso"
		o=$tmp/$i.dtso
	fi
	# Overlays cannot see their target's #address-cells: dtc guesses.
	dtc -q -@ -Wno-reg_format -Wno-avoid_default_addr_size \
		-I dts -O dtb -o "$tmp/$i.dtbo" "$o"
	ovl="$ovl $tmp/$i.dtbo"
done
if [ -n "$ovl" ]; then
	fdtoverlay -i "$tmp/base.dtb" -o "$out" $ovl
else
	cp "$tmp/base.dtb" "$out"
fi
