/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvl_9p internals: an in-kernel 9P2000.L server behind a virtio-9p
 * device of an hvl window.
 *
 *   main.c    module, device tree and parameters, probe/remove, counters
 *   queue.c   the ring: requests copied out of the window, worker pool,
 *             replies copied back, flush ordering, peer resets
 *   pdu.c     bounds-checked little-endian message codec
 *   fid.c     the fid table
 *   qid.c     qids and attributes from kstat
 *   attr.c    Tsetattr's changes made safe for notify_change()
 *   server.c  dispatch, version, auth, attach, flush, clunk, statfs
 *   walk.c    confined name resolution: walk, the parent locking helpers
 *   file.c    lopen, lcreate, read, write, readdir, fsync, getattr,
 *             setattr
 *   lock.c    lock, getlock
 *   dir.c     mkdir, mknod, symlink, readlink, link, rename(at),
 *             unlinkat, remove
 *   xattr.c   xattrwalk, xattrcreate and their fids
 *   debug.c   the inject test hook
 */
#ifndef _HVL_9P_H
#define _HVL_9P_H

#include <linux/cred.h>
#include <linux/hvl.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/path.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <net/9p/9p.h>

/* Largest msize we negotiate, and the largest message we copy in. */
#define HVL_9P_MAX_MSIZE	(1024u * 1024u)
#define HVL_9P_MIN_MSIZE	4096u
#define HVL_9P_HDR		7u	/* size[4] type[1] tag[2] */
#define HVL_9P_TAG_MAX		32u	/* mount tag bytes (virtio-9p config) */

/*
 * A cursor over a message buffer in kernel memory.  Errors are sticky:
 * the first short read or write sets @err and every later access is a
 * no-op returning zero, so a decoder checks once, after the last field.
 */
struct hvl_9p_pdu {
	u8 *buf;
	size_t size;
	size_t pos;
	int err;
};

void hvl_9p_pdu_init(struct hvl_9p_pdu *p, void *buf, size_t size);
u8 hvl_9p_pdu_get8(struct hvl_9p_pdu *p);
u16 hvl_9p_pdu_get16(struct hvl_9p_pdu *p);
u32 hvl_9p_pdu_get32(struct hvl_9p_pdu *p);
u64 hvl_9p_pdu_get64(struct hvl_9p_pdu *p);
char *hvl_9p_pdu_getstr(struct hvl_9p_pdu *p, size_t max);
const void *hvl_9p_pdu_getdata(struct hvl_9p_pdu *p, size_t len);
void hvl_9p_pdu_put8(struct hvl_9p_pdu *p, u8 v);
void hvl_9p_pdu_put16(struct hvl_9p_pdu *p, u16 v);
void hvl_9p_pdu_put32(struct hvl_9p_pdu *p, u32 v);
void hvl_9p_pdu_put64(struct hvl_9p_pdu *p, u64 v);
void hvl_9p_pdu_putstr(struct hvl_9p_pdu *p, const char *s, size_t len);
void hvl_9p_pdu_putqid(struct hvl_9p_pdu *p, const struct p9_qid *q);
void *hvl_9p_pdu_reserve(struct hvl_9p_pdu *p, size_t len);
size_t hvl_9p_pdu_room(const struct hvl_9p_pdu *p);

/*
 * A fid: a path beneath the export root, and what the client did with it.
 * The table holds one reference; every request that uses a fid holds
 * another for its duration, so clunk or a peer reset may drop the table's
 * while a worker still uses it.
 *
 * @path and @file never change once the fid is published, because the
 * workers that hold it read them without a lock: lopen and lcreate (and a
 * walk of a fid onto itself) build a new fid and swap it into the table
 * with hvl_9p_fid_replace(), and requests still holding the old one
 * finish with the old view.  @lock serialises those swaps (the replacer
 * holds the old fid's), the xattr state and the readdir position.
 */
enum hvl_9p_fid_kind {
	HVL_9P_FID_PATH,
	HVL_9P_FID_XATTR_READ,	/* xattrwalk: @xbuf holds the value */
	HVL_9P_FID_XATTR_WRITE,	/* xattrcreate: writes fill @xbuf */
};

struct hvl_9p_fid {
	refcount_t ref;
	u32 fid;
	enum hvl_9p_fid_kind kind;
	struct mutex lock;	/* open state, xattr buffer, readdir pos */
	struct path path;
	struct file *file;	/* after lopen/lcreate */
	char *xname;
	void *xbuf;
	size_t xsize;		/* bytes in @xbuf (capacity for writes) */
	size_t xfill;		/* bytes written so far */
	int xflags;
	struct hvl_9p_fids *xtable;	/* charged @xcharge bytes for @xbuf */
	size_t xcharge;
	unsigned int nlocks;	/* lock records @file holds; under @lock */
	atomic_t *locks;	/* the device's count of them, or NULL */
};

