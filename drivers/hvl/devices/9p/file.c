// SPDX-License-Identifier: GPL-2.0-only
/*
 * Operations on a fid's file: open, create, I/O, directory listing,
 * attributes (locks are in lock.c).
 *
 * dentry_open() does none of the checks an open(2) does on its way
 * (those live in the path walk), so lopen makes them here: search and
 * access permission, no writing to directories, append-only and
 * read-only exports; only regular files and directories are opened, so
 * the peer cannot reach a device node that happens to sit in the export,
 * nor park a worker on a FIFO.
 *
 * I/O uses explicit offsets (pread/pwrite semantics), so one open fid may
 * serve concurrent reads and writes; readdir moves the file position and
 * is serialised by the fid's lock.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/uio.h>
#include <linux/unaligned.h>

#include "hvl_9p.h"

/* 9P2000.L setattr valid bits (the v9fs client's P9_ATTR_*). */
#define ATTR9_MODE	BIT(0)
#define ATTR9_UID	BIT(1)
#define ATTR9_GID	BIT(2)
#define ATTR9_SIZE	BIT(3)
#define ATTR9_ATIME	BIT(4)
#define ATTR9_MTIME	BIT(5)
#define ATTR9_CTIME	BIT(6)
#define ATTR9_ATIME_SET	BIT(7)
#define ATTR9_MTIME_SET	BIT(8)

static dev_t root_dev(struct hvl_9p_call *c)
{
	return c->srv->root.dentry->d_sb->s_dev;
}

/* P9_DOTL_* are the same on every architecture; O_* are not. */
static int open_flags(u32 fl)
{
	int f = 0;

	switch (fl & 3) {
	case P9_DOTL_RDONLY:
		f = O_RDONLY;
		break;
	case P9_DOTL_WRONLY:
		f = O_WRONLY;
		break;
	case P9_DOTL_RDWR:
		f = O_RDWR;
		break;
	default:
		return -EINVAL;
	}
	if (fl & P9_DOTL_APPEND)
		f |= O_APPEND;
	if (fl & P9_DOTL_TRUNC)
		f |= O_TRUNC;
	if (fl & P9_DOTL_DSYNC)
		f |= O_DSYNC;
	if (fl & P9_DOTL_SYNC)
		f |= O_SYNC;
	if (fl & P9_DOTL_DIRECTORY)
		f |= O_DIRECTORY;
	/* O_DIRECT, O_NOATIME, O_NONBLOCK...: the client's business. */
	return f | O_LARGEFILE;
}

static int may_open(struct hvl_9p *srv, const struct path *p, int flags,
		    bool created)
{
	struct inode *inode = d_inode(p->dentry);
	bool write = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	int mask = MAY_OPEN;

	if (S_ISLNK(inode->i_mode))
		return -ELOOP;
	if (!S_ISREG(inode->i_mode) && !S_ISDIR(inode->i_mode))
		return -EPERM;
	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->i_mode))
		return -ENOTDIR;
	if (S_ISDIR(inode->i_mode) && write)
		return -EISDIR;
	if (write && srv->read_only)
		return -EROFS;
	if ((flags & O_ACCMODE) != O_WRONLY)
		mask |= MAY_READ;
	if (write)
		mask |= MAY_WRITE;
	/*
	 * As open(2) (FMODE_CREATED): the creator may open the file it has
	 * just created whatever its mode, or "tar x" of a read-only file
	 * would fail, and leave it empty.
	 */
	if (created)
		mask = MAY_OPEN;
	if (IS_APPEND(inode) && write &&
	    (!(flags & O_APPEND) || (flags & O_TRUNC)))
		return -EPERM;
	return inode_permission(mnt_idmap(p->mnt), inode, mask);
}

/*
 * Open @f's path with @flags (@created: by this Tlcreate, so no
 * permission check, as open(2) does).  @f is a new fid, not yet
 * published: the opened fid replaces the unopened one in the table
 * (see hvl_9p.h).  O_TRUNC is left to the caller, for after the swap.
 */
