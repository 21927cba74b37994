# SPDX-License-Identifier: GPL-2.0
# The ring's work item must not wait for a Twalk of a fid onto itself.
# That walk replaces the fid under the fid's lock, which a worker holds
# for as long as its Tlcreate of the fid (a directory) waits for the
# directory's inode lock; the work item, waiting behind it, pushed none
# of the replies it had made, and when the inode lock's holder waits for
# one of those, nothing ever moved again.
#
# The work item cannot be shown waiting through the inject hook, which
# serves in the writer's context as a worker does: inject_nowait serves
# as the work item does (debug.c), and a message the work item would
# hand to a worker fails the write with EAGAIN.  Here tools/hvl-dirhold.c
# holds d's lock with a listing into a page of a file on the mount, whose
# Tread is not answered while the window is frozen (as in
# 66-9p-xattr-clunk); an injected Tlcreate on our fid X of d waits for
# that lock holding X's; and a Twalk X -> X "e" through inject_nowait
# must come back at once with EAGAIN, leaving X as it was (the Tlcreate
# then succeeds).  Before, it waited (D) until the window resumed.
#
# Then the walk onto itself that no one holds up is served there, and
# the stock client's (a path deeper than 16 names, walked by a user with
# no fid on the way) works through the ring.
. /tests/lib.sh
. /tests/lib-9p.sh

p9_up inject=1
[ -n "$INJ" ] || fail "no inject hook"
INJN=${INJ%/inject}/inject_nowait
[ -w "$INJN" ] || fail "no inject_nowait"
WD=$(cat $WDP)
H= L= W=
# gone <pid>: exited (a zombie until the shell reaps it)
gone() { case $(state $1) in "" | Z) ;; *) false ;; esac; }
walk_cleanup() {
	[ -e $DBG/freeze ] && echo 0 >$DBG/freeze
	[ -e $WDP ] && echo "$WD" >$WDP
	# Unfrozen, the listing ends, then the Tlcreate, then a walk that
	# waited: the hook's writers hold the module until they return.
	for p in $H $L $W; do
		kill "$p" 2>/dev/null
		retry 100 gone "$p"
	done
	p9_cleanup
}
trap walk_cleanup EXIT

mkdir $MNT/d || fail "mkdir d on the mount"
# e: on tmpfs its dentry is cached, so the walk to it takes no lock of d.
touch $MNT/d/e || fail "create d/e"
dd if=/dev/zero of=$MNT/y bs=4096 count=1 2>/dev/null || fail "write y"

A=7500 X=7501 V=7502
t_attach $A; expect_type 105 "attach"
t_walk $A $X d; expect_type 111 "walk d"

# send <inject file> <type> <body file>: in the background, reply and
# errors in <body file>.out; the writer's pid in $!
send() { hvl-9psend "$1" "$2" "$3" >"$3.out" 2>&1 & }

hold_dir $EXPORT/d $MNT/y

# Tlcreate X "n" O_RDONLY 0644: it takes X's lock, then waits for d's.
BODY=/tmp/lcreate.body
t_begin; t_u32 $X; t_str n; t_u32 0; t_u32 420; t_u32 65534
send "$INJ" 14 $BODY
L=$!
retry 50 waits $L || fail "the Tlcreate did not wait for d's lock: $(cat $BODY.out)"

# eagain_at_once <what> <why it would wait>: the Twalk in $BODY, served
# as the work item serves it, comes back at once with EAGAIN (to a worker)
eagain_at_once() {
	local rc
	send "$INJN" 110 $BODY
	W=$!
	retry 50 gone $W || fail "$1 waits ($(state $W)) for $2"
	wait $W
	rc=$?
	W=
	grep -q "Resource temporarily unavailable" $BODY.out && [ $rc = 1 ] ||
		fail "$1: status $rc, $(cat $BODY.out), not EAGAIN"
	echo "$1, $2: EAGAIN (to a worker) at once: ok"
}

# Twalk X -> X "e", as the work item serves it.
BODY=/tmp/walk.body
t_begin; t_u32 $X; t_u32 $X; t_u16 1; t_str e
eagain_at_once "the walk of X onto itself" \
	"X's lock, held by the Tlcreate waiting for d's lock"

# Twalk X -> Z "absent", as the work item serves it: a name not in the
# dentry cache (tmpfs keeps no negative dentries) is looked up with d's
# lock taken shared, which queues behind the Tlcreate waiting for it
# exclusive: the same wait, with no fid's lock in it.
BODY=/tmp/walk2.body
t_begin; t_u32 $X; t_u32 7504; t_u16 1; t_str absent
eagain_at_once "the walk of X to a name not cached" \
	"d's lock, queued behind the Tlcreate"
BODY=/tmp/9p.body

echo 0 >$DBG/freeze
listed() { grep -q "^listed" /tmp/hold.out; }
retry 100 listed || fail "the listing of d waits still: $(cat /tmp/hold.out)"
H=
retry 100 gone $L || fail "the Tlcreate waits still"
L=
# X was left as it was: the Tlcreate replaced it with the open file n.
R=$(cat /tmp/lcreate.body.out)
expect_type 15 "Tlcreate n on X after the walk's EAGAIN"
[ -f $EXPORT/d/n ] || fail "n not created"
echo "X left unchanged by the walk, the Tlcreate done: ok"
echo "$WD" >$WDP

# Nobody holding the lock, the walk onto itself is served there.
t_walk $A $V d; expect_type 111 "walk d"
t_begin; t_u32 $V; t_u32 $V; t_u16 1; t_str e
R=$(hvl-9psend "$INJN" 110 $BODY 2>&1) ||
	fail "the walk of V onto itself was not served: $R"
expect_type 111 "walk of V onto itself"
[ "$(r_byte 7)" = 1 ] || fail "walk of V onto itself: $(r_byte 7) qids"
# V names the file e now: no name beneath it.
t_walk $V 7503 x; expect_lerror 20 "walk beneath V, now e"
echo "walk of V onto itself, as the work item serves it: ok"
t_clunk $V
t_clunk $X
t_clunk $A

# The stock client walks a fid onto itself past 16 names: a user with no
# fid of any directory on the way walks from the root, 16 names cloning
# the root's fid, the rest onto the clone.
P=$MNT/w
i=1
while [ $i -le 20 ]; do
	P=$P/l$i
	i=$((i + 1))
done
mkdir -p $P || fail "mkdir -p of 21 levels"
touch $P/f || fail "create the deepest file"
out=$(cd $P && su -s /bin/sh nobody -c 'ls .') ||
	fail "ls of 21 levels as nobody: $out"
[ "$out" = f ] || fail "ls of 21 levels as nobody: '$out', not f"
echo "ls 21 levels deep as nobody (a walk onto itself through the ring): ok"

p9_umount_clean
p9_down
