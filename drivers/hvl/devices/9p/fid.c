// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fid table: client-chosen 32-bit handles to server state.
 *
 * An xarray keyed by fid number.  The table owns one reference to each
 * fid; hvl_9p_fid_get() hands out another under the xarray lock, so a
 * request keeps its fid alive across a concurrent clunk or peer reset.
 *
 * Sessions: a peer reset or a Tversion clears the table and bumps its
 * generation while workers of the old session may still be running.  A
 * request carries the generation the table had when it was popped
 * (hvl_9p_fid_session()), and a worker inserting a new fid (walk,
 * attach, xattrwalk) passes it; an insert from a dead session is
 * refused, so no fid can outlive the reset or version that was meant to
 * free it.  The generation is the table's own, not the ring's: a
 * Tversion ends the fids of a session but not its ring, whose replies
 * still go back to the peer.
 *
 * Each fid pins a dentry and maybe an open file, and fid numbers are the
 * peer's to choose: the table holds at most @max of them, so a peer that
 * walks without clunking runs out of fids (EMFILE) before Linux runs out
 * of memory or files.  A fid may also hold an xattr buffer of up to
 * 64 KiB, the peer choosing its size: those are charged to a byte budget
 * of the table (@xmax, the max_xattr_bytes parameter) before they are
 * allocated, and returned when the fid is freed.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "hvl_9p.h"

void hvl_9p_fid_init(struct hvl_9p_fids *t, unsigned int max,
		     struct device *dev)
{
	xa_init(&t->xa);
	t->gen = 0;
	t->nr = 0;
	t->max = max;
	t->refused = 0;
	t->dev = dev;
	atomic_long_set(&t->xbytes, 0);
	t->xmax = 0;
	atomic_long_set(&t->xrefused, 0);
}

/**
 * hvl_9p_fid_alloc() - a new, unpublished fid
 * @fid: its number
 * @path: what it names (a reference is taken), or NULL
 *
 * Return: the fid with one reference, or NULL.
 */
struct hvl_9p_fid *hvl_9p_fid_alloc(u32 fid, const struct path *path)
{
	struct hvl_9p_fid *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	refcount_set(&f->ref, 1);
	f->fid = fid;
	mutex_init(&f->lock);
	if (path) {
		f->path = *path;
		path_get(&f->path);
	}
	return f;
}

/**
 * hvl_9p_fid_insert() - publish a fid
 * @t: the table
 * @f: from hvl_9p_fid_alloc(); on success the table owns this reference
 * @gen: the session the request belongs to
 *
 * Return: 0, -EINVAL if the number is in use (fid reuse is a protocol
 * error), -ESTALE if the session is gone, -EMFILE if the table is full,
 * or -ENOMEM.
 */
int hvl_9p_fid_insert(struct hvl_9p_fids *t, struct hvl_9p_fid *f, u32 gen)
{
	unsigned int max = 0;
	int ret;

	if (f->fid == P9_NOFID)
		return -EINVAL;
	xa_lock(&t->xa);
	/*
	 * __xa_insert() may drop the lock to allocate, so the session and
	 * the limit are checked once it is back, with the fid in place: a
	 * reset that ran meanwhile has either bumped the generation (seen
	 * here) or will find the fid in its sweep.
	 */
	ret = __xa_insert(&t->xa, f->fid, f, GFP_KERNEL);
	if (!ret && (t->gen != gen || t->nr >= t->max)) {
		__xa_erase(&t->xa, f->fid);
		if (t->gen != gen) {
			ret = -ESTALE;
		} else {
			ret = -EMFILE;
			max = t->max;
			t->refused++;
		}
	} else if (!ret) {
		t->nr++;
	}
	xa_unlock(&t->xa);
	if (max && t->dev)
		dev_warn_ratelimited(t->dev, "9p: peer holds %u fids, the limit (max_fids): refusing more\n",
				     max);
	return ret == -EBUSY ? -EINVAL : ret;
}

/**
 * hvl_9p_fid_replace() - publish a fid in place of another
 * @t: the table
 * @old: a published fid; the caller holds a reference and @old->lock
 * @f: from hvl_9p_fid_alloc(), same number; on success the table owns
 *     this reference
 * @gen: the session the request belongs to
 *
 * Requests that hold @old go on with it; the table's reference to it is
 * dropped here, so it is freed when the last of them ends.
 *
 * Return: 0, -EBADF if @old is no longer published (clunked, or replaced
 * by a walk onto itself), or -ESTALE if the session is gone.
 */