static int open_fid(struct hvl_9p *srv, struct hvl_9p_fid *f, int flags,
		    bool created)
{
	struct file *file;
	int ret;

	ret = may_open(srv, &f->path, flags, created);
	if (ret)
		return ret;
	file = dentry_open(&f->path, flags & ~O_TRUNC, current_cred());
	if (IS_ERR(file))
		return PTR_ERR(file);
	f->file = file;
	return 0;
}

/*
 * O_TRUNC of the opened fid @f, which has just replaced @old (locked,
 * held by the caller) in the table.  The truncation comes last because
 * it is the one step that loses data: done before the swap, a swap that
 * then failed (the fid clunked meanwhile, a peer reset) answered an
 * error for an open that had emptied the file.  If the truncation
 * fails, @old goes back in @f's place, so a failed open leaves the fid
 * as it was; if @f is gone already (clunked, reset), so is the fid.
 */
static int open_truncate(struct hvl_9p_call *c, struct hvl_9p_fid *old,
			 struct hvl_9p_fid *f)
{
	int ret;

	lockdep_assert_held(&old->lock);

	ret = vfs_truncate(&f->path, 0);
	if (!ret)
		return 0;
	/* The table's reference to @old, if the swap back succeeds. */
	refcount_inc(&old->ref);
	/* No path takes two fid locks but this one, old before new. */
	mutex_lock_nested(&f->lock, SINGLE_DEPTH_NESTING);
	if (hvl_9p_fid_replace(&c->srv->fids, f, old, c->gen))
		hvl_9p_fid_put(old);
	mutex_unlock(&f->lock);
	return ret;
}

/* Rlopen and Rlcreate: qid[13] iounit[4] */
#define RLOPEN_SIZE	17

/*
 * Open @path as the new state of the fid @old (locked, published): a
 * new fid with the same number and the open file, swapped into the
 * table, then truncated for O_TRUNC.  @created: Tlcreate made @path (no
 * permission check).  On success the qid of the opened file is in @qid.
 */
static int open_replace(struct hvl_9p_call *c, struct hvl_9p_fid *old,
			const struct path *path, int flags, bool created,
			struct p9_qid *qid)
{
	struct hvl_9p_fid *f;
	int ret;

	lockdep_assert_held(&old->lock);

	f = hvl_9p_fid_alloc(old->fid, path);
	if (!f)
		return -ENOMEM;
	ret = open_fid(c->srv, f, flags, created);
	if (!ret)
		ret = hvl_9p_qid_of(&f->path, root_dev(c), qid);
	if (ret)
		goto out_put;
	/* Ours, while the table's reference may go with a clunk. */
	refcount_inc(&f->ref);
	ret = hvl_9p_fid_replace(&c->srv->fids, old, f, c->gen);
	if (ret) {
		hvl_9p_fid_put(f);
		goto out_put;
	}
	/* dentry_open() leaves O_TRUNC to the path walk, as do we. */
	if ((flags & O_TRUNC) && S_ISREG(file_inode(f->file)->i_mode))
		ret = open_truncate(c, old, f);
out_put:
	hvl_9p_fid_put(f);
	return ret;
}

int hvl_9p_file_lopen(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	u32 fl = hvl_9p_pdu_get32(&c->in);
	struct hvl_9p_fid *f;
	struct p9_qid qid;
	int flags, ret;

	if (c->in.err)
		return c->in.err;
	/* Before the swap: a reply that cannot be sent must change nothing. */
	if (hvl_9p_pdu_room(&c->out) < RLOPEN_SIZE)
		return -EMSGSIZE;
	flags = open_flags(fl);
	if (flags < 0)
		return flags;
	f = hvl_9p_fid_verify(c, fid, HVL_9P_NEED_PATH | HVL_9P_NEED_UNOPENED |
			      HVL_9P_NEED_BENEATH);
	if (IS_ERR(f))
		return PTR_ERR(f);
	mutex_lock(&f->lock);
	/* Opened (so replaced) by a request that held the lock before us. */
	ret = hvl_9p_fid_published(&c->srv->fids, f) ?
	      open_replace(c, f, &f->path, flags, false, &qid) : -EINVAL;
	mutex_unlock(&f->lock);
	hvl_9p_fid_put(f);
	if (ret)
		return ret;
	hvl_9p_pdu_putqid(&c->out, &qid);
	hvl_9p_pdu_put32(&c->out, 0);	/* iounit: the client's choice */
	return 0;
}

