# SPDX-License-Identifier: GPL-2.0
# What users run on a shared directory, from the peer over the mount
# (the stock v9fs client at /mnt/9p), with the results checked on the
# Linux side, in the export: GNU tar (create and extract of a source
# tree: modes, times, symlinks), cp -a (coreutils) and git (init, add,
# commit, status, a branch checked out, fsck).  The programs are the
# host's Debian ones (tests/qemu/initramfs.sh); busybox's tar and cp,
# first in PATH, are not what users run, hence the full paths.
#
# Ownership is not compared: every file the server creates belongs to
# the export's user (nobody), whoever the client claims to be, so tar
# and cp are told not to try (--no-same-owner, --no-preserve=ownership).
# hvl-timeout: 600
. /tests/lib.sh
. /tests/lib-9p.sh

TAR=/usr/bin/tar CP=/usr/bin/cp GIT=/usr/bin/git
for p in $TAR $CP $GIT; do
	[ -x $p ] || { echo "SKIP: $p not in the guest"; exit 77; }
done

# Files created without write permission for their owner are
# everywhere: tar and cp -a create a read-only file with its final mode,
# tar extracts a symlink that is absolute or has ".." in it as a mode 0
# placeholder first, git writes every object 0444.  Before the
# create-time permission fix (issue 11 item 7: Tlcreate checked the new
# file's mode when it opened it for writing, where open(2) does not)
# they failed so: tar "./gen/readonly: Cannot open: Permission denied"
# (and the same for abs-link and rel-link), git add "insufficient
# permission for adding an object to repository database .git/objects".
# P9_READONLY=0 leaves them out (and git with them).
READONLY=${P9_READONLY:-1}

p9_up

