// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: notification coalescing.
 *
 * Suite hvl_coal: the core's holding of a queue's interrupts
 * (core/coalesce.c) on a fake device (fake_dev.h): held until the packet
 * count or the time, whichever comes first; released when the driver's
 * new parameters no longer hold it; forgotten by a reset; the timer runs
 * the work item.
 *
 * Suite hvl_net_ctrl: hvl_net's control queue (devices/net/ctrl.c), where
 * the peer sets them: every command it may send, right and wrong, with
 * the ack and the result it gets, and the chains that cannot be answered.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/unaligned.h>
#include <linux/virtio_config.h>

#include "../devices/net/hvl_net.h"
#include "fake_dev.h"

#define NQ	3
#define CTRL_NUM	32

static const u16 nums[NQ] = { 16, 16, CTRL_NUM };

/*
 * A fake device whose queues never suppress an interrupt (no EVENT_IDX,
 * NO_INTERRUPT clear): each one rung counts in notifies.
 */
static struct fake_dev *coal_setup(struct kunit *test)
{
	struct fake_dev *fd = fake_dev_new(test, NQ, nums, false);

	hvl_coal_init(&fd->cd);
	return fd;
}

static void coal_exit(struct kunit *test)
{
	struct fake_dev *fd = test->priv;

	if (!fd)
		return;
	hrtimer_cancel(&fd->cd.coal_timer);
	fake_dev_free(fd);
}

/* One packet used on @q, as a device module reports it. */
static void packet(struct fake_dev *fd, unsigned int q)
{
	mutex_lock(&fd->cd.lock);
	hvl_device_interrupt(&fd->cd.hdev, &fd->vqs[q]);
	mutex_unlock(&fd->cd.lock);
}

/* The end of a work item run. */
static void run(struct fake_dev *fd)
{
	mutex_lock(&fd->cd.lock);
	hvl_coal_run(&fd->cd);
	mutex_unlock(&fd->cd.lock);
}

static int set(struct fake_dev *fd, unsigned int q, u32 usecs, u32 packets)
{
	int ret;

	mutex_lock(&fd->cd.lock);
	ret = hvl_device_set_coalescing(&fd->cd.hdev, q, usecs, packets);
	mutex_unlock(&fd->cd.lock);
	return ret;
}

/*
 * Off, either parameter 0, a count of 1 or a time under
 * HVL_COAL_MIN_USECS: every packet rings.
 */
static void coal_off_rings_each(struct kunit *test)
{
	static const u32 params[][2] = {
		{ 0, 0 }, { 0, 8 }, { 100, 0 }, { 100, 1 }, { 1, 256 },
		{ HVL_COAL_MIN_USECS - 1, 256 },
	};
	struct fake_dev *fd = coal_setup(test);
	struct hvl_vq *vq = &fd->vqs[0];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(params); i++) {
		u64 before = vq->stats.notifies;

		KUNIT_ASSERT_EQ(test, set(fd, 0, params[i][0], params[i][1]), 0);
		packet(fd, 0);
		packet(fd, 0);
		KUNIT_EXPECT_EQ_MSG(test, vq->stats.notifies, before + 2,
				    "usecs %u packets %u", params[i][0],
				    params[i][1]);
	}
	KUNIT_EXPECT_EQ(test, vq->stats.coalesced, 0);
	KUNIT_EXPECT_FALSE(test, hrtimer_is_queued(&fd->cd.coal_timer));
}

/* Held for 3 packets of 4; the 4th rings for all, on its queue only. */
static void coal_holds_until_count(struct kunit *test)
{
	struct fake_dev *fd = coal_setup(test);
	struct hvl_vq *vq = &fd->vqs[0];
	int i;

	KUNIT_ASSERT_EQ(test, set(fd, 0, HVL_COAL_MAX_USECS, 4), 0);
	for (i = 0; i < 3; i++)
		packet(fd, 0);
	run(fd);
	KUNIT_EXPECT_EQ(test, vq->stats.notifies, 0);
	KUNIT_EXPECT_EQ(test, vq->stats.coalesced, 3);
	KUNIT_EXPECT_EQ(test, vq->coal_pending, 3);
	KUNIT_EXPECT_FALSE(test, fd->cd.irq);
	KUNIT_EXPECT_TRUE(test, hrtimer_is_queued(&fd->cd.coal_timer));
	/* Another queue is not held by queue 0's parameters. */
	packet(fd, 1);
	KUNIT_EXPECT_EQ(test, fd->vqs[1].stats.notifies, 1);
	packet(fd, 0);
	KUNIT_EXPECT_EQ(test, vq->stats.notifies, 1);
	KUNIT_EXPECT_EQ(test, vq->coal_pending, 0);
	KUNIT_EXPECT_TRUE(test, fd->cd.irq);
	KUNIT_EXPECT_EQ(test, vq->stats.coal_timeouts, 0);
}

