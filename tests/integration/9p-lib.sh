# SPDX-License-Identifier: GPL-2.0
# Sourced by the 9P integration tests (6*-9p-*.sh), after lib.sh.
#
# The export is a fresh tmpfs at /srv/hvl9p (the path the loopback
# overlay names), owned by nobody, the user the server runs as.  The peer
# side is the stock v9fs client over hvl_front; /mnt/9p is its mount.

EXPORT=/srv/hvl9p
MNT=/mnt/9p
TAG=hvl9p
P9DBG=$DBG/soc:hvl-backend-0.1
OPTS=${P9_OPTS:-cache=none}

mounted() { grep -q " $1 " /proc/mounts; }

p9_bound() { ls /sys/bus/virtio/drivers/9pnet_virtio 2>/dev/null | grep -q virtio; }

# p9_up [module parameters...]
p9_up() {
	mkdir -p $EXPORT $MNT
	mounted $EXPORT || mount -t tmpfs -o size=256m,mode=0755 export $EXPORT
	chown 65534:65534 $EXPORT
	load hvl_mbox_loopback hvl_core
	loaded hvl_9p || insmod "$M/hvl_9p.ko" "$@" || fail "insmod hvl_9p"
	load hvl_front
	# Any backend (un)binding makes the front-end re-register every
	# device: wait for the 9P one to be bound before mounting.
	retry 200 p9_bound || fail "9pnet_virtio did not bind"
	P9DBG=$(grep -l "bound: hvl_9p" $DBG/soc:hvl-backend-0.* | head -1)
	[ -n "$P9DBG" ] || fail "no debugfs file for the 9p device"
	p9_mount
}

p9_mount() {
	retry 50 mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288,$OPTS \
		$TAG $MNT || fail "mount -t 9p ($OPTS)"
}

p9_umount() {
	umount $MNT || fail "umount $MNT"
}

p9_down() {
	mounted $MNT && p9_umount
	unload hvl_front hvl_9p hvl_core hvl_mbox_loopback
	umount $EXPORT 2>/dev/null
	true
}

# p9_stat <key>: a line of the 9p device's debugfs file
p9_stat() { sed -n "s/^$1: //p" "$P9DBG"; }

# expect_err <errno-text> <command...>: must fail, with that message
expect_err() {
	local want=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "succeeded, should fail with '$want': $*"
	fi
	case $out in
	*"$want"*) ;;
	*) fail "$*: wanted '$want', got '$out'" ;;
	esac
}

# same_file <mnt-file> <export-file>: checksums from both sides agree
same_file() {
	local a b
	a=$(sha256sum <"$1") || fail "read $1"
	b=$(sha256sum <"$2") || fail "read $2"
	[ "$a" = "$b" ] || fail "checksum mismatch: $1 vs $2"
}