# manifest <dir>: one line per entry, from the Linux side: type, mode,
# size, mtime (not for symlinks: not every tool sets their times), the
# link target or the content's checksum; sorted by name.  A handful of
# processes per tree, not several per file: a fork costs some 60 ms in
# this guest.
manifest() {
	(cd "$1" && find . | sort | xargs stat -c '%n %A %a %s %Y' >/tmp/mf.stat &&
	 find . -type f | xargs -r sha256sum >/tmp/mf.sum &&
	 find . -type l | while read -r f; do
		echo "$f $(readlink "$f")"
	 done >/tmp/mf.link &&
	 awk 'FILENAME ~ /sum$/ { sum[$2] = substr($1, 1, 16); next }
	      FILENAME ~ /link$/ { link[$1] = $2; next }
	      $2 ~ /^l/ { print $1, "link", link[$1]; next }
	      $2 ~ /^d/ { print $1, "dir", $3, $5; next }
	      { print $1, "file", $3, $4, $5, sum[$1] }' \
		/tmp/mf.sum /tmp/mf.link /tmp/mf.stat)
}

# A source tree on the Linux side: our tools and two of our scripts,
# small files in nested directories (about 40 entries in all, a fixed
# number: in this guest a 9P round trip costs milliseconds, and a file
# some twenty of them per tool), symlinks (relative, dangling, to a
# directory; absolute and climbing ones with READONLY), modes from 0640
# to 0755, old mtimes.
SRC=/tmp/src
rm -rf $SRC
mkdir -p $SRC/tree/tests
$CP -a /tools $SRC/tree/
$CP -a /tests/lib.sh /tests/lib-9p.sh $SRC/tree/tests/
i=0
while [ $i -lt 4 ]; do
	mkdir -p $SRC/gen/d$i/sub
	j=0
	while [ $j -lt 2 ]; do
		echo "file $i.$j" >$SRC/gen/d$i/f$j.c
		j=$((j + 1))
	done
	echo "deep $i" >$SRC/gen/d$i/sub/deep.h
	i=$((i + 1))
done
ln -s d0/f0.c $SRC/gen/sibling-link
ln -s no/such/file $SRC/gen/dangling
ln -s d3 $SRC/gen/dir-link
chmod 755 $SRC/gen/d1/f1.c
chmod 640 $SRC/gen/d2/f1.c
chmod 750 $SRC/gen/d2
chmod 700 $SRC/gen/d3
touch -d "2001-02-03 04:05:06" $SRC/gen/d3/f1.c $SRC/gen/d3
if [ "$READONLY" = 1 ]; then
	echo ro >$SRC/gen/readonly
	chmod 444 $SRC/gen/readonly
	ln -s ../tree/tests/lib.sh $SRC/gen/rel-link
	ln -s /etc/passwd $SRC/gen/abs-link
fi
want=$(manifest $SRC)
echo "source tree: $(echo "$want" | wc -l) entries"

# GNU tar: create on the mount, extract onto the mount, re-create from
# the mount; both extracted trees and the archives agree.
t0=$(now)
$TAR -C $SRC -cf $MNT/src.tar . || fail "tar create onto the mount"
cmp $MNT/src.tar $EXPORT/src.tar || fail "tar archive differs on both sides"
mkdir $MNT/x
$TAR -C $MNT/x --no-same-owner -xpf $MNT/src.tar || fail "tar extract onto the mount"
got=$(manifest $EXPORT/x)
[ "$got" = "$want" ] || { echo "$want" >/tmp/want; echo "$got" >/tmp/got
	diff /tmp/want /tmp/got | head -20; fail "tar: the export's tree differs"; }
$TAR -C $MNT/x -cf /tmp/back.tar . || fail "tar create from the mount"
[ "$($TAR -tvf /tmp/back.tar | awk '{print $1, $3, $6}' | sort)" = \
  "$($TAR -tvf $MNT/src.tar | awk '{print $1, $3, $6}' | sort)" ] ||
	fail "tar: the archive of the mount's tree differs"
echo "tar: $(echo "$want" | wc -l) entries created, extracted, archived again, modes/times/links kept: ok ($(( ($(now) - t0) / 100 )) s)"

# cp -a, both ways: onto the mount, and from the mount back to Linux.
t0=$(now)
$CP -a --no-preserve=ownership $SRC $MNT/cp || fail "cp -a onto the mount"
got=$(manifest $EXPORT/cp)
[ "$got" = "$want" ] || { echo "$want" >/tmp/want; echo "$got" >/tmp/got
	diff /tmp/want /tmp/got | head -20; fail "cp -a: the export's tree differs"; }
rm -rf /tmp/cpback
$CP -a $MNT/cp /tmp/cpback || fail "cp -a from the mount"
got=$(manifest /tmp/cpback)
[ "$got" = "$want" ] || fail "cp -a: the tree copied back differs"
echo "cp -a: onto the mount and back, modes/times/links kept: ok ($(( ($(now) - t0) / 100 )) s)"
rm -rf $MNT/x $MNT/cp $MNT/src.tar /tmp/back.tar /tmp/cpback

if [ "$READONLY" != 1 ]; then
	echo "git: not run, its objects are created read-only (P9_READONLY=0)"
	rm -rf $SRC
	p9_umount_clean
	p9_down
	exit 0
fi

# git, as a user would: a repository on the mount.  No templates (the
# guest has none), no background maintenance, no pager.  In cache=loose,
# as one would mount a tree that only this client changes: the server
# still serves every create, link, rename, chmod and write git makes,
# but the client keeps its dentries and attributes, where cache=none
# cost 21 000 round trips (walk, getattr, clunk: 204 s of this guest
# against 46 s; tar and cp -a above run in cache=none).
export HOME=/tmp/githome GIT_PAGER=cat GIT_TERMINAL_PROMPT=0
export GIT_AUTHOR_NAME=hvl GIT_AUTHOR_EMAIL=hvl@example.org
export GIT_COMMITTER_NAME=hvl GIT_COMMITTER_EMAIL=hvl@example.org
mkdir -p $HOME
$GIT config --global init.defaultBranch main
$GIT config --global gc.auto 0
$GIT config --global maintenance.auto false
# The files belong to nobody, git runs as root: not "dubious" here.
$GIT config --global safe.directory '*'
p9_umount
OPTS=cache=loose p9_mount
t0=$(now)
R9=$MNT/repo
mkdir $R9
$GIT -C $R9 init -q --template= || fail "git init"
$CP -a --no-preserve=ownership $SRC/gen $R9/ || fail "cp into the repository"
$GIT -C $R9 add -A || fail "git add"
$GIT -C $R9 commit -qm "first" || fail "git commit"
[ -z "$($GIT -C $R9 status --porcelain)" ] || fail "git status after commit: $($GIT -C $R9 status --porcelain)"
$GIT -C $R9 checkout -q -b topic || fail "git checkout -b"
echo change >>$R9/gen/d0/f0.c
rm $R9/gen/d1/f1.c
echo new >$R9/gen/added
$GIT -C $R9 status --porcelain | grep -q "^ M gen/d0/f0.c" || fail "git status misses a change"
$GIT -C $R9 add -A && $GIT -C $R9 commit -qm "second" || fail "git commit on topic"
$GIT -C $R9 checkout -q main || fail "git checkout main"
[ ! -e $R9/gen/added ] && [ -f $R9/gen/d1/f1.c ] ||
	fail "checkout main: the work tree is topic's"
$GIT -C $R9 fsck --strict || fail "git fsck (over the mount)"
# What the client still caches goes to the server before Linux looks.
sync
[ "$(stat -c %a $EXPORT/repo/gen/d1/f1.c)" = 755 ] || fail "checkout: the mode of an executable is lost"
# The Linux side sees the same repository.
$GIT -C $EXPORT/repo fsck --strict || fail "git fsck (in the export)"
[ "$($GIT -C $EXPORT/repo rev-list --count topic)" = 2 ] || fail "topic has not 2 commits"
[ -z "$($GIT -C $EXPORT/repo status --porcelain)" ] || fail "git status in the export: not clean"
[ "$(cat $EXPORT/repo/gen/d0/f0.c)" = "file 0.0" ] || fail "the export's work tree is not main's"
echo "git: init, add, commit, status, branch, checkout, fsck over the mount, checked in the export: ok ($(( ($(now) - t0) / 100 )) s)"

rm -rf $SRC
p9_umount_clean
p9_down