/*
 * The create half of Tlcreate: @name in the directory @dir, created if
 * it does not exist (O_CREAT), must not exist with P9_DOTL_EXCL
 * (O_EXCL), and is never a directory (EISDIR, as open(2) says).  The
 * file's path is returned referenced in @child; *@created says whether
 * it is new (nothing to truncate then).
 */
static int lcreate_child(const struct path *dir, const char *name, u32 fl,
			 u32 mode, struct path *child, bool *created)
{
	struct dentry *d;
	int ret;

	*created = false;
	ret = mnt_want_write(dir->mnt);
	if (ret)
		return ret;
	d = hvl_9p_walk_lock_child(dir, name);
	if (IS_ERR(d)) {
		ret = PTR_ERR(d);
		goto out_drop;
	}
	if (d_is_positive(d)) {
		if (fl & P9_DOTL_EXCL)
			ret = -EEXIST;
		else if (d_is_dir(d))
			ret = -EISDIR;
	} else {
		ret = vfs_create(mnt_idmap(dir->mnt), d_inode(dir->dentry), d,
				 (mode & S_IALLUGO) | S_IFREG,
				 fl & P9_DOTL_EXCL);
		*created = !ret;
	}
	if (!ret) {
		child->mnt = mntget(dir->mnt);
		child->dentry = dget(d);
	}
	hvl_9p_walk_unlock_child(dir, d);
out_drop:
	mnt_drop_write(dir->mnt);
	return ret;
}

/*
 * Tlcreate fid name flags mode gid: create name in the directory fid and
 * open it; fid then names the new file (a new fid in its place: see
 * hvl_9p.h).  On any error the fid is left as it was.  gid is ignored:
 * files belong to the export's uid/gid.
 */
int hvl_9p_file_lcreate(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	char *name = hvl_9p_pdu_getstr(&c->in, NAME_MAX);
	u32 fl = hvl_9p_pdu_get32(&c->in);
	u32 mode = hvl_9p_pdu_get32(&c->in);
	struct hvl_9p_fid *f;
	struct path child;
	struct p9_qid qid;
	bool created;
	int flags, ret;

	hvl_9p_pdu_get32(&c->in);	/* gid */
	if (c->in.err) {
		ret = c->in.err;
		goto out_name;
	}
	flags = open_flags(fl);
	if (flags < 0) {
		ret = flags;
		goto out_name;
	}
	/*
	 * open(2) refuses O_CREAT | O_DIRECTORY (EINVAL, since 6.4): a file
	 * would be created and the open then fail ENOTDIR on it.
	 */
	ret = -EINVAL;
	if (flags & O_DIRECTORY)
		goto out_name;
	/* Nothing created, no fid swapped, for a reply that cannot be sent. */
	ret = -EMSGSIZE;
	if (hvl_9p_pdu_room(&c->out) < RLOPEN_SIZE)
		goto out_name;
	f = hvl_9p_fid_verify(c, fid, HVL_9P_NEED_DIR | HVL_9P_NEED_UNOPENED |
			      HVL_9P_NEED_BENEATH);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto out_name;
	}
	mutex_lock(&f->lock);
	ret = -EINVAL;	/* opened by a request that held the lock first */
	if (!hvl_9p_fid_published(&c->srv->fids, f))
		goto out_unlock;
	ret = lcreate_child(&f->path, name, fl, mode, &child, &created);
	if (ret)
		goto out_unlock;
	if (created)
		flags &= ~O_TRUNC;	/* nothing to truncate */
	ret = open_replace(c, f, &child, flags, created, &qid);
	path_put(&child);
	if (ret)
		goto out_unlock;
	hvl_9p_pdu_putqid(&c->out, &qid);
	hvl_9p_pdu_put32(&c->out, 0);