/* One packet held, released by the end of the run after its time. */
static void coal_releases_when_due(struct kunit *test)
{
	struct fake_dev *fd = coal_setup(test);
	struct hvl_vq *vq = &fd->vqs[1];

	KUNIT_ASSERT_EQ(test, set(fd, 1, 50, 64), 0);
	packet(fd, 1);
	KUNIT_EXPECT_EQ(test, vq->stats.notifies, 0);
	usleep_range(100, 200);
	run(fd);
	KUNIT_EXPECT_EQ(test, vq->stats.notifies, 1);
	KUNIT_EXPECT_EQ(test, vq->coal_pending, 0);
	KUNIT_EXPECT_TRUE(test, fd->cd.irq);
	KUNIT_EXPECT_EQ(test, vq->stats.coal_timeouts, 1);
}

/* Before its time a run leaves it held, the timer set for it. */
static void coal_not_before_due(struct kunit *test)
{
	struct fake_dev *fd = coal_setup(test);
	struct hvl_vq *vq = &fd->vqs[0];

	KUNIT_ASSERT_EQ(test, set(fd, 0, HVL_COAL_MAX_USECS, 64), 0);
	packet(fd, 0);
	run(fd);
	KUNIT_EXPECT_EQ(test, vq->stats.notifies, 0);
	KUNIT_EXPECT_EQ(test, vq->coal_pending, 1);
	KUNIT_EXPECT_TRUE(test, hrtimer_is_queued(&fd->cd.coal_timer));
	KUNIT_EXPECT_FALSE(test, ktime_after(hrtimer_get_expires(&fd->cd.coal_timer),
					     vq->coal_due));
}

/* New parameters that no longer hold it release it (virtio 5.1.6.5.6.4). */
static void coal_change_releases(struct kunit *test)
{
	struct fake_dev *fd = coal_setup(test);
	struct hvl_vq *vq = &fd->vqs[0];

	KUNIT_ASSERT_EQ(test, set(fd, 0, HVL_COAL_MAX_USECS, 64), 0);
	packet(fd, 0);
	packet(fd, 0);
	KUNIT_ASSERT_EQ(test, set(fd, 0, 0, 0), 0);
	run(fd);
	KUNIT_EXPECT_EQ(test, vq->stats.notifies, 1);
	KUNIT_EXPECT_EQ(test, vq->coal_pending, 0);

	/* A lower count than what is held releases it too. */
	KUNIT_ASSERT_EQ(test, set(fd, 0, HVL_COAL_MAX_USECS, 64), 0);
	packet(fd, 0);
	packet(fd, 0);
	KUNIT_ASSERT_EQ(test, set(fd, 0, HVL_COAL_MAX_USECS, 2), 0);
	run(fd);
	KUNIT_EXPECT_EQ(test, vq->stats.notifies, 2);
}

/*
 * A shorter time applies to what is held already: the timer moves
 * earlier at the end of the run, and the interrupt goes at the new time.
 */
