# SPDX-License-Identifier: GPL-2.0
# Opening a console tty while its device goes.  Three loops open
# /dev/ttyHVL0 and /dev/ttyHVL1 (the console moves to minor 1 when a tty
# still open keeps minor 0) while the console is unbound and bound again,
# CON_UNBIND_ROUNDS times (default 200); every 50 rounds hvl_console is
# reloaded as well, the loops stopped meanwhile (an open tty holds the
# module).  An open that found the device node before the unbind reaches
# con_install() after it: it must fail (ENODEV), not take the port that
# remove() just freed (the tty core's driver->ports[] keeps a pointer to
# it).  KASAN reports a use after free; after the rounds the console must
# still carry a line.
. /tests/lib.sh

R=${CON_UNBIND_ROUNDS:-200}
W=soc:hvl-backend-0
D=/sys/bus/hvl/drivers/hvl_console
OPENERS=
stop_openers() {
	[ -n "$OPENERS" ] && kill $OPENERS 2>/dev/null
	[ -n "$OPENERS" ] && wait $OPENERS 2>/dev/null
	OPENERS=
}
trap 'stop_openers; all_windows' EXIT
only_windows $W
load hvl_mbox_loopback hvl_core hvl_console
wait_for /dev/ttyHVL0 || fail "no /dev/ttyHVL0"
DEV=$(ls $D | grep "^$W\.")
[ -n "$DEV" ] || fail "no console device bound on $W"

# Shell builtins only, as fast as the shell goes; "true", not ":", whose
# failed redirection would end the loop; and read-only: "<>" would create
# a file where the device node has gone.
opener() {
	while :; do
		true 2>/dev/null </dev/ttyHVL0
		true 2>/dev/null </dev/ttyHVL1
	done
}
start_openers() {
	opener &
	OPENERS="$OPENERS $!"
	opener &
	OPENERS="$OPENERS $!"
	opener &
	OPENERS="$OPENERS $!"
}

bound() { [ -e $D/$DEV ]; }
tty_back() { T=$(ls /sys/bus/hvl/devices/$DEV/tty 2>/dev/null) && [ -n "$T" ]; }

start_openers
i=0
while [ $i -lt "$R" ]; do
	i=$((i + 1))
	echo $DEV >$D/unbind || fail "round $i: unbind"
	if [ $((i % 50)) = 0 ]; then
		stop_openers
		unload hvl_console
		load hvl_console
		retry 50 bound || fail "round $i: console not bound after reload"
		start_openers
	else
		echo $DEV >$D/bind || fail "round $i: bind"
	fi
done
stop_openers
retry 50 tty_back || fail "no tty after $R rounds"
retry 50 [ -c /dev/$T ] || fail "no device node /dev/$T"
exec 3</dev/$T || fail "cannot open /dev/$T"
exec 3<&-
for n in 0 1; do
	[ ! -e /dev/ttyHVL$n ] || [ -c /dev/ttyHVL$n ] || fail "/dev/ttyHVL$n is no device node"
done
echo "$R unbind/bind rounds with opens racing: ok"
unload hvl_console hvl_core hvl_mbox_loopback