out_unlock:
	mutex_unlock(&f->lock);
	hvl_9p_fid_put(f);
out_name:
	kfree(name);
	return ret;
}

/*
 * May the open file @file be read (@mode FMODE_READ) or written
 * (FMODE_WRITE)?  kernel_read() and kernel_write() WARN on a file not
 * opened for the access, as no kernel caller should ask; the peer may,
 * and gets what read(2) and write(2) answer.  A directory is never open
 * for writing, and reading one is EISDIR.
 */
static int rw_ok(struct file *file, fmode_t mode)
{
	fmode_t can = mode == FMODE_READ ? FMODE_CAN_READ : FMODE_CAN_WRITE;

	if (!file || !(file->f_mode & mode))
		return -EBADF;
	if (S_ISDIR(file_inode(file)->i_mode))
		return -EISDIR;
	if (!(file->f_mode & can))
		return -EINVAL;
	return 0;
}

/*
 * A read in the ring's work item (c->nowait), which must not wait for I/O:
 * served there, a request needs no hand-off to a worker and back, two
 * cross-CPU wake-ups that cost more than a read from the page cache.  A
 * file system that honours IOCB_NOWAIT (FMODE_NOWAIT) reads what its
 * cache holds; tmpfs, whose pages are memory, reads as usual (it can only
 * wait to swap a page in) and does not take IOCB_NOWAIT.  Anything else,
 * a read that would wait, or one that stopped short of the end of the
 * file at a page not cached, is -EAGAIN: a worker reads it all again.
 *
 * So is every error: the work item answers only what it read.  A file
 * system may refuse IOCB_NOWAIT itself rather than say -EAGAIN (ocfs2
 * answers a buffered read with it -EOPNOTSUPP), and that must not reach
 * the peer as the read's result; a worker gives the real one.  Nor are
 * these tried here, since they wait whatever IOCB_NOWAIT says: O_DIRECT
 * (a sync kiocb waits for its bio), and a file watched for permission
 * events (fanotify's FAN_ACCESS_PERM waits for its listener).
 */
static ssize_t read_nowait(struct file *file, void *buf, size_t count,
			   loff_t *pos)
{
	struct kvec kv = { .iov_base = buf, .iov_len = count };
	struct inode *inode = file_inode(file);
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t n;

	if (!S_ISREG(inode->i_mode) || FMODE_FSNOTIFY_PERM(file->f_mode))
		return -EAGAIN;
	init_sync_kiocb(&kiocb, file);
	kiocb.ki_pos = *pos;
	if (!shmem_mapping(file->f_mapping)) {
		if (!(file->f_mode & FMODE_NOWAIT) ||
		    (kiocb.ki_flags & IOCB_DIRECT))
			return -EAGAIN;
		kiocb.ki_flags |= IOCB_NOWAIT;
	}
	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, count);
	n = vfs_iocb_iter_read(file, &kiocb, &iter);
	if (n < 0 || (n < count && (kiocb.ki_flags & IOCB_NOWAIT) &&
		      kiocb.ki_pos < i_size_read(inode)))
		return -EAGAIN;
	*pos = kiocb.ki_pos;
	return n;
}

