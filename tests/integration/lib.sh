# SPDX-License-Identifier: GPL-2.0
# Sourced by the integration tests in the guest (busybox sh).

M=${M:-/lib/modules/hvl}
DBG=/sys/kernel/debug/hvl/soc:hvl-backend-0

fail() { echo "FAIL: $*"; exit 1; }

# wait_for <path> [tenths of a second]
wait_for() {
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		[ $i -gt "${2:-100}" ] && return 1
		sleep 0.1
	done
}

# wait_gone <path> [tenths of a second]
wait_gone() {
	i=0
	while [ -e "$1" ]; do
		i=$((i + 1))
		[ $i -gt "${2:-100}" ] && return 1
		sleep 0.1
	done
}

loaded() { grep -q "^$1 " /proc/modules; }

load() {
	for m in "$@"; do
		loaded "$m" || insmod "$M/$m.ko" || fail "insmod $m"
	done
}

unload() {
	for m in "$@"; do
		! loaded "$m" || rmmod "$m" || fail "rmmod $m"
	done
}

# The full single-kernel set-up: backend, console, front-end.
up() {
	load hvl_mbox_loopback hvl_core hvl_console hvl_front
	wait_for /dev/ttyHVL0 || fail "no /dev/ttyHVL0"
	wait_for /dev/hvc0 || fail "no /dev/hvc0"
	stty -F /dev/ttyHVL0 raw -echo || fail "stty ttyHVL0"
	stty -F /dev/hvc0 raw -echo || fail "stty hvc0"
}

down() {
	unload hvl_front hvl_console hvl_core hvl_mbox_loopback
}

# dbg <file> <key>: a counter from debugfs
dbg() {
	sed -n "s/^$2: //p" "$DBG/$1"
}

# Centiseconds since boot.
now() {
	read -r up _ </proc/uptime
	echo "${up%.*}${up#*.}"
}

# xfer <from-tty> <to-tty> <file>: copy through the console, compare.
xfer() {
	n=$(wc -c <"$3")
	echo "xfer: $n bytes $1 -> $2"
	head -c "$n" "$2" >/tmp/xfer.out &
	reader=$!
	sleep 0.2
	cat "$3" >"$1" &
	writer=$!
	i=0
	while kill -0 $reader 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 1200 ]; then
			kill $reader $writer 2>/dev/null
			fail "transfer $1 -> $2 stalled at $(wc -c </tmp/xfer.out) of $n bytes"
		fi
		sleep 0.1
	done
	wait $writer || fail "writer to $1 failed"
	a=$(sha256sum <"$3")
	b=$(sha256sum </tmp/xfer.out)
	[ "$a" = "$b" ] || fail "checksum mismatch $1 -> $2 ($(wc -c </tmp/xfer.out) of $n bytes)"
}