static void coal_shorter_time_applies(struct kunit *test)
{
	struct fake_dev *fd = coal_setup(test);
	struct hvl_vq *vq = &fd->vqs[0];
	ktime_t first;

	KUNIT_ASSERT_EQ(test, set(fd, 0, HVL_COAL_MAX_USECS, 64), 0);
	packet(fd, 0);
	KUNIT_EXPECT_EQ(test, vq->stats.notifies, 0);
	first = hrtimer_get_expires(&fd->cd.coal_timer);
	KUNIT_ASSERT_EQ(test, set(fd, 0, HVL_COAL_MAX_USECS / 2, 64), 0);
	run(fd);
	KUNIT_EXPECT_EQ(test, vq->stats.notifies, 0);
	KUNIT_EXPECT_TRUE(test, ktime_before(hrtimer_get_expires(&fd->cd.coal_timer),
					     first));
	KUNIT_ASSERT_EQ(test, set(fd, 0, 20, 64), 0);
	usleep_range(100, 200);
	run(fd);
	KUNIT_EXPECT_EQ(test, vq->stats.notifies, 1);
}

/* A reset forgets the parameters and what was held. */
static void coal_reset_forgets(struct kunit *test)
{
	struct fake_dev *fd = coal_setup(test);
	struct hvl_vq *vq = &fd->vqs[0];

	KUNIT_ASSERT_EQ(test, set(fd, 0, HVL_COAL_MAX_USECS, 64), 0);
	packet(fd, 0);
	hvl_vq_reset(vq);
	KUNIT_EXPECT_EQ(test, vq->coal_usecs, 0);
	KUNIT_EXPECT_EQ(test, vq->coal_packets, 0);
	KUNIT_EXPECT_EQ(test, vq->coal_pending, 0);
	run(fd);
	KUNIT_EXPECT_EQ(test, vq->stats.notifies, 0);
}

