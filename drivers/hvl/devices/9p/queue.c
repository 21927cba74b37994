// SPDX-License-Identifier: GPL-2.0-only
/*
 * The request queue between the ring and the workers.
 *
 * poll() (the device's work item, the only context that touches the ring)
 * pops a chain, copies the whole request out of the window into a kernel
 * buffer (the peer may rewrite the window at any moment, so nothing is
 * parsed in place), remembers the chain's writable segments, and serves
 * it at once if it is short and cannot wait (lookups, attributes, reads
 * and writes the page cache takes at once), else queues it.  A fixed
 * pool of kthreads serves queued requests concurrently and puts each
 * reply on the done list; poll() copies it into the chain and pushes.
 * Used entries go back in completion order, which virtio allows.
 *
 * The workers are kthreads rather than work items because each needs its
 * own fs_struct with umask 0 (as nfsd does): the client has already
 * applied the caller's umask, and a second one from the shared init_fs of
 * kworkers would strip permission bits the client asked for.
 *
 * Bounds: at most MAX_INFLIGHT requests and MAX_BYTES of request and
 * reply buffers between pop and push; beyond that poll() stops popping
 * and the ring itself applies back-pressure to the peer.
 *
 * Peer reset (->reset, work item context): the generation is bumped and
 * the fid table cleared.  Requests of the old generation keep running to
 * completion (a worker in the middle of a write cannot be stopped safely)
 * but their replies are dropped instead of being written into buffers
 * the peer has taken back, and fids they would create are refused.
 *
 * Tflush: a reply to Tflush promises the client that the old tag is
 * free.  A flush for a tag still queued or running is attached to that
 * request and completes right after it; otherwise it completes at once.
 * Flushes never occupy a worker, so they cannot starve the requests they
 * wait for.
 */
#include <linux/completion.h>
#include <linux/fs_struct.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>

#include "hvl_9p.h"

#define MAX_INFLIGHT	256u

static bool inline_meta = true;
module_param(inline_meta, bool, 0444);
MODULE_PARM_DESC(inline_meta, "serve lookups and getattr in the ring's work item (default on)");

static bool inline_io = true;
module_param(inline_io, bool, 0644);
MODULE_PARM_DESC(inline_io, "serve reads and writes the page cache can take at once in the ring's work item (default on)");
#define MAX_BYTES	(48u << 20)

static void free_req(struct hvl_9p_req *req)
{
	kvfree(req->tbuf);
	kvfree(req->rbuf);
	kfree(req->in_iov);
	kfree(req);
}

/* Complete @req and any flushes attached to it.  Under srv->lock. */
static void finish_locked(struct hvl_9p *srv, struct hvl_9p_req *req)
{
	lockdep_assert_held(&srv->lock);

	while (req) {
		list_move_tail(&req->node, &srv->done);
		req = req->flush;
	}
}

/* One worker's start, reported to hvl_9p_queue_start(). */
struct worker_start {
	struct hvl_9p *srv;
	struct completion done;
	int ret;
};

static int worker(void *data)
{
	struct worker_start *start = data;
	struct hvl_9p *srv = start->srv;
	struct hvl_9p_req *req;
	int ret;

	/* Our own fs_struct, so that umask 0 concerns only us. */
	ret = unshare_fs_struct();
	if (!ret)
		current->fs->umask = 0;
	start->ret = ret;
	complete(&start->done);		/* @start is gone from here on */
	if (ret) {
		/*
		 * A worker with the shared umask would strip the peer's
		 * permission bits: the probe fails instead.  Stay until
		 * kthread_stop(), which needs the task.
		 */
		wait_event_interruptible(srv->work_wait, kthread_should_stop());
		return ret;
	}

	for (;;) {
		/*
		 * Exclusive: dispatch() wakes one worker per request.  All of
		 * them woke for each before, and all but one went back to
		 * sleep: six context switches and three cross-CPU wake-ups
		 * per request with four workers.  kthread_stop() wakes its
		 * task by name, not through the queue.
		 */
		wait_event_interruptible_exclusive(srv->work_wait,
						   !list_empty_careful(&srv->queue) ||
						   kthread_should_stop());
		if (kthread_should_stop())
			return 0;
		spin_lock(&srv->lock);
		req = list_first_entry_or_null(&srv->queue, struct hvl_9p_req,
					       node);
		if (req)
			list_move_tail(&req->node, &srv->running);
		spin_unlock(&srv->lock);
		if (!req)
			continue;

		hvl_9p_server_serve(srv, req);

		spin_lock(&srv->lock);
		finish_locked(srv, req);
		spin_unlock(&srv->lock);
		hvl_device_kick(srv->hdev);
		cond_resched();
	}
}

