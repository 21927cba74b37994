# SPDX-License-Identifier: GPL-2.0
# Sourced, after lib.sh, by the 9P integration tests (6*-9p-*.sh) and by
# tools/bench-9p.sh; named so that init's [0-9]*.sh glob does not run it.
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

# Our device, by its tag (a benchmark guest has QEMU's 9P device too).
# (The tags are NUL-terminated, not newline-terminated.)
p9_bound() {
	cat /sys/bus/virtio/drivers/9pnet_virtio/virtio*/mount_tag 2>/dev/null |
		tr '\0' '\n' | grep -qx "$TAG"
}

# On any exit, leave nothing mounted or loaded for the next test.
p9_cleanup() {
	cd /
	# A mount still busy (a killed test's children) keeps 9pnet_virtio's
	# remove waiting forever: leave the modules loaded rather than hang.
	mounted $MNT && ! umount $MNT && return
	for m in hvl_front hvl_9p hvl_core hvl_mbox_loopback; do
		retry 50 gone_or_removed $m
	done
	mounted $EXPORT && umount $EXPORT
	true
}

# p9_up [module parameters...]
p9_up() {
	# A timed-out test (init's timeout sends TERM) must stop, not carry
	# on against an export its cleanup has just unmounted.
	trap p9_cleanup EXIT
	trap 'exit 143' TERM INT
	mkdir -p $EXPORT $MNT
	mounted $EXPORT || mount -t tmpfs -o size=256m,mode=0755 export $EXPORT
	chown 65534:65534 $EXPORT
	load hvl_mbox_loopback hvl_core
	loaded hvl_9p || insmod "$M/hvl_9p.ko" "$@" || fail "insmod hvl_9p"
	load hvl_front
	# The front-end adds each backend's device as it binds: wait for
	# the 9P one before mounting.
	retry 200 p9_bound || fail "9pnet_virtio did not bind"
	P9DBG=$(grep -l "bound: hvl_9p" $DBG/soc:hvl-backend-0.* | head -1)
	[ -n "$P9DBG" ] || fail "no debugfs file for the 9p device"
	INJ=$(ls /sys/kernel/debug/hvl_9p/*/inject 2>/dev/null | head -1)
	p9_mount
}

# P9_MSIZE: the msize to mount with (default 524288)
p9_mount() {
	retry 50 mount -t 9p -o trans=virtio,version=9p2000.L,msize=${P9_MSIZE:-524288},$OPTS \
		$TAG $MNT || fail "mount -t 9p ($OPTS)"
}

p9_umount() {
	umount $MNT || fail "umount $MNT"
}

# The client clunks everything on umount: no fid may be left in the table.
p9_umount_clean() {
	p9_umount
	retry 50 no_fids || fail "fids left after umount: $(p9_stat fids)"
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

# retry evaluates its arguments once: a function reads the count anew.
no_fids() { [ "$(p9_stat fids)" = 0 ]; }

# same_file <mnt-file> <export-file>: checksums from both sides agree
same_file() {
	local a b
	# Large reads: with cache=none each read(2) is one round trip.
	a=$(dd if="$1" bs=1M 2>/dev/null | sha256sum) || fail "read $1"
	b=$(dd if="$2" bs=1M 2>/dev/null | sha256sum) || fail "read $2"
	[ "$a" = "$b" ] || fail "checksum mismatch: $1 vs $2"
}

# Raw 9P messages through the inject hook (hvl_9p inject=1, debug.c),
# for what no stock client sends.  t_begin; t_u32 ...; t_send <type>.
INJ=
BODY=/tmp/9p.body
# Octal digits by arithmetic: no subshell per byte (TCG is slow to fork).
t_byte() { printf "\\$(($1 >> 6 & 3))$(($1 >> 3 & 7))$(($1 & 7))" >>$BODY; }
t_u8() { t_byte "$1"; }
t_u16() { t_byte "$1"; t_byte $(($1 >> 8)); }
t_u32() { t_u16 $(($1 & 65535)); t_u16 $(($1 >> 16 & 65535)); }
t_u64() { t_u32 $(($1 & 0xffffffff)); t_u32 $(($1 >> 32 & 0xffffffff)); }
t_str() { t_u16 ${#1}; printf %s "$1" >>$BODY; }
t_begin() { : >$BODY; }

# t_send <type> [size field]: header + body in one write, reply in $R
# (its bytes, decimal, one per word).
t_send() {
	R=$(hvl-9psend "$INJ" "$1" $BODY ${2:-}) || fail "inject write"
}

# r_byte <n>: byte n (0-based) of the reply; shell builtins only (no
# cut per byte: a fork costs some 60 ms in the test guest)
r_byte() {
	local i=$1
	set -- $R
	[ "$i" -lt $# ] || return 0
	shift "$i"
	echo "$1"
}
r_type() { r_byte 4; }
r_errno() {
	set -- $R
	[ "${5:-}" = 7 ] || { echo none; return; }
	echo $(($8 | $9 << 8))
}

# expect_lerror <errno> <what>: the last reply is Rlerror(errno)
expect_lerror() {
	[ "$(r_errno)" = "$1" ] || fail "$2: wanted Rlerror $1, got type $(r_type) errno $(r_errno) ($R)"
	echo "$2: Rlerror $1: ok"
}

# expect_type <R-type> <what>
expect_type() {
	[ "$(r_type)" = "$1" ] || fail "$2: wanted R-type $1, got type $(r_type) errno $(r_errno)"
}

# Client-independent helpers: attach fid $1, walk $1 -> $2 through names.
t_attach() { t_begin; t_u32 "$1"; t_u32 4294967295; t_str nobody; t_str ""; t_u32 65534; t_send 104; }
t_walk() {
	local fid=$1 newfid=$2 n
	shift 2
	t_begin; t_u32 "$fid"; t_u32 "$newfid"; t_u16 $#
	for n in "$@"; do t_str "$n"; done
	t_send 110
}
t_clunk() { t_begin; t_u32 "$1"; t_send 120; }

# state <pid>: R, S, D (waiting in the kernel: a lock, the 9P server)...
state() {
	local pid comm st
	read -r pid comm st pid 2>/dev/null </proc/$1/stat && echo "$st"
}
waits() { [ "$(state $1)" = D ]; }

# hold_dir <dir> <file on the mount>: tools/hvl-dirhold.c lists <dir>
# into a page of <file> with the window frozen, so that it holds <dir>'s
# lock until the window resumes (echo 0 >$DBG/freeze); its pid in H.  The
# front-end's watchdog is turned off first (the caller saved WD=$(cat
# $WDP), to restore it): frozen, the device side answers nothing.
WDP=/sys/module/hvl_front/parameters/watchdog_ms
hold_dir() {
	rm -f /tmp/go
	hvl-dirhold "$1" "$2" /tmp/go >/tmp/hold.out 2>&1 &
	H=$!
	retry 50 grep -q ready /tmp/hold.out || fail "hvl-dirhold: $(cat /tmp/hold.out)"
	echo 0 >$WDP || fail "cannot turn the front-end's watchdog off"
	echo 1 >$DBG/freeze || fail "cannot freeze the window"
	touch /tmp/go
	retry 50 waits $H || fail "the listing did not wait for the Tread: $(cat /tmp/hold.out)"
}