/* No such queue, or longer than HVL_COAL_MAX_USECS: refused, unchanged. */
static void coal_refuses(struct kunit *test)
{
	struct fake_dev *fd = coal_setup(test);

	KUNIT_ASSERT_EQ(test, set(fd, 0, 10, 4), 0);
	KUNIT_EXPECT_EQ(test, set(fd, NQ, 10, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, set(fd, U32_MAX, 10, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, set(fd, 0, HVL_COAL_MAX_USECS + 1, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, set(fd, 0, U32_MAX, U32_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, fd->vqs[0].coal_usecs, 10);
	KUNIT_EXPECT_EQ(test, fd->vqs[0].coal_packets, 4);
}

static struct completion ran;

static void note_run(struct work_struct *work)
{
	complete(&ran);
}

/* The timer's expiry runs the work item. */
static void coal_timer_runs_work(struct kunit *test)
{
	struct fake_dev *fd = coal_setup(test);

	init_completion(&ran);
	INIT_WORK(&fd->cd.work, note_run);
	KUNIT_ASSERT_EQ(test, set(fd, 0, 100, 64), 0);
	packet(fd, 0);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&ran, HZ), 0);
}

/*
 * With EVENT_IDX: queue 0 of a fake device, the driver's used_event at 0,
 * interrupts held for 4 packets; @n packets used, each one entry.
 */
static struct hvl_vq *event_idx_held(struct kunit *test, int n)
{
	struct fake_dev *fd = fake_dev_new(test, NQ, nums, true);
	struct hvl_vq *vq = &fd->vqs[0];

	hvl_coal_init(&fd->cd);
	vq->signalled_valid = true;
	vring_used_event(vq) = __cpu_to_virtio16(true, 0);
	KUNIT_EXPECT_EQ(test, set(fd, 0, HVL_COAL_MAX_USECS, 4), 0);
	while (n--) {
		vq->used_idx++;
		packet(fd, 0);
	}
	return vq;
}

/*
 * The held interrupt goes if the driver asked for one at any of the
 * packets held (used_event at the first): vring_need_event() covers them
 * all, since holding moved nothing of the ring's bookkeeping.
 */
static void coal_event_idx_covers_held(struct kunit *test)
{
	struct hvl_vq *vq = event_idx_held(test, 4);

	KUNIT_EXPECT_EQ(test, vq->stats.notifies, 1);
	KUNIT_EXPECT_EQ(test, vq->stats.suppressed, 0);
	KUNIT_EXPECT_EQ(test, vq->signalled_used, 4);
}

/*
 * A driver that polled what was held, and asks for an interrupt only
 * further on, gets none when the hold ends.
 */
static void coal_event_idx_polled(struct kunit *test)
{
	struct hvl_vq *vq = event_idx_held(test, 3);
	struct fake_dev *fd = test->priv;

	/* The driver saw all three, and wants to hear after the 10th. */
	vring_used_event(vq) = __cpu_to_virtio16(true, 10);
	vq->used_idx++;
	packet(fd, 0);
	KUNIT_EXPECT_EQ(test, vq->stats.notifies, 0);
	KUNIT_EXPECT_EQ(test, vq->stats.suppressed, 1);
	KUNIT_EXPECT_FALSE(test, fd->cd.irq);
}

static struct kunit_case hvl_coal_cases[] = {
	KUNIT_CASE(coal_off_rings_each),
	KUNIT_CASE(coal_holds_until_count),
	KUNIT_CASE(coal_releases_when_due),
	KUNIT_CASE(coal_not_before_due),
	KUNIT_CASE(coal_change_releases),
	KUNIT_CASE(coal_shorter_time_applies),
	KUNIT_CASE(coal_reset_forgets),
	KUNIT_CASE(coal_refuses),
	KUNIT_CASE(coal_timer_runs_work),
	KUNIT_CASE(coal_event_idx_covers_held),
	KUNIT_CASE(coal_event_idx_polled),
	{}
};

static struct kunit_suite hvl_coal_suite = {
	.name = "hvl_coal",
	.exit = coal_exit,
	.test_cases = hvl_coal_cases,
};

/* hvl_net's control queue. */

#define CMD_OFF		0	/* the command, in the fake's data area */
#define ACK_OFF		0x800	/* the ack and the result */
#define ALL_COAL	(BIT_ULL(VIRTIO_NET_F_CTRL_VQ) |		\
			 BIT_ULL(VIRTIO_NET_F_NOTF_COAL) |		\
			 BIT_ULL(VIRTIO_NET_F_VQ_NOTF_COAL))
#define COAL		VIRTIO_NET_CTRL_NOTF_COAL
#define RX_SET		VIRTIO_NET_CTRL_NOTF_COAL_RX_SET
#define VQ_SET		VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET
#define VQ_GET		VIRTIO_NET_CTRL_NOTF_COAL_VQ_GET

/* A net device on the fake, its features negotiated as @features. */
static struct hvl_net *ctrl_setup(struct kunit *test, u64 features)
{
	struct fake_dev *fd = coal_setup(test);
	struct hvl_net *n = kunit_kzalloc(test, sizeof(*n), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, n);
	n->hdev = &fd->cd.hdev;
	fd->cd.hdev.priv = n;
	fd->cd.hdev.host_features = ALL_COAL;
	fd->cd.hdev.guest_features = features;
	fd->cd.hdev.status = VIRTIO_CONFIG_S_FEATURES_OK |
			     VIRTIO_CONFIG_S_DRIVER_OK;
	return n;
}

/*
 * Post a command of @len bytes of data (class, cmd first) with @in_len
 * writable bytes, serve the control queue, and return the used length.
 */
static u32 send(struct kunit *test, struct hvl_net *n, u8 class, u8 cmd,
		const void *data, size_t len, u32 in_len)
{
	struct fake_dev *fd = test->priv;
	u8 *buf = fake_buf(fd, CMD_OFF);
	u16 used = fake_used_idx(fd, CTRL_Q);
	int budget = 8;

	buf[0] = class;
	buf[1] = cmd;
	memcpy(buf + 2, data, len);
	memset(fake_buf(fd, ACK_OFF), 0xee, 16);
	fake_post_chain(fd, CTRL_Q, fake_bus(CMD_OFF), 2 + len,
			in_len ? fake_bus(ACK_OFF) : 0, in_len);
	mutex_lock(&fd->cd.lock);
	KUNIT_EXPECT_FALSE(test, hvl_net_serve_ctrl(n, &budget, false));
	mutex_unlock(&fd->cd.lock);
	if (fake_used_idx(fd, CTRL_Q) != (u16)(used + 1))
		return U32_MAX;
	return __virtio32_to_cpu(true,
				 fake_used(fd, CTRL_Q)->ring[used % CTRL_NUM].len);
}

static u8 ack(struct kunit *test)
{
	return *(u8 *)fake_buf(test->priv, ACK_OFF);
}

static void ctrl_exit(struct kunit *test)
{
	coal_exit(test);
}

/* RX_SET, TX_SET and VQ_SET set their queue's parameters. */
static void ctrl_sets(struct kunit *test)
{
	struct hvl_net *n = ctrl_setup(test, ALL_COAL);
	struct fake_dev *fd = test->priv;
	struct virtio_net_ctrl_coal_rx rx = { cpu_to_le32(16), cpu_to_le32(300) };
	struct virtio_net_ctrl_coal_tx tx = { cpu_to_le32(8), cpu_to_le32(50) };
	struct virtio_net_ctrl_coal_vq vq = {
		.vqn = cpu_to_le16(TX_Q),
		.coal = { cpu_to_le32(32), cpu_to_le32(7) },
	};

	KUNIT_EXPECT_EQ(test, send(test, n, VIRTIO_NET_CTRL_NOTF_COAL,
				   VIRTIO_NET_CTRL_NOTF_COAL_RX_SET, &rx,
				   sizeof(rx), 1), 1);
	KUNIT_EXPECT_EQ(test, ack(test), VIRTIO_NET_OK);
	KUNIT_EXPECT_EQ(test, fd->vqs[RX_Q].coal_packets, 16);
	KUNIT_EXPECT_EQ(test, fd->vqs[RX_Q].coal_usecs, 300);
	KUNIT_EXPECT_EQ(test, send(test, n, VIRTIO_NET_CTRL_NOTF_COAL,
				   VIRTIO_NET_CTRL_NOTF_COAL_TX_SET, &tx,
				   sizeof(tx), 1), 1);
	KUNIT_EXPECT_EQ(test, ack(test), VIRTIO_NET_OK);
	KUNIT_EXPECT_EQ(test, fd->vqs[TX_Q].coal_packets, 8);
	KUNIT_EXPECT_EQ(test, fd->vqs[TX_Q].coal_usecs, 50);
	KUNIT_EXPECT_EQ(test, send(test, n, VIRTIO_NET_CTRL_NOTF_COAL,
				   VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET, &vq,
				   sizeof(vq), 1), 1);
	KUNIT_EXPECT_EQ(test, ack(test), VIRTIO_NET_OK);
	KUNIT_EXPECT_EQ(test, fd->vqs[TX_Q].coal_packets, 32);
	KUNIT_EXPECT_EQ(test, fd->vqs[TX_Q].coal_usecs, 7);
	KUNIT_EXPECT_EQ(test, fd->vqs[RX_Q].coal_usecs, 300);
	KUNIT_EXPECT_EQ(test, atomic64_read(&n->ctrl_done), 3);
	KUNIT_EXPECT_EQ(test, atomic64_read(&n->ctrl_refused), 0);
	/* The ack interrupts, as any used buffer. */
	KUNIT_EXPECT_EQ(test, fd->vqs[CTRL_Q].stats.notifies, 3);
}

/* VQ_GET answers after the ack, with the data of either length. */
static void ctrl_get(struct kunit *test)
{
	struct hvl_net *n = ctrl_setup(test, ALL_COAL);
	struct fake_dev *fd = test->priv;
	struct virtio_net_ctrl_coal_vq vq = { .vqn = cpu_to_le16(RX_Q) };
	struct virtio_net_ctrl_coal *res = fake_buf(fd, ACK_OFF + 1);

	fd->vqs[RX_Q].coal_usecs = 123;
	fd->vqs[RX_Q].coal_packets = 45;
	KUNIT_EXPECT_EQ(test, send(test, n, VIRTIO_NET_CTRL_NOTF_COAL,
				   VIRTIO_NET_CTRL_NOTF_COAL_VQ_GET, &vq, 4,
				   1 + sizeof(*res)), 1 + sizeof(*res));
	KUNIT_EXPECT_EQ(test, ack(test), VIRTIO_NET_OK);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(res->max_usecs), 123);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(res->max_packets), 45);
	KUNIT_EXPECT_EQ(test, send(test, n, VIRTIO_NET_CTRL_NOTF_COAL,
				   VIRTIO_NET_CTRL_NOTF_COAL_VQ_GET, &vq,
				   sizeof(vq), 1 + sizeof(*res)),
			1 + sizeof(*res));
	KUNIT_EXPECT_EQ(test, ack(test), VIRTIO_NET_OK);
	/* The transmitq's, asked with vqn alone. */
	fd->vqs[TX_Q].coal_usecs = 67;
	fd->vqs[TX_Q].coal_packets = 89;
	vq.vqn = cpu_to_le16(TX_Q);
	KUNIT_EXPECT_EQ(test, send(test, n, VIRTIO_NET_CTRL_NOTF_COAL,
				   VIRTIO_NET_CTRL_NOTF_COAL_VQ_GET, &vq, 2,
				   1 + sizeof(*res)), 1 + sizeof(*res));
	KUNIT_EXPECT_EQ(test, ack(test), VIRTIO_NET_OK);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(res->max_usecs), 67);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(res->max_packets), 89);
}