struct hvl_9p_fids {
	struct xarray xa;
	u32 gen;		/* session; under the xarray lock */
	unsigned int nr;	/* published fids; under the xarray lock */
	unsigned int max;
	unsigned long refused;	/* inserts beyond @max; under the lock */
	struct device *dev;	/* for the warning, or NULL */
	/* The fids' xattr buffers, in bytes: held, limit, refusals. */
	atomic_long_t xbytes;
	unsigned long xmax;
	atomic_long_t xrefused;
};

void hvl_9p_fid_init(struct hvl_9p_fids *t, unsigned int max,
		     struct device *dev);
struct hvl_9p_fid *hvl_9p_fid_alloc(u32 fid, const struct path *path);
int hvl_9p_fid_insert(struct hvl_9p_fids *t, struct hvl_9p_fid *f, u32 gen);
int hvl_9p_fid_replace(struct hvl_9p_fids *t, struct hvl_9p_fid *old,
		       struct hvl_9p_fid *f, u32 gen);
bool hvl_9p_fid_published(struct hvl_9p_fids *t, struct hvl_9p_fid *f);
struct hvl_9p_fid *hvl_9p_fid_get(struct hvl_9p_fids *t, u32 fid);
struct hvl_9p_fid *hvl_9p_fid_remove(struct hvl_9p_fids *t, u32 fid);
bool hvl_9p_fid_remove_this(struct hvl_9p_fids *t, struct hvl_9p_fid *f);
void hvl_9p_fid_put(struct hvl_9p_fid *f);
u32 hvl_9p_fid_session(struct hvl_9p_fids *t);
unsigned int hvl_9p_fid_clear(struct hvl_9p_fids *t);
unsigned int hvl_9p_fid_count(struct hvl_9p_fids *t);
int hvl_9p_fid_charge(struct hvl_9p_fids *t, size_t bytes);
void hvl_9p_fid_uncharge(struct hvl_9p_fids *t, size_t bytes);

struct kstat;
void hvl_9p_qid_from_mode(struct p9_qid *q, umode_t mode, u64 ino, u32 gen,
			  dev_t dev, dev_t root_dev);
void hvl_9p_qid_from_dtype(struct p9_qid *q, unsigned int d_type, u64 ino);
int hvl_9p_qid_of(const struct path *path, dev_t root_dev, struct p9_qid *q);

struct iattr;
struct inode;
struct mnt_idmap;
void hvl_9p_attr_sanitize(struct mnt_idmap *idmap, const struct inode *inode,
			  struct iattr *ia);

/* Per-operation counters, indexed by T-message type. */
struct hvl_9p_stats {
	atomic64_t calls[256];
	atomic64_t errors[256];
	atomic64_t serve_ns[256];	/* in the handler */
	atomic64_t turn_ns[256];	/* from pop to push */
	atomic64_t malformed;	/* refused before dispatch */
	atomic64_t stale;	/* replies dropped after a peer reset */
	atomic64_t bytes_read, bytes_written;
	atomic64_t io_inline;	/* Tread, Twrite served in the work item */
	atomic64_t io_handed;	/* ... tried there, left to a worker */
	atomic64_t lock_waits;		/* contended blocking locks: waited */
	atomic64_t lock_timeouts;	/* ... and not granted in time */
	atomic_t locks;			/* lock records the peer holds */
	atomic64_t locks_refused;	/* Tlock beyond max_locks */
};

struct hvl_9p_req;

struct hvl_9p {
	struct hvl_device *hdev;
	struct path root;		/* the export */
	const struct cred *cred;	/* every operation runs under it */
	bool read_only;
	u32 uid, gid;
	char tag[HVL_9P_TAG_MAX + 1];

	/* Ring side: only in the device's work item (->poll/->reset). */
	struct kvec *iov;		/* HVL_CHAIN_MAX, for hvl_vq_pop() */
	unsigned int nr_inflight;	/* popped, not yet pushed or dropped */
	size_t bytes_inflight;

	/*
	 * @lock protects the request lists and @gen.  @queue: waiting for
	 * a worker; @running: being served; @done: reply ready for poll().
	 */
	spinlock_t lock;
	struct list_head queue, running, done;
	u32 gen;			/* bumped by every peer reset */
	bool stopping;
	wait_queue_head_t work_wait;
	struct task_struct **workers;
	unsigned int nr_workers;

	u32 msize;			/* negotiated by Tversion */
	struct hvl_9p_fids fids;
	struct hvl_9p_stats stats;

	/* debug.c: the inject hook's last reply, under @inject_lock. */
	struct dentry *debug;
	struct mutex inject_lock;	/* @inject_reply, @inject_len */
	void *inject_reply;
	size_t inject_len;
	u32 inject_rsize;		/* reply room of injected requests */
};

/*
 * A call being served: its decoder, its encoder and its session (@gen:
 * the fid table's generation when the request was popped).
 */
struct hvl_9p_call {
	struct hvl_9p *srv;
	bool nowait;		/* in the work item: -EAGAIN, never wait */
	u32 gen;
	u8 type;
	u16 tag;
	struct hvl_9p_pdu in, out;
};