/*
 * Every worker must start, or the device does not: a pool silently
 * smaller than configured would only show as a slower server.
 */
int hvl_9p_queue_start(struct hvl_9p *srv, unsigned int workers)
{
	struct worker_start start = { .srv = srv };
	unsigned int i;

	spin_lock_init(&srv->lock);
	INIT_LIST_HEAD(&srv->queue);
	INIT_LIST_HEAD(&srv->running);
	INIT_LIST_HEAD(&srv->done);
	init_waitqueue_head(&srv->work_wait);
	srv->workers = kcalloc(workers, sizeof(*srv->workers), GFP_KERNEL);
	if (!srv->workers)
		return -ENOMEM;
	for (i = 0; i < workers; i++) {
		struct task_struct *t;

		init_completion(&start.done);
		t = kthread_run(worker, &start, "hvl_9p/%u:%u",
				srv->hdev->index, i);
		if (IS_ERR(t)) {
			start.ret = PTR_ERR(t);
		} else {
			srv->workers[i] = t;
			wait_for_completion(&start.done);
		}
		if (start.ret) {
			dev_err(&srv->hdev->dev, "9p: worker %u of %u did not start: %d\n",
				i, workers, start.ret);
			srv->nr_workers = IS_ERR(t) ? i : i + 1;
			hvl_9p_queue_stop(srv);
			return start.ret;
		}
	}
	srv->nr_workers = workers;
	return 0;
}

/*
 * Free a request that never completed, with the flushes attached to it
 * (which are on no list).  Returns how many requests were freed.
 */
static unsigned int drop_chain(struct hvl_9p *srv, struct hvl_9p_req *req)
{
	struct hvl_9p_req *next;
	unsigned int n = 0;

	for (; req; req = next, n++) {
		next = req->flush;
		srv->nr_inflight--;
		srv->bytes_inflight -= req->tsize + req->rsize;
		free_req(req);
	}
	return n;
}

static void free_list(struct hvl_9p *srv, struct list_head *list,
		      bool chains)
{
	struct hvl_9p_req *req, *tmp;

	list_for_each_entry_safe(req, tmp, list, node) {
		list_del(&req->node);
		if (!chains)
			req->flush = NULL;	/* listed on their own */
		drop_chain(srv, req);
	}
}

/*
 * Device removal: the core no longer calls poll(), so stop the workers
 * (each finishes the request it is serving) and free whatever is left.
 */
void hvl_9p_queue_stop(struct hvl_9p *srv)
{
	unsigned int i;

	for (i = 0; i < srv->nr_workers; i++)
		kthread_stop(srv->workers[i]);
	kfree(srv->workers);
	srv->workers = NULL;
	srv->nr_workers = 0;
	/* No worker is left: the lists are ours. */
	free_list(srv, &srv->queue, true);
	free_list(srv, &srv->running, true);
	free_list(srv, &srv->done, false);
	srv->nr_inflight = 0;
	srv->bytes_inflight = 0;
}

/* Peer reset: orphan what is in flight (see the top of this file). */
void hvl_9p_queue_reset(struct hvl_9p *srv)
{
	LIST_HEAD(queued);
	LIST_HEAD(done);

	spin_lock(&srv->lock);
	srv->gen++;
	/* Queued requests of the dead session never need to run. */
	list_splice_init(&srv->queue, &queued);
	list_splice_init(&srv->done, &done);
	spin_unlock(&srv->lock);

	/* Flushes attached to a queued request go with it. */
	free_list(srv, &queued, true);
	free_list(srv, &done, false);
	hvl_9p_fid_clear(&srv->fids);
	WRITE_ONCE(srv->msize, HVL_9P_MAX_MSIZE);
}