/* A queue the driver did not enable is not one to set or ask about. */
static void ctrl_queue_not_enabled(struct kunit *test)
{
	struct hvl_net *n = ctrl_setup(test, ALL_COAL);
	struct fake_dev *fd = test->priv;
	struct virtio_net_ctrl_coal_vq vq = {
		.vqn = cpu_to_le16(TX_Q),
		.coal = { cpu_to_le32(32), cpu_to_le32(50) },
	};

	fd->vqs[TX_Q].ready = false;
	KUNIT_EXPECT_EQ(test, send(test, n, COAL, VQ_SET, &vq, sizeof(vq), 1), 1);
	KUNIT_EXPECT_EQ(test, ack(test), VIRTIO_NET_ERR);
	KUNIT_EXPECT_EQ(test, send(test, n, COAL, VQ_GET, &vq, 4, 9), 1);
	KUNIT_EXPECT_EQ(test, ack(test), VIRTIO_NET_ERR);
	KUNIT_EXPECT_EQ(test, fd->vqs[TX_Q].coal_packets, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&n->ctrl_refused), 2);
}

/*
 * While the device needs a reset, only the control queue is served, and
 * every command refused: the stock driver spins until it is answered.
 */
static void ctrl_needs_reset(struct kunit *test)
{
	struct hvl_net *n = ctrl_setup(test, ALL_COAL);
	struct fake_dev *fd = test->priv;
	struct virtio_net_ctrl_coal_rx rx = { cpu_to_le32(16), cpu_to_le32(300) };
	u8 *buf = fake_buf(fd, CMD_OFF);

	fd->cd.hdev.status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	buf[0] = COAL;
	buf[1] = RX_SET;
	memcpy(buf + 2, &rx, sizeof(rx));
	fake_post_chain(fd, CTRL_Q, fake_bus(CMD_OFF), 2 + sizeof(rx),
			fake_bus(ACK_OFF), 1);
	mutex_lock(&fd->cd.lock);
	KUNIT_EXPECT_FALSE(test, hvl_net_poll_failed(&fd->cd.hdev, 64));
	mutex_unlock(&fd->cd.lock);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, CTRL_Q), 1);
	KUNIT_EXPECT_EQ(test, ack(test), VIRTIO_NET_ERR);
	KUNIT_EXPECT_EQ(test, fd->vqs[RX_Q].coal_usecs, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&n->ctrl_refused), 1);
}