int hvl_9p_file_read(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	u64 off = hvl_9p_pdu_get64(&c->in);
	u32 count = hvl_9p_pdu_get32(&c->in);
	struct hvl_9p_fid *f;
	loff_t pos = off;
	u8 *data;
	ssize_t n;

	if (c->in.err)
		return c->in.err;
	if (off > LLONG_MAX)
		return -EINVAL;
	f = hvl_9p_call_fid(c, fid);
	if (!f)
		return -EBADF;
	if (f->kind == HVL_9P_FID_XATTR_READ) {
		n = hvl_9p_xattr_read(f, c, off, count);
		goto out;
	}
	n = rw_ok(f->file, FMODE_READ);
	if (n)
		goto out;
	if (hvl_9p_pdu_room(&c->out) < 4) {
		n = -EMSGSIZE;
		goto out;
	}
	count = min_t(size_t, count, hvl_9p_pdu_room(&c->out) - 4);
	hvl_9p_pdu_put32(&c->out, 0);
	data = c->out.buf + c->out.pos;
	if (c->nowait) {
		n = read_nowait(f->file, data, count, &pos);
		atomic64_inc(n == -EAGAIN ? &c->srv->stats.io_handed :
			     &c->srv->stats.io_inline);
	} else {
		n = kernel_read(f->file, data, count, &pos);
	}
	if (n >= 0) {
		/* Patch the count now that we know it. */
		c->out.pos -= 4;
		hvl_9p_pdu_put32(&c->out, n);
		hvl_9p_pdu_reserve(&c->out, n);
		atomic64_add(n, &c->srv->stats.bytes_read);
		n = 0;
	}
out:
	hvl_9p_fid_put(f);
	return n;
}

/*
 * A write in the ring's work item (c->nowait), on tmpfs only, where it is
 * a copy into memory and O_SYNC costs nothing; and not while another
 * writer holds the file or the file system is frozen, when a worker
 * would wait and the work item must not.  The two are looked at without
 * a lock: one that comes between the look and the write makes the work
 * item wait, as a worker would, only later.  Other file systems, also
 * those that take IOCB_NOWAIT for buffered writes (xfs, btrfs), are left
 * to the workers: a write may still wait there for a journal commit
 * (O_DSYNC, which the peer asks for in Tlopen) or a space flush (xfs at
 * ENOSPC), whatever IOCB_NOWAIT says.  A short write is a write (9P
 * answers with its count); an error, which comes before any byte, is a
 * worker's to give, as for read_nowait().
 */
static ssize_t write_nowait(struct file *file, const void *buf, size_t count,
			    loff_t *pos)
{
	struct kvec kv = { .iov_base = (void *)buf, .iov_len = count };
	struct inode *inode = file_inode(file);
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t n;

	if (!S_ISREG(inode->i_mode) || !count ||
	    !shmem_mapping(file->f_mapping) || inode_is_locked(inode) ||
	    READ_ONCE(inode->i_sb->s_writers.frozen) != SB_UNFROZEN)
		return -EAGAIN;
	init_sync_kiocb(&kiocb, file);
	kiocb.ki_pos = *pos;
	iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, count);
	n = vfs_iocb_iter_write(file, &kiocb, &iter);
	if (n < 0)
		return -EAGAIN;
	*pos = kiocb.ki_pos;
	return n;
}

/*
 * Twrite to an xattrcreate fid: a copy into its buffer.  A worker's clunk
 * of the fid holds the fid's lock while it sets the attribute, which may
 * wait (clunk_nowait() in server.c): the work item does not wait for it.
 */
static ssize_t xattr_write(struct hvl_9p_call *c, struct hvl_9p_fid *f,
			   u64 off, const void *data, u32 count)
{
	ssize_t n;

	if (!c->nowait)
		mutex_lock(&f->lock);
	else if (!mutex_trylock(&f->lock))
		return -EAGAIN;
	n = hvl_9p_xattr_write(f, off, data, count);
	mutex_unlock(&f->lock);
	return n;
}

int hvl_9p_file_write(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	u64 off = hvl_9p_pdu_get64(&c->in);
	u32 count = hvl_9p_pdu_get32(&c->in);
	const void *data = hvl_9p_pdu_getdata(&c->in, count);
	struct hvl_9p_fid *f;
	loff_t pos = off;
	ssize_t n;

	if (c->in.err)
		return c->in.err;
	if (off > LLONG_MAX)
		return -EINVAL;
	f = hvl_9p_call_fid(c, fid);
	if (!f)
		return -EBADF;
	if (f->kind == HVL_9P_FID_XATTR_WRITE) {
		n = xattr_write(c, f, off, data, count);
	} else if (c->nowait) {
		n = rw_ok(f->file, FMODE_WRITE) ?:
		    write_nowait(f->file, data, count, &pos);
		atomic64_inc(n == -EAGAIN ? &c->srv->stats.io_handed :
			     &c->srv->stats.io_inline);
	} else {
		n = rw_ok(f->file, FMODE_WRITE) ?:
		    kernel_write(f->file, data, count, &pos);
	}
	hvl_9p_fid_put(f);
	if (n < 0)
		return n;
	atomic64_add(n, &c->srv->stats.bytes_written);
	hvl_9p_pdu_put32(&c->out, n);
	return 0;
}