struct hvl_9p_req {
	struct list_head node;
	struct hvl_9p_req *flush;	/* a Tflush waiting for this one */
	u32 gen;			/* srv->gen: the ring's session */
	u32 session;			/* the fid table's, for inserts */
	u16 head;
	u16 tag;
	u8 type;
	ktime_t popped;
	unsigned int nr_in;
	struct kvec *in_iov;		/* writable window segments */
	size_t in_len;
	void *tbuf;			/* the request, copied out */
	size_t tsize;
	void *rbuf;			/* the reply */
	size_t rsize, rlen;
};

/* queue.c */
int hvl_9p_queue_start(struct hvl_9p *srv, unsigned int workers);
void hvl_9p_queue_stop(struct hvl_9p *srv);
bool hvl_9p_queue_poll(struct hvl_9p *srv, int budget);
void hvl_9p_queue_reset(struct hvl_9p *srv);

/* debug.c */
void hvl_9p_debug_init(bool inject);
void hvl_9p_debug_exit(void);
void hvl_9p_debug_add(struct hvl_9p *srv);
void hvl_9p_debug_remove(struct hvl_9p *srv);

/* server.c */
void hvl_9p_server_serve(struct hvl_9p *srv, struct hvl_9p_req *req);
bool hvl_9p_server_try(struct hvl_9p *srv, struct hvl_9p_req *req);
void hvl_9p_server_error(struct hvl_9p_req *req, int err);
const char *hvl_9p_server_name(u8 type);
int hvl_9p_server_errno(int err);

/* Handlers: 0 or -errno; on error the reply becomes Rlerror. */
typedef int (*hvl_9p_op_t)(struct hvl_9p_call *c);

int hvl_9p_walk_walk(struct hvl_9p_call *c);
int hvl_9p_walk_name_ok(const char *name);
struct dentry *hvl_9p_walk_lock_child(const struct path *dir,
				      const char *name);
void hvl_9p_walk_unlock_child(const struct path *dir, struct dentry *d);

int hvl_9p_file_lopen(struct hvl_9p_call *c);
int hvl_9p_file_lcreate(struct hvl_9p_call *c);
int hvl_9p_file_read(struct hvl_9p_call *c);
int hvl_9p_file_write(struct hvl_9p_call *c);
int hvl_9p_file_readdir(struct hvl_9p_call *c);
int hvl_9p_file_fsync(struct hvl_9p_call *c);
int hvl_9p_file_getattr(struct hvl_9p_call *c);
int hvl_9p_file_setattr(struct hvl_9p_call *c);
int hvl_9p_file_lock(struct hvl_9p_call *c);
unsigned int hvl_9p_lock_max(void);
int hvl_9p_file_getlock(struct hvl_9p_call *c);

int hvl_9p_dir_mkdir(struct hvl_9p_call *c);
int hvl_9p_dir_mknod(struct hvl_9p_call *c);
int hvl_9p_dir_symlink(struct hvl_9p_call *c);
int hvl_9p_dir_readlink(struct hvl_9p_call *c);
int hvl_9p_dir_link(struct hvl_9p_call *c);
int hvl_9p_dir_rename(struct hvl_9p_call *c);
int hvl_9p_dir_renameat(struct hvl_9p_call *c);
int hvl_9p_dir_unlinkat(struct hvl_9p_call *c);
int hvl_9p_dir_remove(struct hvl_9p_call *c);

int hvl_9p_xattr_walk(struct hvl_9p_call *c);
int hvl_9p_xattr_create(struct hvl_9p_call *c);
int hvl_9p_xattr_read(struct hvl_9p_fid *f, struct hvl_9p_call *c, u64 off,
		      u32 count);
int hvl_9p_xattr_write(struct hvl_9p_fid *f, u64 off, const void *data,
		       u32 count);
int hvl_9p_xattr_commit(struct hvl_9p_fid *f);

/* Shared by the handlers. */
static inline struct hvl_9p_fid *hvl_9p_call_fid(struct hvl_9p_call *c,
						 u32 fid)
{
	return hvl_9p_fid_get(&c->srv->fids, fid);
}

/* What a handler needs of a fid: hvl_9p_fid_verify() checks it. */
#define HVL_9P_NEED_PATH	BIT(0)	/* a path fid, not an xattr one */
#define HVL_9P_NEED_DIR		BIT(1)	/* a directory (and a path fid) */
#define HVL_9P_NEED_UNOPENED	BIT(2)	/* not opened yet */
#define HVL_9P_NEED_BENEATH	BIT(3)	/* still beneath the export root */

struct hvl_9p_fid *hvl_9p_fid_verify(struct hvl_9p_call *c, u32 fid,
				     unsigned int need);
int hvl_9p_fid_verify2(struct hvl_9p_call *c, u32 fid1, unsigned int need1,
		       struct hvl_9p_fid **f1, u32 fid2, unsigned int need2,
		       struct hvl_9p_fid **f2);
bool hvl_9p_fid_beneath(struct hvl_9p *srv, const struct hvl_9p_fid *f);

#endif /* _HVL_9P_H */
