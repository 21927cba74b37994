# SPDX-License-Identifier: GPL-2.0
# "make demo": every device of the loopback overlay at work, in one kernel
# playing both sides of an AMP board.  Linux serves (hvl_core and the
# device modules); "the peer" is the stock virtio drivers on hvl_front,
# and every process that plays it runs on the peer's CPUs (lib.sh).
# Each command is shown as it runs, prefixed by the side that runs it.
. /tests/lib.sh
. /tests/lib-9p.sh

# linux|peer <command line>: show it, run it on that side's CPUs
linux() { echo "linux\$ $*"; taskset $LINUX_CPUS sh -c "$*" || fail "$*"; }
peer() { echo "peer\$ $*"; taskset $PEER_CPUS sh -c "$*" || fail "$*"; }
# linux_bg|peer_bg <command line>: the same in the background, pid in $BG
linux_bg() { echo "linux\$ $* &"; taskset $LINUX_CPUS sh -c "exec $*" & BG=$!; }
peer_bg() { echo "peer\$ $* &"; taskset $PEER_CPUS sh -c "exec $*" & BG=$!; }
# listening <pid> <port>: wait until a background socat is in a vsock
# accept(); tcp_listening <port>: until a TCP port is listened on
listening() { retry 100 in_accept "$1" || fail "nothing listens on vsock port $2"; }
tcp_listens() { grep -q ":$(printf %04X "$1") 00000000:0000 0A" /proc/net/tcp; }
tcp_listening() { retry 100 tcp_listens "$1" || fail "nothing listens on TCP port $1"; }

cleanup() {
	trap - EXIT
	kill $PIDS 2>/dev/null
	mounted $MNT && umount $MNT
	close_ttys
	unload hvl_front hvl_9p hvl_vsock hvl_console hvl_core hvl_mbox_loopback
	mounted $EXPORT && umount $EXPORT
	true
}
PIDS=
trap cleanup EXIT

# Every backend before the front-end: a backend binding later would
# make the front-end re-register all its devices.  The 9P export must
# exist when hvl_9p binds (dts/hvl-loopback.dtso: /srv/hvl9p, uid nobody).
echo "=== Linux loads hvl: window + console, vsock and 9P backends; the peer's transport"
ifconfig lo 127.0.0.1 up
mkdir -p $EXPORT $MNT
mount -t tmpfs -o size=16m,mode=0755 export $EXPORT
chown 65534:65534 $EXPORT
load hvl_mbox_loopback hvl_core hvl_console hvl_vsock hvl_9p hvl_front
wait_for /dev/ttyHVL0 || fail "no /dev/ttyHVL0"
wait_front_console || fail "virtio_console did not bind through hvl_front"
retry 100 front_vsock || fail "virtio_vsock did not bind through hvl_front"
retry 200 p9_bound || fail "9pnet_virtio did not bind"
pin
open_ttys
echo "linux: /dev/ttyHVL0, AF_VSOCK to CID $PEER_CID, 9P export $EXPORT;" \
	"peer: $HVC, AF_VSOCK to CID 2, 9P tag $TAG"

echo "=== console: the peer's $HVC (stock virtio_console) <-> Linux's /dev/ttyHVL0"
printf 'peer> hello from the auxiliary runtime\n' >/tmp/a
xfer $HVC /dev/ttyHVL0 /tmp/a
echo "ttyHVL0 read: $(cat /tmp/xfer.out)"
printf 'linux> hello, peer: your console works through the window\n' >/tmp/b
xfer /dev/ttyHVL0 $HVC /tmp/b
echo "$HVC read: $(cat /tmp/xfer.out)"

echo "=== vsock: plain AF_VSOCK both ways (Linux reaches the peer at CID $PEER_CID, the peer Linux at CID 2)"
peer_bg "socat -t 10 VSOCK-LISTEN:5000 EXEC:'tr a-z A-Z'"
p=$BG
PIDS="$PIDS $p"
listening $p 5000
linux "echo 'hello, peer service' | socat -t 10 - VSOCK-CONNECT:$PEER_CID:5000"
wait $p
linux_bg "socat -t 10 VSOCK-LISTEN:5001 SYSTEM:'echo served by Linux \$(uname -r)'"
p=$BG
PIDS="$PIDS $p"
listening $p 5001
peer "socat -t 10 - VSOCK-CONNECT:2:5001 </dev/null"
wait $p

echo "=== a Linux TCP port bridged to a vsock service of the peer (vsock.rst)"
peer_bg "socat -t 10 VSOCK-LISTEN:23,fork,reuseaddr EXEC:'tr a-z A-Z'"
p=$BG
PIDS="$PIDS $p"
listening $p 23
linux_bg "socat -t 10 TCP-LISTEN:2323,reuseaddr VSOCK-CONNECT:$PEER_CID:23"
b=$BG
PIDS="$PIDS $b"
tcp_listening 2323
linux "echo 'a TCP client on Linux' | socat -t 10 - TCP:127.0.0.1:2323"
wait $b
kill $p
wait $p

echo "=== 9P: the peer mounts Linux's $EXPORT (in-kernel server, tag $TAG)"
linux "echo 'a file from Linux' >$EXPORT/from-linux.txt"
echo "peer\$ mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288 $TAG $MNT"
retry 50 taskset $PEER_CPUS mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288 \
	$TAG $MNT 2>/dev/null || fail "mount -t 9p"
peer "ls -l $MNT; cat $MNT/from-linux.txt"
peer "echo 'written by the peer over 9P' >$MNT/from-peer.txt"
linux "ls -l $EXPORT; cat $EXPORT/from-peer.txt"
peer "umount $MNT"

echo "=== both sides, one line per window and device (tools/hvl-stat -s)"
hvl-stat -s
cleanup
trap - EXIT
echo "=== demo done"