/*
 * Readdir.  Each entry carries the offset that resumes the listing after
 * it, which is only known when the next entry (or the end) is seen: as
 * nfsd does, an entry's offset field is patched by the next call of the
 * actor (also when that entry no longer fits: the client resumes with
 * it), and the last one with the position the iteration ended at.
 */
struct rdctx {
	struct dir_context ctx;
	struct hvl_9p_pdu *out;
	u8 *last_off;		/* offset field of the previous entry */
	bool full;
};

static bool filldir(struct dir_context *ctx, const char *name, int len,
		    loff_t off, u64 ino, unsigned int d_type)
{
	struct rdctx *rd = container_of(ctx, struct rdctx, ctx);
	struct hvl_9p_pdu *o = rd->out;
	struct p9_qid qid;
	size_t pos;

	/* Never after a refusal: a later, shorter name would skip this one. */
	if (rd->full)
		return false;
	if (hvl_9p_pdu_room(o) < 24u + len) {
		/* The next call starts with this entry. */
		if (rd->last_off)
			put_unaligned_le64(off, rd->last_off);
		rd->full = true;
		return false;
	}
	if (rd->last_off)
		put_unaligned_le64(off, rd->last_off);
	hvl_9p_qid_from_dtype(&qid, d_type, ino);
	hvl_9p_pdu_putqid(o, &qid);
	pos = o->pos;
	hvl_9p_pdu_put64(o, 0);
	rd->last_off = o->buf + pos;
	hvl_9p_pdu_put8(o, d_type);
	hvl_9p_pdu_putstr(o, name, len);
	return true;
}

int hvl_9p_file_readdir(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	u64 off = hvl_9p_pdu_get64(&c->in);
	u32 count = hvl_9p_pdu_get32(&c->in);
	struct rdctx rd = { .ctx.actor = filldir };
	struct hvl_9p_pdu sub;
	struct hvl_9p_fid *f;
	loff_t pos;
	int ret;

	if (c->in.err)
		return c->in.err;
	f = hvl_9p_call_fid(c, fid);
	if (!f)
		return -EBADF;
	if (!f->file || !S_ISDIR(file_inode(f->file)->i_mode)) {
		ret = f->file ? -ENOTDIR : -EBADF;
		goto out;
	}
	if (hvl_9p_pdu_room(&c->out) < 4) {
		ret = -EMSGSIZE;
		goto out;
	}
	/* Entries go after the count field, within count bytes. */
	count = min_t(size_t, count, hvl_9p_pdu_room(&c->out) - 4);
	hvl_9p_pdu_init(&sub, c->out.buf + c->out.pos + 4, count);
	rd.out = &sub;
	mutex_lock(&f->lock);
	pos = vfs_llseek(f->file, off, SEEK_SET);
	ret = pos < 0 ? pos : iterate_dir(f->file, &rd.ctx);
	if (rd.last_off && !rd.full)
		put_unaligned_le64(f->file->f_pos, rd.last_off);
	mutex_unlock(&f->lock);
	/* An error after some entries still returns those entries. */
	if (ret && sub.pos)
		ret = 0;
	/*
	 * An empty reply means the end of the directory to the client: a
	 * count too small for the next entry is an error, as getdents(2)
	 * answers.
	 */
	if (!ret && rd.full && !sub.pos)
		ret = -EINVAL;
	if (!ret) {
		hvl_9p_pdu_put32(&c->out, sub.pos);
		hvl_9p_pdu_reserve(&c->out, sub.pos);
	}
out:
	hvl_9p_fid_put(f);
	return ret;
}

