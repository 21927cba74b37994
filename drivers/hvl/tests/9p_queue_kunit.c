// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the 9P request queue's poll (devices/9p/queue.c) on the ring of
 * a fake device (fake_dev.h).  The server behind the queue is replaced
 * by one that answers every request at once (below), so the suite sees
 * only what the queue does with the ring: after every run that says
 * "nothing more", the peer's next request must ring the doorbell, and a
 * run must ask to be run again when its budget ran out, also in the
 * re-arm of an empty ring.
 */
#include <kunit/test.h>

#include "../devices/9p/queue.c"
#include "fake_dev.h"

#define NUM		128u
#define REQ_OFF		0x1000u		/* the request, in the data area */
#define REQ_LEN		19u		/* Tgetattr: hdr, fid[4], mask[8] */

/* The server, as the queue sees it: an empty reply to every request. */
void hvl_9p_server_serve(struct hvl_9p *srv, struct hvl_9p_req *req)
{
	u8 *r = req->rbuf;

	if (req->rsize < HVL_9P_HDR)
		return;
	put_unaligned_le32(HVL_9P_HDR, r);
	r[4] = req->type + 1;
	put_unaligned_le16(req->tag, r + 5);
	req->rlen = HVL_9P_HDR;
}

/* Reads are not this suite's business: always left to a worker. */
bool hvl_9p_server_try(struct hvl_9p *srv, struct hvl_9p_req *req)
{
	return false;
}

u32 hvl_9p_fid_session(struct hvl_9p_fids *t)
{
	return 0;
}

unsigned int hvl_9p_fid_clear(struct hvl_9p_fids *t)
{
	return 0;
}

static const u16 queue_num[] = { NUM };

static struct fake_dev *queue_new(struct kunit *test, bool event_idx)
{
	struct fake_dev *fd = fake_dev_new(test, 1, queue_num, event_idx);
	struct hvl_9p *srv = kunit_kzalloc(test, sizeof(*srv), GFP_KERNEL);
	u8 *t = fake_buf(fd, REQ_OFF);

	KUNIT_ASSERT_NOT_NULL(test, srv);
	srv->hdev = &fd->cd.hdev;
	srv->msize = HVL_9P_MAX_MSIZE;
	srv->iov = kunit_kcalloc(test, HVL_CHAIN_MAX, sizeof(*srv->iov),
				 GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, srv->iov);
	/* No worker: every request of this suite is served inline. */
	KUNIT_ASSERT_EQ(test, hvl_9p_queue_start(srv, 0), 0);
	fd->priv = srv;

	put_unaligned_le32(REQ_LEN, t);
	t[4] = P9_TGETATTR;
	put_unaligned_le16(1, t + 5);
	put_unaligned_le32(0, t + 7);
	put_unaligned_le64(P9_STATS_BASIC, t + 11);
	return fd;
}

static void queue_exit(struct kunit *test)
{
	struct fake_dev *fd = test->priv;

	if (!fd)
		return;
	if (fd->priv)
		hvl_9p_queue_stop(fd->priv);
	fake_dev_free(fd);
}

static bool queue_poll(struct fake_dev *fd, int budget)
{
	bool more;

	mutex_lock(&fd->cd.lock);
	more = hvl_9p_queue_poll(fd->priv, budget);
	mutex_unlock(&fd->cd.lock);
	return more;
}

/*
 * A peer that offers a reply buffer of msize with every request (as a
 * simple client does): requests served inline reach MAX_BYTES within one
 * run's budget, the run stops popping there, then pushes their replies,
 * and nothing is in flight any more: no worker will kick, so the ring
 * must be armed before the run says "nothing more".
 */
static void rearmed_after_cap(struct kunit *test, bool event_idx)
{
	struct fake_dev *fd = queue_new(test, event_idx);
	struct hvl_9p *srv = fd->priv;
	unsigned int n = DIV_ROUND_UP(MAX_BYTES, HVL_9P_MAX_MSIZE + REQ_LEN);
	unsigned int i;

	KUNIT_ASSERT_LE(test, n, min_t(unsigned int, NUM / 2, HVL_BUDGET - 1));
	for (i = 0; i < n; i++)
		fake_post_chain(fd, 0, fake_bus(REQ_OFF), REQ_LEN,
				FAKE_BIG_BUS, HVL_9P_MAX_MSIZE);
	KUNIT_EXPECT_FALSE(test, queue_poll(fd, HVL_BUDGET));
	KUNIT_EXPECT_EQ(test, fd->vqs[0].last_avail, n);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, 0), n);
	KUNIT_EXPECT_EQ(test, srv->nr_inflight, 0);
	KUNIT_EXPECT_TRUE_MSG(test, fake_would_ring(fd, 0),
			      "the peer's next request would ring no doorbell");
}

static void rearmed_after_cap_event_idx(struct kunit *test)
{
	rearmed_after_cap(test, true);
}

static void rearmed_after_cap_flags(struct kunit *test)
{
	rearmed_after_cap(test, false);
}

/* Requests below the bounds: the ring is left armed as it empties. */
static void rearmed_when_empty(struct kunit *test)
{
	struct fake_dev *fd = queue_new(test, true);
	unsigned int i;

	for (i = 0; i < 5; i++)
		fake_post_chain(fd, 0, fake_bus(REQ_OFF), REQ_LEN,
				FAKE_BIG_BUS, 4096);
	KUNIT_EXPECT_FALSE(test, queue_poll(fd, HVL_BUDGET));
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, 0), 5);
	KUNIT_EXPECT_TRUE(test, fake_would_ring(fd, 0));
}

/*
 * The budget runs out in the re-arm: the driver saw the re-arm's buffers
 * published and will not ring, so the run must ask to be run again.
 */
static void rearm_budget(struct kunit *test)
{
	struct fake_dev *fd = queue_new(test, true);

	fake_toggle(test, 0);
	KUNIT_EXPECT_TRUE(test, queue_poll(fd, HVL_BUDGET));
	KUNIT_EXPECT_GT(test, fd->idx_reads, 2);
	KUNIT_EXPECT_FALSE(test, fd->vqs[0].broken);
}

static struct kunit_case queue_cases[] = {
	KUNIT_CASE(rearmed_after_cap_event_idx),
	KUNIT_CASE(rearmed_after_cap_flags),
	KUNIT_CASE(rearmed_when_empty),
	KUNIT_CASE(rearm_budget),
	{}
};

static struct kunit_suite queue_suite = {
	.name = "hvl_9p_queue",
	.exit = queue_exit,
	.test_cases = queue_cases,
};

kunit_test_suite(queue_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for hvl_9p's request queue");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
