#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Merge the base board and overlays into one blob, as a bootloader would:
#   dtb.sh <out.dtb> <base.dts> [overlay.dtso ...]
set -eu

out=$1 base=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

dtc -q -@ -I dts -O dtb -o "$tmp/base.dtb" "$base"
set -- "$@"
i=0 ovl=
for o in "$@"; do
	i=$((i + 1))
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