/* Push one finished request to the used ring, or drop it if stale. */
static bool push(struct hvl_9p *srv, struct hvl_9p_req *req, u32 gen)
{
	struct hvl_vq *vq = &srv->hdev->vqs[0];
	struct hvl_chain c = {
		.head = req->head,
		.nr_in = req->nr_in,
		.in_len = req->in_len,
		.iov = req->in_iov,
		.max = req->nr_in,
	};
	struct iov_iter it;
	size_t n = 0;
	bool pushed = false;

	if (req->gen != gen) {
		atomic64_inc(&srv->stats.stale);
	} else {
		if (req->rlen) {
			hvl_chain_in_iter(&c, &it);
			n = copy_to_iter(req->rbuf, req->rlen, &it);
		}
		hvl_vq_push(vq, &c, n);
		atomic64_add(ktime_to_ns(ktime_sub(ktime_get(), req->popped)),
			     &srv->stats.turn_ns[req->type]);
		pushed = true;
	}
	srv->nr_inflight--;
	srv->bytes_inflight -= req->tsize + req->rsize;
	free_req(req);
	return pushed;
}

/*
 * Copy a popped chain's request out of the window.  Returns the request,
 * ready to queue, or NULL if memory ran out (the chain is then answered
 * with nothing and the client sees EIO, rather than the ring stalling).
 */
static struct hvl_9p_req *take(struct hvl_9p *srv, const struct hvl_chain *c)
{
	struct hvl_9p_req *req;
	struct iov_iter it;
	size_t tsize, msize = READ_ONCE(srv->msize);

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return NULL;
	req->popped = ktime_get();
	req->head = c->head;
	req->gen = srv->gen;
	req->session = hvl_9p_fid_session(&srv->fids);
	req->nr_in = c->nr_in;
	req->in_len = c->in_len;
	req->tag = P9_NOTAG;
	if (c->nr_in) {
		req->in_iov = kmemdup(c->iov + c->nr_out,
				      c->nr_in * sizeof(*c->iov), GFP_KERNEL);
		if (!req->in_iov)
			goto err_free;
	}
	/*
	 * An oversized request is not copied at all: its header alone is
	 * enough to answer it with an error.
	 */
	tsize = min_t(size_t, c->out_len, (size_t)HVL_9P_MAX_MSIZE);
	if (c->out_len > msize + P9_IOHDRSZ)
		tsize = min_t(size_t, c->out_len, HVL_9P_HDR);
	req->tbuf = kvmalloc(max_t(size_t, tsize, 1), GFP_KERNEL);
	if (!req->tbuf)
		goto err_free;
	hvl_chain_out_iter(c, &it);
	req->tsize = copy_from_iter(req->tbuf, tsize, &it);
	if (req->tsize >= HVL_9P_HDR) {
		req->type = ((u8 *)req->tbuf)[4];
		req->tag = get_unaligned_le16(req->tbuf + 5);
	}

	req->rsize = min_t(size_t, c->in_len, max_t(u32, msize, HVL_9P_MIN_MSIZE));
	if (req->rsize) {
		req->rbuf = kvmalloc(req->rsize, GFP_KERNEL);
		if (!req->rbuf)
			goto err_free;
	}
	return req;

err_free:
	free_req(req);
	return NULL;
}

/* Attach a flush to the request it names, or say it can complete now. */
static bool flush_attach(struct hvl_9p *srv, struct hvl_9p_req *flush)
{
	struct hvl_9p_req *req, *tail;
	struct list_head *lists[] = { &srv->queue, &srv->running };
	u16 oldtag;
	unsigned int i;

	lockdep_assert_held(&srv->lock);

	if (flush->tsize < HVL_9P_HDR + 2)
		return false;
	oldtag = get_unaligned_le16(flush->tbuf + HVL_9P_HDR);
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		list_for_each_entry(req, lists[i], node) {
			if (req->tag != oldtag || req->type == P9_TFLUSH)
				continue;
			for (tail = req; tail->flush; tail = tail->flush)
				;
			tail->flush = flush;
			return true;
		}
	}
	return false;
}

/*
 * Lookups and attribute reads (xattrs too: the client asks for
 * security.capability before every other write, to know whether the
 * write drops file capabilities) are served right here, in the work item:
 * they are short, and each hand-off to a worker and back costs two
 * cross-CPU wake-ups, which dominate a small request's latency (on TCG
 * they cost more than the operation itself).  Anything else that moves
 * data, creates a name (the workers' umask is 0, the work item's is not),
 * or may wait on the file system's I/O goes to the pool; a read or a
 * write, only when the page cache cannot take it at once (served_here()).
 */
static bool serve_inline(u8 type)
{
	switch (type) {
	case P9_TVERSION:
	case P9_TAUTH:
	case P9_TATTACH:
	case P9_TGETATTR:
	case P9_TSTATFS:
	case P9_TREADLINK:
	case P9_TGETLOCK:
	case P9_TXATTRWALK:
		return inline_meta;
	}
	return false;
}