int hvl_9p_file_fsync(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	u32 datasync = hvl_9p_pdu_get32(&c->in);
	struct hvl_9p_fid *f;
	int ret;

	if (c->in.err)
		return c->in.err;
	f = hvl_9p_call_fid(c, fid);
	if (!f)
		return -EBADF;
	ret = f->file ? vfs_fsync(f->file, !!datasync) : -EBADF;
	hvl_9p_fid_put(f);
	return ret;
}

int hvl_9p_file_getattr(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	struct hvl_9p_pdu *o = &c->out;
	struct hvl_9p_fid *f;
	struct p9_qid qid;
	struct kstat st;
	u32 gen;
	int ret;

	hvl_9p_pdu_get64(&c->in);	/* request mask: we always send all */
	if (c->in.err)
		return c->in.err;
	f = hvl_9p_call_fid(c, fid);
	if (!f)
		return -EBADF;
	ret = vfs_getattr(&f->path, &st, STATX_BASIC_STATS | STATX_BTIME,
			  AT_STATX_SYNC_AS_STAT);
	gen = d_inode(f->path.dentry)->i_generation;
	hvl_9p_fid_put(f);
	if (ret)
		return ret;
	hvl_9p_qid_from_mode(&qid, st.mode, st.ino, gen, st.dev, root_dev(c));
	hvl_9p_pdu_put64(o, P9_STATS_BASIC | P9_STATS_GEN |
			 ((st.result_mask & STATX_BTIME) ? P9_STATS_BTIME : 0));
	hvl_9p_pdu_putqid(o, &qid);
	hvl_9p_pdu_put32(o, st.mode);
	hvl_9p_pdu_put32(o, from_kuid_munged(&init_user_ns, st.uid));
	hvl_9p_pdu_put32(o, from_kgid_munged(&init_user_ns, st.gid));
	hvl_9p_pdu_put64(o, st.nlink);
	hvl_9p_pdu_put64(o, huge_encode_dev(st.rdev));
	hvl_9p_pdu_put64(o, st.size);
	hvl_9p_pdu_put64(o, st.blksize);
	hvl_9p_pdu_put64(o, st.blocks);
	hvl_9p_pdu_put64(o, st.atime.tv_sec);
	hvl_9p_pdu_put64(o, st.atime.tv_nsec);
	hvl_9p_pdu_put64(o, st.mtime.tv_sec);
	hvl_9p_pdu_put64(o, st.mtime.tv_nsec);
	hvl_9p_pdu_put64(o, st.ctime.tv_sec);
	hvl_9p_pdu_put64(o, st.ctime.tv_nsec);
	hvl_9p_pdu_put64(o, st.btime.tv_sec);
	hvl_9p_pdu_put64(o, st.btime.tv_nsec);
	hvl_9p_pdu_put64(o, gen);
	hvl_9p_pdu_put64(o, 0);		/* data_version */
	return 0;
}

/*
 * Tsetattr fid valid mode uid gid size atime mtime.  Size goes through
 * vfs_truncate() (which checks write permission, as truncate(2) does);
 * the rest, sanitized (attr.c), through notify_change(), whose
 * setattr_prepare() and may_setattr() enforce ownership for chmod, chown
 * and explicit times, and write permission for times set to "now", as
 * for utimensat(2).
 */
