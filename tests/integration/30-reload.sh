# SPDX-License-Identifier: GPL-2.0
# Load and unload the whole stack 5 times; each time the devices must
# come up and carry a line.  kmemleak is checked by init after all tests.
. /tests/lib.sh

i=0
while [ $i -lt 5 ]; do
	i=$((i + 1))
	up
	printf 'round %d\n' $i >/tmp/line
	xfer $HVC /dev/ttyHVL0 /tmp/line
	down
	[ -e /dev/ttyHVL0 ] && fail "round $i: /dev/ttyHVL0 survived unload"
	front_console && fail "round $i: virtio_console still bound after unload"
done
echo "5 load/unload rounds: ok"
