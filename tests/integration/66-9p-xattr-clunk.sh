# SPDX-License-Identifier: GPL-2.0
# The ring's work item must not wait for a Tclunk that sets an extended
# attribute.  The clunk of an xattrcreate fid is a setxattr, a write: it
# takes the inode's lock, which another writer or lister of the file may
# hold for as long as it likes.  Served in the work item, it stopped the
# whole device meanwhile, the replies already made included; and when the
# holder waits for one of those replies, for ever.
#
# Here the holder is a Linux program listing the directory d into a page
# of a file on the peer's mount (tools/hvl-dirhold.c): it holds d's lock
# until the 9P server answers that page's Tread.  The peer's own fid of
# d (its cwd, kept by a sleep) is made an xattrcreate fid through the
# inject hook, with the window frozen the Tread and the clunk of that fid
# (the sleep exits) wait in the ring together, and the window resumes:
# the Tread is answered, the listing returns, and the clunk sets the
# attribute once it may.  Before, the clunk waited in the work item for
# d's lock, and the Tread's reply behind it: neither side ever went on.
. /tests/lib.sh
. /tests/lib-9p.sh

p9_up inject=1
[ -n "$INJ" ] || fail "no inject hook"
WD=$(cat $WDP)
H= S=
xattr_cleanup() {
	[ -e $DBG/freeze ] && echo 0 >$DBG/freeze
	[ -e $WDP ] && echo "$WD" >$WDP
	for p in $H $S; do
		kill "$p" 2>/dev/null
	done
	p9_cleanup
}
trap xattr_cleanup EXIT

mkdir $MNT/d || fail "mkdir d on the mount"
dd if=/dev/zero of=$MNT/y bs=4096 count=1 2>/dev/null || fail "write y"
# The peer keeps a fid of d: its dentry's, pinned by a process's cwd.
(cd $MNT/d && exec sleep 1000) &
S=$!

# r_words <first> <count>: bytes of the last reply, as one word each
r_words() {
	local from=$1 n=$2 out=
	set -- $R
	shift "$from"
	while [ "$n" -gt 0 ]; do
		out="$out $1"
		shift
		n=$((n - 1))
	done
	echo "$out"
}
t_getattr() { t_begin; t_u32 "$1"; t_u64 2047; t_send 24; }

A=7400
in_d() { [ "$(readlink /proc/$S/cwd)" = $MNT/d ]; }
retry 50 in_d || fail "the peer's process is not in d"
t_attach $A; expect_type 105 "attach"
t_walk $A 7401 d; expect_type 111 "walk d"
Q=$(r_words 9 13)	# Rwalk: nwqid[2] qid[13]
# The client's fids are the smallest numbers: the one whose Rgetattr
# has d's qid is its fid of d.
D= k=0
while [ $k -lt 64 ]; do
	t_getattr $k
	[ "$(r_type)" = 25 ] && [ "$(r_words 15 13)" = "$Q" ] && D=$k && break
	k=$((k + 1))
done
[ -n "$D" ] || fail "the peer's fid of d not found"
echo "the peer's fid of d: $D"
# Txattrcreate user.h, 1 byte, then the byte: the clunk sets it.
t_begin; t_u32 "$D"; t_str user.h; t_u64 1; t_u32 0; t_send 32
expect_type 33 "xattrcreate on the peer's fid of d"
t_begin; t_u32 "$D"; t_u64 0; t_u32 1; printf v >>$BODY; t_send 118
expect_type 119 "write the attribute's value"

hold_dir $EXPORT/d $MNT/y
kill $S	# its exit clunks the fid of d
retry 50 waits $S || fail "the peer's exit did not wait for its clunk"
echo 0 >$DBG/freeze

listed() { grep -q "^listed" /tmp/hold.out; }
retry 100 listed ||
	fail "the listing of d waits still: the work item waits in the clunk's setxattr for d's lock, and the Tread's reply behind it"
H=
# The peer's exit returns once the clunk is answered.
exited() { [ "$(state $S)" != D ]; }
retry 100 exited || fail "the peer's clunk of d is not answered"
S=
echo "listing of d returned while the clunk waited for its lock: ok"

# The clunk did set the attribute (in a worker): Txattrwalk sees 1 byte.
t_begin; t_u32 7401; t_u32 7402; t_str user.h; t_send 30
expect_type 31 "xattrwalk user.h"
[ "$(r_byte 7)" = 1 ] || fail "user.h: size $(r_words 7 8), not 1"
echo "user.h set by the clunk: ok"
t_clunk 7402
t_clunk 7401
t_clunk $A

echo "$WD" >$WDP
p9_umount_clean
p9_down