/*
 * The control queue's features need a third queue, and the coalescing
 * ones CTRL_VQ: the stock driver refuses a device offering them without.
 */
static void ctrl_offer(struct kunit *test)
{
	u64 all = BIT_ULL(VIRTIO_NET_F_MRG_RXBUF) | ALL_COAL;
	struct hvl_device hdev = { .num_queues = 3 };

	KUNIT_EXPECT_EQ(test, hvl_net_offer(&hdev, all), all);
	KUNIT_EXPECT_EQ(test,
			hvl_net_offer(&hdev, all & ~BIT_ULL(VIRTIO_NET_F_CTRL_VQ)),
			BIT_ULL(VIRTIO_NET_F_MRG_RXBUF));
	KUNIT_EXPECT_EQ(test,
			hvl_net_offer(&hdev, all & ~BIT_ULL(VIRTIO_NET_F_NOTF_COAL)),
			all & ~BIT_ULL(VIRTIO_NET_F_NOTF_COAL));
	hdev.num_queues = 2;
	KUNIT_EXPECT_EQ(test, hvl_net_offer(&hdev, all),
			BIT_ULL(VIRTIO_NET_F_MRG_RXBUF));
}

/*
 * The data: VQ_SET's and VQ_GET's vqn in its first two bytes, RX_SET's
 * (and TX_SET's) usecs in its second word, 16 packets in VQ_SET's.
 */