int hvl_9p_fid_replace(struct hvl_9p_fids *t, struct hvl_9p_fid *old,
		       struct hvl_9p_fid *f, u32 gen)
{
	void *cur;
	int ret = 0;

	lockdep_assert_held(&old->lock);

	xa_lock(&t->xa);
	if (t->gen != gen) {
		ret = -ESTALE;
	} else {
		/*
		 * The slot is occupied (or the exchange fails), so storing
		 * allocates nothing and the lock is never dropped.
		 */
		cur = __xa_cmpxchg(&t->xa, old->fid, old, f, GFP_NOWAIT);
		if (cur != old)
			ret = xa_is_err(cur) ? xa_err(cur) : -EBADF;
	}
	xa_unlock(&t->xa);
	if (!ret)
		hvl_9p_fid_put(old);
	return ret;
}

/*
 * Is @f the fid its number names?  Under @f->lock, a "yes" holds until
 * the lock is dropped as far as lopen and lcreate are concerned: they
 * replace a fid only with its lock held.
 */
bool hvl_9p_fid_published(struct hvl_9p_fids *t, struct hvl_9p_fid *f)
{
	bool ret;

	xa_lock(&t->xa);
	ret = xa_load(&t->xa, f->fid) == f;
	xa_unlock(&t->xa);
	return ret;
}

/* Still beneath the export root?  A Linux process may have moved it out. */
bool hvl_9p_fid_beneath(struct hvl_9p *srv, const struct hvl_9p_fid *f)
{
	return path_is_under(&f->path, &srv->root);
}

/**
 * hvl_9p_fid_verify() - the one way to a fid for a handler
 * @c: the call
 * @fid: the number from the message
 * @need: HVL_9P_NEED_* the handler relies on
 *
 * Looks the fid up and checks, in this order, what the handler needs:
 * a path fid (-EINVAL for an xattr fid), not opened (-EINVAL), still
 * beneath the export root (-ENOENT: to the peer, a directory moved out
 * of the export by a Linux process is gone, as if removed), and a
 * directory (-ENOTDIR).  What is checked stays true for the request:
 * the path and the file of a published fid never change.  Except that
 * the root check is a snapshot: a rename racing with the request lets
 * the request finish in the old place, as if it had come just before
 * the rename, which the peer could have arranged anyway.
 *
 * Return: the fid, referenced (hvl_9p_fid_put() it), or an ERR_PTR:
 * -EBADF for an unknown fid, or the failed check's errno.
 */
struct hvl_9p_fid *hvl_9p_fid_verify(struct hvl_9p_call *c, u32 fid,
				     unsigned int need)
{
	struct hvl_9p_fid *f = hvl_9p_fid_get(&c->srv->fids, fid);
	int ret = 0;

	if (!f)
		return ERR_PTR(-EBADF);
	if (need & HVL_9P_NEED_DIR)
		need |= HVL_9P_NEED_PATH;
	if ((need & HVL_9P_NEED_PATH) && f->kind != HVL_9P_FID_PATH)
		ret = -EINVAL;
	else if ((need & HVL_9P_NEED_UNOPENED) && f->file)
		ret = -EINVAL;
	else if ((need & HVL_9P_NEED_BENEATH) && !hvl_9p_fid_beneath(c->srv, f))
		ret = -ENOENT;
	else if ((need & HVL_9P_NEED_DIR) && !d_can_lookup(f->path.dentry))
		ret = -ENOTDIR;
	if (ret) {
		hvl_9p_fid_put(f);
		return ERR_PTR(ret);
	}
	return f;
}

/**
 * hvl_9p_fid_verify2() - hvl_9p_fid_verify() for a handler of two fids
 * @c: the call
 * @fid1: the first number from the message, checked against @need1
 * @need1: HVL_9P_NEED_* for @fid1
 * @f1: the first fid, referenced, on success
 * @fid2: the second number, checked against @need2
 * @need2: HVL_9P_NEED_* for @fid2
 * @f2: the second fid, referenced, on success
 *
 * The fids are checked in the message's order, so the errno is that of
 * the first one that fails.  On failure neither fid is held.
 *
 * Return: 0, or the errno of hvl_9p_fid_verify().
 */
int hvl_9p_fid_verify2(struct hvl_9p_call *c, u32 fid1, unsigned int need1,
		       struct hvl_9p_fid **f1, u32 fid2, unsigned int need2,
		       struct hvl_9p_fid **f2)
{
	*f1 = hvl_9p_fid_verify(c, fid1, need1);
	if (IS_ERR(*f1))
		return PTR_ERR(*f1);
	*f2 = hvl_9p_fid_verify(c, fid2, need2);
	if (IS_ERR(*f2)) {
		hvl_9p_fid_put(*f1);
		return PTR_ERR(*f2);
	}
	return 0;
}

