// SPDX-License-Identifier: GPL-2.0-only
/*
 * POSIX byte-range locks for the peer: Tlock and Tgetlock.
 *
 * A conflict is answered P9_LOCK_BLOCKED, and the v9fs client then
 * sleeps its locktimeout (30 s by default) before it asks again.  So a
 * blocking request (P9_LOCK_FLAGS_BLOCK) first waits in the worker, as
 * F_SETLKW would, but for at most lock_wait_ms: a lock held briefly is
 * granted as soon as it is released.  The wait is bounded because the
 * holder may be the peer itself, whose unlock needs a worker too, and a
 * worker must not sleep for as long as the peer likes.  (Parking the
 * request and retrying it from lm_notify, as lockd does, would free the
 * worker; it is not done yet.)
 *
 * The open file is the lock owner, so the fput() of clunk (or of a peer
 * reset) releases the fid's locks through locks_remove_file().
 *
 * Lock records are kernel memory the peer chooses: one Tlock per
 * disjoint range is one struct file_lock, with no limit in fs/locks.c.
 * So each device has a budget of records (max_locks): after every Tlock
 * the fid's records are counted on its inode (merges and splits are the
 * kernel's, so counting is simpler than predicting), and a lock is
 * refused (P9_LOCK_ERROR: ENOLCK to the client's caller, as fcntl(2)
 * says of a full lock table) while the device holds max_locks.  An
 * unlock may split a record in two, so unlocks are refused too, but only
 * beyond twice the budget, and an unlock of the whole file never is: it
 * only removes.  Concurrent Tlocks may overshoot by a few records each.
 */
#include <linux/filelock.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "hvl_9p.h"

static unsigned int lock_wait_ms = 1000;

static int lock_wait_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, 10000);
}

static const struct kernel_param_ops lock_wait_ops = {
	.set = lock_wait_set,
	.get = param_get_uint,
};
module_param_cb(lock_wait_ms, &lock_wait_ops, &lock_wait_ms, 0644);
MODULE_PARM_DESC(lock_wait_ms, "longest wait for a contended blocking lock, ms (0 to 10000, default 1000)");

static unsigned int max_locks = 4096;

static int max_locks_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, 1u << 20);
}

static const struct kernel_param_ops max_locks_ops = {
	.set = max_locks_set,
	.get = param_get_uint,
};
module_param_cb(max_locks, &max_locks_ops, &max_locks, 0644);
MODULE_PARM_DESC(max_locks, "POSIX lock records the peer may hold per device (1 to 2^20, default 4096)");

unsigned int hvl_9p_lock_max(void)
{
	return READ_ONCE(max_locks);
}

/* The records of @file's POSIX locks on its inode. */
static unsigned int lock_records(struct file *file)
{
	struct file_lock_context *ctx = locks_inode_context(file_inode(file));
	struct file_lock_core *flc;
	unsigned int n = 0;

	if (!ctx)
		return 0;
	spin_lock(&ctx->flc_lock);
	list_for_each_entry(flc, &ctx->flc_posix, flc_list)
		n += flc->flc_owner == file;
	spin_unlock(&ctx->flc_lock);
	return n;
}

/*
 * Count @f's records again and move the device's count by the change.
 * Under the fid's lock, so concurrent Tlocks on one fid apply their
 * counts in order and the last one is the truth.
 */
static void lock_account(struct hvl_9p *srv, struct hvl_9p_fid *f)
{
	unsigned int n;

	mutex_lock(&f->lock);
	n = lock_records(f->file);
	atomic_add((int)(n - f->nlocks), &srv->stats.locks);
	f->nlocks = n;
	f->locks = &srv->stats.locks;
	mutex_unlock(&f->lock);
}

/* Within the budget?  See the top of the file. */
static bool lock_budget_ok(struct hvl_9p *srv, const struct file_lock *fl)
{
	unsigned int held = atomic_read(&srv->stats.locks);
	unsigned int max = READ_ONCE(max_locks);

	if (fl->c.flc_type != F_UNLCK)
		return held < max;
	return held < 2 * max || (!fl->fl_start && fl->fl_end == OFFSET_MAX);
}