struct refused_case {
	const char *what;
	u64 features;
	u8 class, cmd;
	size_t len;		/* of the data */
	u16 vqn;
	u32 usecs;
	u32 in_len;		/* writable bytes */
};

#define R(w, f, cl, cm, l, v, u, in) \
	{ .what = w, .features = f, .class = cl, .cmd = cm, .len = l, \
	  .vqn = v, .usecs = u, .in_len = in }

static const struct refused_case refused_cases[] = {
	R("class RX (not served)", ALL_COAL, VIRTIO_NET_CTRL_RX, 0, 1, 0, 0, 1),
	R("class MAC (not served)", ALL_COAL, VIRTIO_NET_CTRL_MAC, 1, 6, 0, 0, 1),
	R("class 255", ALL_COAL, 255, RX_SET, 8, 0, 0, 1),
	R("command 4", ALL_COAL, COAL, 4, 8, 0, 0, 1),
	R("command 255", ALL_COAL, COAL, 255, 8, 0, 0, 1),
	R("RX_SET 7 bytes", ALL_COAL, COAL, RX_SET, 7, 0, 0, 1),
	R("RX_SET 9 bytes", ALL_COAL, COAL, RX_SET, 9, 0, 0, 1),
	R("RX_SET no data", ALL_COAL, COAL, RX_SET, 0, 0, 0, 1),
	R("RX_SET beyond the longest time", ALL_COAL, COAL, RX_SET, 8, 16,
	  HVL_COAL_MAX_USECS + 1, 1),
	R("RX_SET U32_MAX usecs", ALL_COAL, COAL, RX_SET, 8, 16, U32_MAX, 1),
	R("RX_SET without NOTF_COAL", BIT_ULL(VIRTIO_NET_F_VQ_NOTF_COAL),
	  COAL, RX_SET, 8, 16, 10, 1),
	R("VQ_SET without VQ_NOTF_COAL", BIT_ULL(VIRTIO_NET_F_NOTF_COAL),
	  COAL, VQ_SET, 12, 0, 0, 1),
	R("VQ_SET the control queue", ALL_COAL, COAL, VQ_SET, 12, CTRL_Q, 0, 1),
	R("VQ_SET vqn 0xffff", ALL_COAL, COAL, VQ_SET, 12, 0xffff, 0, 1),
	R("VQ_SET 11 bytes", ALL_COAL, COAL, VQ_SET, 11, 0, 0, 1),
	R("VQ_GET no room for the result", ALL_COAL, COAL, VQ_GET, 4, 0, 0, 8),
	R("VQ_GET the control queue", ALL_COAL, COAL, VQ_GET, 4, CTRL_Q, 0, 9),
	R("VQ_GET without VQ_NOTF_COAL", BIT_ULL(VIRTIO_NET_F_NOTF_COAL),
	  COAL, VQ_GET, 4, 0, 0, 9),
	R("VQ_GET 3 bytes", ALL_COAL, COAL, VQ_GET, 3, 0, 0, 9),
	R("longer than any command", ALL_COAL, COAL, RX_SET, 1000, 16, 10, 1),
};

