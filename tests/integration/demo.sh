# SPDX-License-Identifier: GPL-2.0
# "make demo": the test board boots, the overlay's window comes up, and a
# console session runs through the shared window: Linux's /dev/ttyHVL0
# (hvl backend) talking to /dev/hvc0 (stock virtio_console on hvl_front).
. /tests/lib.sh

echo "=== loading hvl: loopback mailbox, core, console backend, front-end"
up
echo "=== modules"
grep hvl /proc/modules
echo "=== kernel log"
dmesg | grep -E 'hvl|virtio|ttyHVL|hvc' | tail -20
echo "=== devices"
ls -l /dev/ttyHVL0 $HVC
echo "=== session: remote ($HVC) says hello, Linux (ttyHVL0) answers"
printf 'remote> printf("hello from the auxiliary runtime\\n");\n' >/tmp/a
xfer $HVC /dev/ttyHVL0 /tmp/a && cat /tmp/xfer.out
printf 'linux> hello, remote: your console works through the window\n' >/tmp/b
xfer /dev/ttyHVL0 $HVC /tmp/b && cat /tmp/xfer.out
echo "=== state of both sides (tools/hvl-stat)"
hvl-stat
down
echo "=== demo done"