struct hvl_9p_fid *hvl_9p_fid_get(struct hvl_9p_fids *t, u32 fid)
{
	struct hvl_9p_fid *f;

	xa_lock(&t->xa);
	f = xa_load(&t->xa, fid);
	if (f)
		refcount_inc(&f->ref);
	xa_unlock(&t->xa);
	return f;
}

/* Unpublish; the caller gets the table's reference. */
struct hvl_9p_fid *hvl_9p_fid_remove(struct hvl_9p_fids *t, u32 fid)
{
	struct hvl_9p_fid *f;

	xa_lock(&t->xa);
	f = __xa_erase(&t->xa, fid);
	if (f)
		t->nr--;
	xa_unlock(&t->xa);
	return f;
}

/*
 * Unpublish @f, only if its number still names it (not clunked, nor
 * replaced by an open or an xattrcreate meanwhile).  Returns true if so:
 * the caller then has the table's reference too.
 */
bool hvl_9p_fid_remove_this(struct hvl_9p_fids *t, struct hvl_9p_fid *f)
{
	bool ret;

	xa_lock(&t->xa);
	/* Erasing allocates nothing: the lock is never dropped. */
	ret = __xa_cmpxchg(&t->xa, f->fid, f, NULL, GFP_NOWAIT) == f;
	if (ret)
		t->nr--;
	xa_unlock(&t->xa);
	return ret;
}

void hvl_9p_fid_put(struct hvl_9p_fid *f)
{
	if (!f || !refcount_dec_and_test(&f->ref))
		return;
	if (f->file)
		fput(f->file);	/* and with it the file's locks */
	if (f->locks)
		atomic_sub(f->nlocks, f->locks);
	path_put(&f->path);
	kfree(f->xname);
	kvfree(f->xbuf);
	if (f->xcharge)
		hvl_9p_fid_uncharge(f->xtable, f->xcharge);
	mutex_destroy(&f->lock);
	kfree(f);
}

/* The session a request popped now belongs to, for its inserts. */
u32 hvl_9p_fid_session(struct hvl_9p_fids *t)
{
	u32 gen;

	xa_lock(&t->xa);
	gen = t->gen;
	xa_unlock(&t->xa);
	return gen;
}

/**
 * hvl_9p_fid_clear() - drop every fid and start a new session
 * @t: the table
 *
 * The generation is bumped here, never set by the caller, so that a
 * Tversion and a peer reset racing each other both leave a generation
 * that no request of an older session carries.
 *
 * Process context (the puts may close files).  Fids still used by
 * requests of the old session are freed when those requests end.
 *
 * Return: how many fids were dropped.
 */
unsigned int hvl_9p_fid_clear(struct hvl_9p_fids *t)
{
	struct hvl_9p_fid *f;
	unsigned long idx;
	unsigned int n = 0;

	xa_lock(&t->xa);
	t->gen++;
	xa_unlock(&t->xa);
	/* No insert of the old session can succeed from here on. */
	xa_for_each(&t->xa, idx, f) {
		f = hvl_9p_fid_remove(t, idx);
		if (f) {
			hvl_9p_fid_put(f);
			n++;
		}
	}
	return n;
}

unsigned int hvl_9p_fid_count(struct hvl_9p_fids *t)
{
	return READ_ONCE(t->nr);
}

/**
 * hvl_9p_fid_charge() - reserve buffer bytes for a fid
 * @t: the table
 * @bytes: the size of the buffer about to be allocated
 *
 * Return: 0, or -ENOSPC (counted and logged) if the table's fids already
 * hold so much that @bytes more would exceed @t->xmax.
 */
int hvl_9p_fid_charge(struct hvl_9p_fids *t, size_t bytes)
{
	long held = atomic_long_read(&t->xbytes);

	do {
		if (bytes > t->xmax - held) {
			atomic_long_inc(&t->xrefused);
			if (t->dev)
				dev_warn_ratelimited(t->dev, "9p: peer's fids hold %ld bytes of xattr buffers, the limit is %lu (max_xattr_bytes): refusing %zu more\n",
						     held, t->xmax, bytes);
			return -ENOSPC;
		}
	} while (!atomic_long_try_cmpxchg(&t->xbytes, &held, held + bytes));
	return 0;
}

void hvl_9p_fid_uncharge(struct hvl_9p_fids *t, size_t bytes)
{
	if (bytes)
		atomic_long_sub(bytes, &t->xbytes);
}