/* Decode the common part of Tlock/Tgetlock into a POSIX lock on @file. */
static int lock_decode(struct file *file, struct file_lock *fl, u8 type, u64 start, u64 len,
		       u32 proc_id)
{
	locks_init_lock(fl);
	switch (type) {
	case P9_LOCK_TYPE_RDLCK:
		fl->c.flc_type = F_RDLCK;
		break;
	case P9_LOCK_TYPE_WRLCK:
		fl->c.flc_type = F_WRLCK;
		break;
	case P9_LOCK_TYPE_UNLCK:
		fl->c.flc_type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	if (start > OFFSET_MAX || (len && len - 1 > OFFSET_MAX - start))
		return -EINVAL;
	fl->c.flc_flags = FL_POSIX;
	/* The open file is the owner: fput() on clunk drops its locks. */
	fl->c.flc_owner = file;
	fl->c.flc_file = file;
	fl->c.flc_pid = proc_id;
	fl->fl_start = start;
	fl->fl_end = len ? start + len - 1 : OFFSET_MAX;
	return 0;
}

/*
 * F_SETLKW with a deadline: do_lock_file_wait() of fs/locks.c, but the
 * wait is not interruptible (a kthread gets no signals) and ends after
 * @timeout, when the request leaves the blocker's list and the conflict
 * is reported as if it had been F_SETLK.
 */
static int lock_wait(struct hvl_9p *srv, struct file *file,
		     struct file_lock *fl, long timeout)
{
	bool waited = false;
	int ret;

	fl->c.flc_flags |= FL_SLEEP;
	for (;;) {
		ret = vfs_lock_file(file, F_SETLKW, fl, NULL);
		if (ret != FILE_LOCK_DEFERRED)
			break;
		if (!waited) {
			atomic64_inc(&srv->stats.lock_waits);
			waited = true;
		}
		timeout = wait_event_timeout(fl->c.flc_wait,
					     list_empty(&fl->c.flc_blocked_member),
					     timeout);
		if (!timeout) {
			atomic64_inc(&srv->stats.lock_timeouts);
			ret = -EAGAIN;
			break;
		}
	}
	locks_delete_block(fl);
	return ret;
}

int hvl_9p_file_lock(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	u8 type = hvl_9p_pdu_get8(&c->in);
	u32 flags = hvl_9p_pdu_get32(&c->in);
	u64 start = hvl_9p_pdu_get64(&c->in);
	u64 len = hvl_9p_pdu_get64(&c->in);
	u32 proc_id = hvl_9p_pdu_get32(&c->in);
	char *client = hvl_9p_pdu_getstr(&c->in, 256);
	struct hvl_9p_fid *f;
	struct file_lock fl;
	u8 status = P9_LOCK_SUCCESS;
	unsigned int wait;
	int ret;

	kfree(client);
	if (c->in.err)
		return c->in.err;
	if (flags & ~(P9_LOCK_FLAGS_BLOCK | P9_LOCK_FLAGS_RECLAIM))
		return -EINVAL;
	f = hvl_9p_call_fid(c, fid);
	if (!f)
		return -EBADF;
	if (!f->file) {
		ret = -EBADF;
		goto out;
	}
	ret = lock_decode(f->file, &fl, type, start, len, proc_id);
	if (ret)
		goto out;
	/* As fcntl(2) (check_fmode_for_setlk()): a lock needs the mode. */
	ret = -EBADF;
	if ((fl.c.flc_type == F_RDLCK && !(f->file->f_mode & FMODE_READ)) ||
	    (fl.c.flc_type == F_WRLCK && !(f->file->f_mode & FMODE_WRITE)))
		goto out_release;
	/* A lock the peer is never told of must not be taken (Rlock: 1). */
	ret = -EMSGSIZE;
	if (hvl_9p_pdu_room(&c->out) < 1)
		goto out_release;
	/*
	 * A file system with its own ->lock (NFS, FUSE...) may block in it
	 * for as long as F_SETLKW takes: no waiting there.
	 */
	wait = READ_ONCE(lock_wait_ms);
	if (!lock_budget_ok(c->srv, &fl)) {
		atomic64_inc(&c->srv->stats.locks_refused);
		ret = -ENOLCK;
	} else {
		if ((flags & P9_LOCK_FLAGS_BLOCK) && fl.c.flc_type != F_UNLCK &&
		    wait && !f->file->f_op->lock)
			ret = lock_wait(c->srv, f->file, &fl,
					msecs_to_jiffies(wait));
		else
			ret = vfs_lock_file(f->file, F_SETLK, &fl, NULL);
		lock_account(c->srv, f);
	}
	locks_release_private(&fl);
	if (ret == -EAGAIN || ret == -EACCES)
		status = P9_LOCK_BLOCKED;
	else if (ret)
		status = P9_LOCK_ERROR;
	ret = 0;
	hvl_9p_pdu_put8(&c->out, status);
	goto out;
out_release:
	locks_release_private(&fl);
out:
	hvl_9p_fid_put(f);
	return ret;
}

int hvl_9p_file_getlock(struct hvl_9p_call *c)
{
	u32 fid = hvl_9p_pdu_get32(&c->in);
	u8 type = hvl_9p_pdu_get8(&c->in);
	u64 start = hvl_9p_pdu_get64(&c->in);
	u64 len = hvl_9p_pdu_get64(&c->in);
	u32 proc_id = hvl_9p_pdu_get32(&c->in);
	char *client = hvl_9p_pdu_getstr(&c->in, 256);
	struct hvl_9p_fid *f;
	struct file_lock fl;
	int ret;

	if (c->in.err) {
		ret = c->in.err;
		goto out_client;
	}
	f = hvl_9p_call_fid(c, fid);
	if (!f) {
		ret = -EBADF;
		goto out_client;
	}
	ret = f->file ? lock_decode(f->file, &fl, type, start, len, proc_id) : -EBADF;
	if (!ret)
		ret = vfs_test_lock(f->file, &fl);
	if (!ret) {
		hvl_9p_pdu_put8(&c->out, fl.c.flc_type == F_RDLCK ?
				P9_LOCK_TYPE_RDLCK : fl.c.flc_type == F_WRLCK ?
				P9_LOCK_TYPE_WRLCK : P9_LOCK_TYPE_UNLCK);
		hvl_9p_pdu_put64(&c->out, fl.fl_start);
		hvl_9p_pdu_put64(&c->out, fl.fl_end == OFFSET_MAX ? 0 :
				 fl.fl_end - fl.fl_start + 1);
		hvl_9p_pdu_put32(&c->out, fl.c.flc_pid);
		hvl_9p_pdu_putstr(&c->out, client, strlen(client));
		locks_release_private(&fl);
	}
	hvl_9p_fid_put(f);
out_client:
	kfree(client);
	return ret;
}
