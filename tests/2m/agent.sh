#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# The guest's end of make check-2m (hvl.mode=2m): each machine runs this,
# and tests/2m/run.py on the host drives both through their second serial
# port (ttyS1), one command at a time.  The console (ttyS0) keeps the
# kernel's log for the report's scan.
#
# Protocol, one line each way: the host sends "<id> <shell command>"; the
# command runs with its output to ttyS1, which then gets "HVL-RC <id> <status>".
# A command that should outlive its line runs in the background with its
# own redirections.  The host pings ("p<n> true") until the first answer:
# what either side writes before the other listens may be lost.
. /2m/lib.sh

stty -F /dev/ttyS1 raw -echo || { echo "HVL: no ttyS1"; exit 1; }
exec 5<>/dev/ttyS1
while IFS= read -r line <&5; do
	id=${line%% *}
	cmd=${line#* }
	( eval "$cmd" ) </dev/null >&5 2>&1
	echo "HVL-RC $id $?" >&5
done