/* Serve @req in the work item if it should be and can be. */
static bool served_here(struct hvl_9p *srv, struct hvl_9p_req *req)
{
	if (serve_inline(req->type)) {
		hvl_9p_server_serve(srv, req);
		return true;
	}
	/*
	 * A walk and a clunk try here too: a walk of a fid onto itself
	 * takes the fid's lock, which a worker's lcreate or lopen of it
	 * holds (walk_replace() in walk.c); the clunk of an xattrcreate fid
	 * sets the attribute, a write that may wait (clunk_nowait() in
	 * server.c).
	 */
	if (req->type == P9_TWALK || req->type == P9_TCLUNK)
		return inline_meta && hvl_9p_server_try(srv, req);
	/* Reads and writes try here first: see read_nowait() in file.c. */
	return (req->type == P9_TREAD || req->type == P9_TWRITE) &&
	       READ_ONCE(inline_io) && hvl_9p_server_try(srv, req);
}

static void dispatch(struct hvl_9p *srv, struct hvl_9p_req *req)
{
	srv->nr_inflight++;
	srv->bytes_inflight += req->tsize + req->rsize;

	if (served_here(srv, req)) {
		spin_lock(&srv->lock);
		list_add_tail(&req->node, &srv->done);
		spin_unlock(&srv->lock);
		return;
	}
	if (req->type == P9_TFLUSH) {
		/* Answered here, without a worker: it carries no fid. */
		hvl_9p_server_serve(srv, req);
		spin_lock(&srv->lock);
		if (flush_attach(srv, req))
			INIT_LIST_HEAD(&req->node);	/* a tail, not listed */
		else
			list_add_tail(&req->node, &srv->done);
		spin_unlock(&srv->lock);
		return;
	}
	spin_lock(&srv->lock);
	list_add_tail(&req->node, &srv->queue);
	spin_unlock(&srv->lock);
	wake_up(&srv->work_wait);
}

/* Push every finished reply (dropping stale ones) and notify once. */
static void push_done(struct hvl_9p *srv)
{
	struct hvl_9p_req *req, *tmp;
	bool pushed = false;
	LIST_HEAD(done);
	u32 gen;

	spin_lock(&srv->lock);
	list_splice_init(&srv->done, &done);
	gen = srv->gen;
	spin_unlock(&srv->lock);
	list_for_each_entry_safe(req, tmp, &done, node) {
		list_del(&req->node);
		pushed |= push(srv, req, gen);
	}
	if (pushed)
		hvl_device_interrupt(srv->hdev, &srv->hdev->vqs[0]);
}

/* Is as much popped and not yet pushed as we allow? */
static bool at_bounds(const struct hvl_9p *srv)
{
	return srv->nr_inflight >= MAX_INFLIGHT ||
	       srv->bytes_inflight >= MAX_BYTES;
}

/* Serve the ring: push finished replies, pop new requests, push again. */
bool hvl_9p_queue_poll(struct hvl_9p *srv, int budget)
{
	struct hvl_vq *vq = &srv->hdev->vqs[0];
	struct hvl_chain c = { .iov = srv->iov, .max = HVL_CHAIN_MAX };
	struct hvl_9p_req *req;
	bool more = true, bounded = false;
	int ret;

	push_done(srv);
	while (budget > 0) {
		if (at_bounds(srv)) {
			/* A completion kicks us again: see below. */
			more = false;
			bounded = true;
			break;
		}
		ret = hvl_vq_next(vq, &c, &budget);
		if (ret == -EAGAIN || ret == -EBUSY) {
			/* A kick comes, or we ran out of budget. */
			more = ret == -EBUSY;
			break;
		}
		if (ret) {
			hvl_device_needs_reset(srv->hdev, "bad 9p request chain");
			return false;
		}
		hvl_vq_disable_notify(vq);
		budget--;
		req = take(srv, &c);
		if (!req) {
			hvl_vq_push(vq, &c, 0);
			hvl_device_interrupt(srv->hdev, vq);
			continue;
		}
		dispatch(srv, req);
	}
	push_done(srv);
	/*
	 * Stopped at the bounds, the ring was not re-armed (the last pop
	 * found a request).  A worker's completion kicks us, but if the
	 * replies just pushed, served here, were all that held us, none is
	 * coming: re-arm now, and run again if requests came meanwhile.
	 */
	if (bounded && !at_bounds(srv))
		more = hvl_vq_enable_notify(vq);
	return more;
}