static void refused_desc(const struct refused_case *c, char *desc)
{
	strscpy(desc, c->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(refused, refused_cases, refused_desc);

/*
 * Each refused with VIRTIO_NET_ERR, an ack of one byte and no result,
 * counted, and nothing set.
 */
static void ctrl_refused(struct kunit *test)
{
	const struct refused_case *c = test->param_value;
	struct hvl_net *n = ctrl_setup(test, c->features);
	struct fake_dev *fd = test->priv;
	u8 data[1000] = {};
	unsigned int q;

	put_unaligned_le16(c->vqn, data);
	put_unaligned_le32(c->usecs, data + 4);
	put_unaligned_le32(16, data + 8);
	KUNIT_EXPECT_EQ(test, send(test, n, c->class, c->cmd, data, c->len,
				   c->in_len), 1);
	KUNIT_EXPECT_EQ(test, ack(test), VIRTIO_NET_ERR);
	KUNIT_EXPECT_EQ(test, atomic64_read(&n->ctrl_refused), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&n->ctrl_done), 0);
	for (q = 0; q < NQ; q++) {
		KUNIT_EXPECT_EQ(test, fd->vqs[q].coal_usecs, 0);
		KUNIT_EXPECT_EQ(test, fd->vqs[q].coal_packets, 0);
	}
	KUNIT_EXPECT_FALSE(test, fd->cd.hdev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

/* Shorter than its two header bytes: refused, not read past its end. */
static void ctrl_short(struct kunit *test)
{
	struct hvl_net *n = ctrl_setup(test, ALL_COAL);
	struct fake_dev *fd = test->priv;
	u16 used = fake_used_idx(fd, CTRL_Q);
	int budget = 8;

	fake_post_chain(fd, CTRL_Q, fake_bus(CMD_OFF), 1, fake_bus(ACK_OFF), 1);
	mutex_lock(&fd->cd.lock);
	hvl_net_serve_ctrl(n, &budget, false);
	mutex_unlock(&fd->cd.lock);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, CTRL_Q), (u16)(used + 1));
	KUNIT_EXPECT_EQ(test, ack(test), VIRTIO_NET_ERR);
	KUNIT_EXPECT_EQ(test, atomic64_read(&n->ctrl_refused), 1);
}

/* No writable byte for the ack: a broken ring, the device needs a reset. */
static void ctrl_no_ack(struct kunit *test)
{
	struct hvl_net *n = ctrl_setup(test, ALL_COAL);
	struct fake_dev *fd = test->priv;
	struct virtio_net_ctrl_coal_rx rx = { cpu_to_le32(16), cpu_to_le32(300) };

	KUNIT_EXPECT_EQ(test, send(test, n, COAL, RX_SET, &rx, sizeof(rx), 0),
			U32_MAX);
	KUNIT_EXPECT_TRUE(test, fd->cd.hdev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

/* A run answers CTRL_BUDGET commands at most, and says there are more. */
static void ctrl_budget(struct kunit *test)
{
	struct hvl_net *n = ctrl_setup(test, ALL_COAL);
	struct fake_dev *fd = test->priv;
	int i, budget = CTRL_BUDGET;

	*(u8 *)fake_buf(fd, CMD_OFF) = 255;
	for (i = 0; i < CTRL_BUDGET + 2; i++)
		fake_post_chain(fd, CTRL_Q, fake_bus(CMD_OFF), 2,
				fake_bus(ACK_OFF + i), 1);
	mutex_lock(&fd->cd.lock);
	KUNIT_EXPECT_TRUE(test, hvl_net_serve_ctrl(n, &budget, false));
	mutex_unlock(&fd->cd.lock);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, CTRL_Q), CTRL_BUDGET);
	budget = CTRL_BUDGET;
	mutex_lock(&fd->cd.lock);
	KUNIT_EXPECT_FALSE(test, hvl_net_serve_ctrl(n, &budget, false));
	mutex_unlock(&fd->cd.lock);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, CTRL_Q), CTRL_BUDGET + 2);
}

static struct kunit_case hvl_net_ctrl_cases[] = {
	KUNIT_CASE(ctrl_sets),
	KUNIT_CASE(ctrl_get),
	KUNIT_CASE_PARAM(ctrl_refused, refused_gen_params),
	KUNIT_CASE(ctrl_short),
	KUNIT_CASE(ctrl_no_ack),
	KUNIT_CASE(ctrl_budget),
	KUNIT_CASE(ctrl_queue_not_enabled),
	KUNIT_CASE(ctrl_needs_reset),
	KUNIT_CASE(ctrl_offer),
	{}
};

static struct kunit_suite hvl_net_ctrl_suite = {
	.name = "hvl_net_ctrl",
	.exit = ctrl_exit,
	.test_cases = hvl_net_ctrl_cases,
};

kunit_test_suites(&hvl_coal_suite, &hvl_net_ctrl_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for hvl's notification coalescing");