int hvl_9p_file_setattr(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	u32 valid = hvl_9p_pdu_get32(&c->in);
	u32 mode = hvl_9p_pdu_get32(&c->in);
	u32 uid = hvl_9p_pdu_get32(&c->in);
	u32 gid = hvl_9p_pdu_get32(&c->in);
	u64 size = hvl_9p_pdu_get64(&c->in);
	struct iattr ia = {};
	struct hvl_9p_fid *f;
	struct inode *inode;
	struct mnt_idmap *idmap;
	int ret = 0;

	ia.ia_atime.tv_sec = hvl_9p_pdu_get64(&c->in);
	ia.ia_atime.tv_nsec = hvl_9p_pdu_get64(&c->in);
	ia.ia_mtime.tv_sec = hvl_9p_pdu_get64(&c->in);
	ia.ia_mtime.tv_nsec = hvl_9p_pdu_get64(&c->in);
	if (c->in.err)
		return c->in.err;
	if (((valid & ATTR9_ATIME_SET) &&
	     (u64)ia.ia_atime.tv_nsec >= NSEC_PER_SEC) ||
	    ((valid & ATTR9_MTIME_SET) &&
	     (u64)ia.ia_mtime.tv_nsec >= NSEC_PER_SEC) || size > LLONG_MAX)
		return -EINVAL;
	f = hvl_9p_call_fid(c, fid);
	if (!f)
		return -EBADF;
	inode = d_inode(f->path.dentry);
	idmap = mnt_idmap(f->path.mnt);

	/* fchmodat(2) says so of a symlink; it used to be ignored, "done". */
	ret = -EOPNOTSUPP;
	if ((valid & ATTR9_MODE) && S_ISLNK(inode->i_mode))
		goto out;
	ret = 0;
	if (valid & ATTR9_SIZE) {
		ret = vfs_truncate(&f->path, size);
		if (ret)
			goto out;
	}
	if (valid & ATTR9_MODE) {
		ia.ia_valid |= ATTR_MODE;
		ia.ia_mode = mode;
	}
	if (valid & ATTR9_UID) {
		ia.ia_valid |= ATTR_UID;
		ia.ia_vfsuid = VFSUIDT_INIT(make_kuid(&init_user_ns, uid));
	}
	if (valid & ATTR9_GID) {
		ia.ia_valid |= ATTR_GID;
		ia.ia_vfsgid = VFSGIDT_INIT(make_kgid(&init_user_ns, gid));
	}
	if (valid & ATTR9_ATIME) {
		ia.ia_valid |= ATTR_ATIME;
		if (valid & ATTR9_ATIME_SET)
			ia.ia_valid |= ATTR_ATIME_SET;
	}
	if (valid & ATTR9_MTIME) {
		ia.ia_valid |= ATTR_MTIME;
		if (valid & ATTR9_MTIME_SET)
			ia.ia_valid |= ATTR_MTIME_SET;
	}
	if (valid & ATTR9_CTIME)
		ia.ia_valid |= ATTR_CTIME;
	hvl_9p_attr_sanitize(idmap, inode, &ia);
	if (!(ia.ia_valid & ~ATTR_CTIME))
		goto out;	/* size only (done), or nothing */
	/*
	 * As utimensat(2) (vfs_utimes()) says which times these are, so
	 * that notify_change()'s may_setattr() checks them: explicit times
	 * are ATTR_TIMES_SET (refused on append-only and immutable files;
	 * setattr_prepare() wants the owner), and so is one time of two set
	 * to "now"; only both set to now is ATTR_TOUCH (refused on immutable
	 * files; write permission is enough), as do_utimes() turns
	 * {UTIME_NOW, UTIME_NOW} into a NULL times.
	 */
	if ((ia.ia_valid & (ATTR_ATIME | ATTR_MTIME | ATTR_ATIME_SET |
			    ATTR_MTIME_SET)) == (ATTR_ATIME | ATTR_MTIME))
		ia.ia_valid |= ATTR_TOUCH;
	else if (ia.ia_valid & (ATTR_ATIME | ATTR_MTIME))
		ia.ia_valid |= ATTR_TIMES_SET;
	ia.ia_valid |= ATTR_CTIME;
	ret = mnt_want_write(f->path.mnt);
	if (ret)
		goto out;
	inode_lock(inode);
	ret = notify_change(idmap, f->path.dentry, &ia, NULL);
	inode_unlock(inode);
	mnt_drop_write(f->path.mnt);
out:
	hvl_9p_fid_put(f);
	return ret;
}
