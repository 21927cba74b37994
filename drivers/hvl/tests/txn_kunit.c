// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the register-transaction state machine (core/txn.c).
 *
 * A fake device (txn_fake.h) sits in a kmalloc'd "window": register
 * page at 0x1000, rings at 0x4000.  The tests drive it as a peer driver
 * would, through hvl_txn_write() and through the shared transaction
 * block, and read the register image back as the peer would.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "txn_fake.h"

/* ACKNOWLEDGE | DRIVER, VERSION_1 + bit 0, FEATURES_OK. */
static void negotiate(struct kunit *test, struct fake *f)
{
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 3), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_DRIVER_FEATURES, 1), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_DRIVER_FEATURES, 1), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0xb), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 0xb);
}

static void setup_queue(struct kunit *test, struct fake *f, u32 q, u32 num,
			u64 base)
{
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_SEL, q), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_NUM, num), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_DESC_LOW, lower_32_bits(base)), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_DESC_HIGH, upper_32_bits(base)), HVL_TXN_OK);
	base += 16 * num;
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_AVAIL_LOW, lower_32_bits(base)), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, upper_32_bits(base)), HVL_TXN_OK);
	base = ALIGN(base + 6 + 2 * num, 4);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_USED_LOW, lower_32_bits(base)), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_USED_HIGH, upper_32_bits(base)), HVL_TXN_OK);
}

static void image_after_init(struct kunit *test)
{
	struct fake *f = fake_new(test, false);

	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_VERSION), 2);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_VENDOR_ID), HVL_VENDOR_ID);
	/* Unbound: a placeholder device that refuses everything but reset. */
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_DEVICE_ID), 0);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 1), HVL_TXN_ESTATE);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);

	mutex_lock(&f->cd.lock);
	hvl_txn_bind(&f->cd, &f->drv);
	mutex_unlock(&f->cd.lock);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_DEVICE_ID), 3);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_QUEUE_NUM_MAX), 64);
}

static void features_by_selector(struct kunit *test)
{
	struct fake *f = fake_new(test, true);

	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_DEVICE_FEATURES), 0x30000005);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1), HVL_TXN_OK);
	/* VERSION_1 (32) and ACCESS_PLATFORM (33). */
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_DEVICE_FEATURES), 0x3);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 7), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_DEVICE_FEATURES), 0);
}

static void dt_masks_device_features(struct kunit *test)
{
	struct fake *f = fake_new(test, false);

	f->cd.dt_features = BIT_ULL(2);
	mutex_lock(&f->cd.lock);
	hvl_txn_bind(&f->cd, &f->drv);
	mutex_unlock(&f->cd.lock);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_DEVICE_FEATURES), 0x30000004);
}

static void negotiation_and_driver_ok(struct kunit *test)
{
	struct fake *f = fake_new(test, true);

	negotiate(test, f);
	KUNIT_EXPECT_EQ(test, f->cd.hdev.guest_features, BIT_ULL(32) | 1);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0xf), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, f->activated, 1);
	KUNIT_EXPECT_TRUE(test, f->cd.active);
	KUNIT_EXPECT_TRUE(test, hvl_device_ready(&f->cd.hdev));
	/* Features are frozen after FEATURES_OK. */
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_DRIVER_FEATURES, 0), HVL_TXN_ESTATE);
}

static void features_ok_refused(struct kunit *test)
{
	struct fake *f = fake_new(test, true);

	/* No VERSION_1: FEATURES_OK does not stick. */
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 3), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_DRIVER_FEATURES, 1), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0xb), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 3);

	/* A bit the device does not offer (bit 1). */
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_DRIVER_FEATURES, 3), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_DRIVER_FEATURES, 1), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0xb), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 3);

	/* DRIVER_OK without FEATURES_OK. */
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 7), HVL_TXN_ESTATE);
	KUNIT_EXPECT_EQ(test, f->activated, 0);
}

static void status_bits_only_accumulate(struct kunit *test)
{
	struct fake *f = fake_new(test, true);

	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 3), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 1), HVL_TXN_EINVAL);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0x100), HVL_TXN_EINVAL);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 3);
}

static void queue_setup(struct kunit *test)
{
	struct fake *f = fake_new(test, true);
	u64 base = WIN_BUS + RING_OFF;

	negotiate(test, f);
	/* Each queue has its own QueueNumMax. */
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_SEL, 1), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_QUEUE_NUM_MAX), 16);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_NUM, 32), HVL_TXN_EINVAL);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_NUM, 12), HVL_TXN_EINVAL);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_NUM, 0), HVL_TXN_EINVAL);

	/* Out of order: queue 1 first. */
	setup_queue(test, f, 1, 16, base);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_READY, 1), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_QUEUE_READY), 1);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_QUEUE_NUM), 16);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_QUEUE_DESC_LOW), lower_32_bits(base));
	/* Live queue registers are frozen. */
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_NUM, 8), HVL_TXN_ESTATE);

	setup_queue(test, f, 0, 64, base + 0x1000);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_READY, 1), HVL_TXN_OK);
	KUNIT_EXPECT_TRUE(test, f->cd.hdev.vqs[0].ready);
	KUNIT_EXPECT_EQ(test, f->cd.hdev.vqs[0].num, 64);

	/* A queue that does not exist. */
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_SEL, 2), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_NUM, 8), HVL_TXN_EINVAL);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_READY, 1), HVL_TXN_EINVAL);

	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0xf), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_SEL, 0), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_READY, 0), HVL_TXN_ESTATE);
}

struct bad_ring {
	const char *name;
	u64 desc_off;		/* from the window's bus base */
	u32 num;
	enum hvl_txn_status st;
};

static const struct bad_ring bad_rings[] = {
	{ "outside window", WIN_SIZE, 16, HVL_TXN_EFAULT },
	{ "straddles end", WIN_SIZE - 16 * 8, 16, HVL_TXN_EFAULT },
	{ "below window", -0x1000ULL, 16, HVL_TXN_EFAULT },
	{ "misaligned desc", RING_OFF + 8, 16, HVL_TXN_EFAULT },
	{ "2^64 wrap", -WIN_BUS - 0x10, 16, HVL_TXN_EFAULT },
};

static void bad_ring_desc(const struct bad_ring *b, char *desc)
{
	strscpy(desc, b->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_ring, bad_rings, bad_ring_desc);

static void queue_ready_rejects_bad_rings(struct kunit *test)
{
	const struct bad_ring *b = test->param_value;
	struct fake *f = fake_new(test, true);

	negotiate(test, f);
	setup_queue(test, f, 0, b->num, WIN_BUS + b->desc_off);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_READY, 1), b->st);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_QUEUE_READY), 0);
	KUNIT_EXPECT_FALSE(test, f->cd.hdev.vqs[0].ready);
}

static void reset_mid_setup(struct kunit *test)
{
	struct fake *f = fake_new(test, true);

	negotiate(test, f);
	setup_queue(test, f, 0, 64, WIN_BUS + RING_OFF);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_READY, 1), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0), HVL_TXN_OK);

	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 0);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_QUEUE_READY), 0);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_QUEUE_NUM), 0);
	KUNIT_EXPECT_EQ(test, f->cd.hdev.guest_features, 0);
	KUNIT_EXPECT_FALSE(test, f->cd.hdev.vqs[0].ready);
	/* Not started, so the backend had nothing to stop. */
	KUNIT_EXPECT_EQ(test, f->resets, 0);

	/* And it can be set up again from scratch. */
	negotiate(test, f);
	setup_queue(test, f, 0, 32, WIN_BUS + RING_OFF);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_READY, 1), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, f->cd.hdev.vqs[0].num, 32);
}

static void reset_after_driver_ok(struct kunit *test)
{
	struct fake *f = fake_new(test, true);

	negotiate(test, f);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0xf), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, f->resets, 1);
	KUNIT_EXPECT_FALSE(test, f->cd.active);
	KUNIT_EXPECT_FALSE(test, hvl_device_ready(&f->cd.hdev));
	/*
	 * The backend's reset purges what senders queued: they must already
	 * see the device stopped, or they queue after the purge.
	 */
	KUNIT_EXPECT_FALSE(test, f->ready_in_reset);
}

static void needs_reset_blocks_until_reset(struct kunit *test)
{
	struct fake *f = fake_new(test, true);
	u32 gen = reg(f, VIRTIO_MMIO_CONFIG_GENERATION);

	negotiate(test, f);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0xf), HVL_TXN_OK);
	mutex_lock(&f->cd.lock);
	hvl_device_needs_reset(&f->cd.hdev, "kunit");
	mutex_unlock(&f->cd.lock);

	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 0x4f);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_INTERRUPT_STATUS) & 2, 2);
	KUNIT_EXPECT_NE(test, reg(f, VIRTIO_MMIO_CONFIG_GENERATION), gen);
	KUNIT_EXPECT_EQ(test, f->cd.hdev.stats.needs_reset, 1);
	KUNIT_EXPECT_FALSE(test, hvl_device_ready(&f->cd.hdev));
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_SEL, 0), HVL_TXN_ESTATE);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_INTERRUPT_ACK, 2), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 0);
	negotiate(test, f);
}

static void config_writes(struct kunit *test)
{
	struct fake *f = fake_new(test, true);
	static const u32 bad[][2] = {	/* offset, width */
		{ 8, 1 }, { 6, 4 }, { 5, 2 }, { 4, 3 }, { 0xdfc, 4 },
	};
	u8 *cfg = f->mem + PAGE_OFF + HVL_CONFIG_OFFSET;
	enum hvl_txn_status st;
	unsigned int i;

	mutex_lock(&f->cd.lock);
	st = hvl_txn_write(&f->cd, HVL_CONFIG_OFFSET + 4, 1, 0x5a);
	KUNIT_EXPECT_EQ(test, st, HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, cfg[4], 0x5a);
	/* Read-only field, as the device type says. */
	st = hvl_txn_write(&f->cd, HVL_CONFIG_OFFSET, 4, 1);
	KUNIT_EXPECT_EQ(test, st, HVL_TXN_EINVAL);
	/* Beyond config_size, misaligned, bad width, far out. */
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ(test, hvl_txn_write(&f->cd, HVL_CONFIG_OFFSET + bad[i][0],
						    bad[i][1], 0), HVL_TXN_EINVAL);
	mutex_unlock(&f->cd.lock);
	KUNIT_EXPECT_EQ(test, f->cfg_writes, 2);
}

struct bad_write {
	const char *name;
	u32 off, width, val;
};

static const struct bad_write bad_writes[] = {
	{ "MagicValue", VIRTIO_MMIO_MAGIC_VALUE, 4, 0 },
	{ "DeviceID", VIRTIO_MMIO_DEVICE_ID, 4, 1 },
	{ "DeviceFeatures", VIRTIO_MMIO_DEVICE_FEATURES, 4, ~0u },
	{ "QueueNumMax", VIRTIO_MMIO_QUEUE_NUM_MAX, 4, 1 },
	{ "InterruptStatus", VIRTIO_MMIO_INTERRUPT_STATUS, 4, 1 },
	{ "ConfigGeneration", VIRTIO_MMIO_CONFIG_GENERATION, 4, 1 },
	{ "legacy QueuePFN", VIRTIO_MMIO_QUEUE_PFN, 4, 1 },
	{ "QueueNotify", VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0 },
	{ "register width 2", VIRTIO_MMIO_STATUS, 2, 1 },
	{ "width 8", VIRTIO_MMIO_STATUS, 8, 1 },
	{ "width 0", VIRTIO_MMIO_STATUS, 0, 1 },
	{ "txn block", HVL_TXN_OFFSET, 4, 1 },
	{ "beyond page", 0x2000, 4, 1 },
	{ "QueueReady 2", VIRTIO_MMIO_QUEUE_READY, 4, 2 },
	{ "DriverFeatures word 2", VIRTIO_MMIO_DRIVER_FEATURES, 4, 1 },
};

static void bad_write_desc(const struct bad_write *b, char *desc)
{
	strscpy(desc, b->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_write, bad_writes, bad_write_desc);

static void refused_writes_change_nothing(struct kunit *test)
{
	const struct bad_write *b = test->param_value;
	struct fake *f = fake_new(test, true);
	u8 before[HVL_REGS_SIZE];
	enum hvl_txn_status st;

	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 3), HVL_TXN_OK);
	if (b->off == VIRTIO_MMIO_DRIVER_FEATURES)
		KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2), HVL_TXN_OK);
	memcpy(before, f->mem + PAGE_OFF, sizeof(before));
	mutex_lock(&f->cd.lock);
	st = hvl_txn_write(&f->cd, b->off, b->width, b->val);
	hvl_txn_publish(&f->cd);
	mutex_unlock(&f->cd.lock);
	KUNIT_EXPECT_NE(test, st, HVL_TXN_OK);
	KUNIT_EXPECT_MEMEQ(test, before, f->mem + PAGE_OFF, sizeof(before));
}

static void transaction_protocol(struct kunit *test)
{
	struct fake *f = fake_new(test, true);
	struct hvl_txn *t = f->mem + PAGE_OFF + HVL_TXN_OFFSET;
	u32 seq = le32_to_cpu(t->seq);
	bool done;

	mutex_lock(&f->cd.lock);
	KUNIT_EXPECT_FALSE(test, hvl_txn_run(&f->cd));

	t->offset = cpu_to_le32(VIRTIO_MMIO_STATUS);
	t->width = cpu_to_le32(4);
	t->value = cpu_to_le32(1);
	t->seq = cpu_to_le32(seq + 1);
	done = hvl_txn_run(&f->cd);
	KUNIT_EXPECT_TRUE(test, done);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_seq), seq + 1);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_status), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 1);

	/* Nothing new: nothing replayed. */
	t->value = cpu_to_le32(0);
	KUNIT_EXPECT_FALSE(test, hvl_txn_run(&f->cd));
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 1);

	/* A refused write is still acknowledged, with its status. */
	t->width = cpu_to_le32(3);
	t->seq = cpu_to_le32(seq + 2);
	KUNIT_EXPECT_TRUE(test, hvl_txn_run(&f->cd));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_seq), seq + 2);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_status), HVL_TXN_EINVAL);
	KUNIT_EXPECT_EQ(test, f->cd.hdev.stats.txn_errors, 1);

	/* A hostile jump of seq is just another transaction. */
	t->width = cpu_to_le32(4);
	t->seq = cpu_to_le32(seq + 1000);
	KUNIT_EXPECT_TRUE(test, hvl_txn_run(&f->cd));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_seq), seq + 1000);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 0);
	mutex_unlock(&f->cd.lock);
}

/* Put a transaction in the shared block as a driver would, unanswered. */
static u32 post(struct fake *f, u32 off, u32 val)
{
	struct hvl_txn *t = f->mem + PAGE_OFF + HVL_TXN_OFFSET;
	u32 seq = le32_to_cpu(t->seq) + 1;

	t->offset = cpu_to_le32(off);
	t->width = cpu_to_le32(4);
	t->value = cpu_to_le32(val);
	t->seq = cpu_to_le32(seq);
	return seq;
}

/* A driver side (re)starts: it bumps peer_gen in the window header. */
static u32 restart(struct fake *f)
{
	struct hvl_win_hdr *h = f->mem;

	h->peer_gen = cpu_to_le32(le32_to_cpu(h->peer_gen) + 1);
	return le32_to_cpu(h->peer_gen);
}

/*
 * A driver side that dies with a transaction in flight: its successor
 * bumps peer_gen.  The device resets and resynchronises ack_seq; the
 * stale write is acknowledged as refused, never applied to the new
 * session.  The new driver's first transaction, a reset, is applied.
 */
static void peer_restart_drops_stale_txn(struct kunit *test)
{
	struct fake *f = fake_new(test, true);
	struct hvl_txn *t = f->mem + PAGE_OFF + HVL_TXN_OFFSET;
	struct hvl_core_dev *cd = &f->cd;
	u32 seq;

	negotiate(test, f);
	setup_queue(test, f, 0, 64, WIN_BUS + RING_OFF);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_READY, 1), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0xf), HVL_TXN_OK);

	mutex_lock(&cd->lock);
	/* The old driver's last words: select queue 1, then it is gone. */
	seq = post(f, VIRTIO_MMIO_QUEUE_SEL, 1);
	restart(f);
	KUNIT_EXPECT_TRUE(test, hvl_txn_run(cd));
	KUNIT_EXPECT_EQ(test, f->resets, 1);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_seq), seq);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_status), HVL_TXN_ESTATE);
	KUNIT_EXPECT_EQ(test, cd->qsel, 0);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_QUEUE_SEL), 0);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 0);
	KUNIT_EXPECT_FALSE(test, hvl_txn_run(cd));

	/* Same peer_gen: a normal write is applied. */
	seq = post(f, VIRTIO_MMIO_STATUS, 1);
	KUNIT_EXPECT_TRUE(test, hvl_txn_run(cd));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_status), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 1);

	/*
	 * The next driver posts its first transaction, the reset the
	 * protocol requires, before we saw its peer_gen: it is applied.
	 */
	restart(f);
	seq = post(f, VIRTIO_MMIO_STATUS, 0);
	KUNIT_EXPECT_TRUE(test, hvl_txn_run(cd));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_seq), seq);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_status), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 0);
	mutex_unlock(&cd->lock);
}

/*
 * A restarted driver's second write, ACKNOWLEDGE, after its reset was
 * acknowledged as @seq: applied, never refused as stale.
 */
static void expect_acknowledge(struct kunit *test, struct fake *f, u32 seq)
{
	struct hvl_txn *t = f->mem + PAGE_OFF + HVL_TXN_OFFSET;

	post(f, VIRTIO_MMIO_STATUS, 1);
	KUNIT_EXPECT_TRUE(test, hvl_txn_run(&f->cd));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_seq), seq + 1);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_status), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 1);
}

/*
 * A restarted driver side bumps peer_gen, then posts its reset, then its
 * next write, each after the previous was acknowledged.  The device must
 * apply all of them whenever the restart lands between its two reads:
 * here the device read seq (nothing new), then the peer restarted and
 * posted its reset, then the device read peer_gen.
 */
static void peer_restart_race(struct kunit *test)
{
	struct fake *f = fake_new(test, true);
	struct hvl_txn *t = f->mem + PAGE_OFF + HVL_TXN_OFFSET;
	struct hvl_core_dev *cd = &f->cd;
	u32 seq, gen;

	negotiate(test, f);
	mutex_lock(&cd->lock);
	seq = le32_to_cpu(t->seq);
	gen = restart(f);
	post(f, VIRTIO_MMIO_STATUS, 0);
	/* The restart resets the device; the reset is not served yet. */
	KUNIT_EXPECT_NE(test, reg(f, VIRTIO_MMIO_STATUS), 0);
	KUNIT_EXPECT_TRUE(test, hvl_txn_serve(cd, seq, gen));
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 0);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_seq), seq);
	/* The next run serves it as the new session's. */
	KUNIT_EXPECT_TRUE(test, hvl_txn_run(cd));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_seq), seq + 1);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_status), HVL_TXN_OK);
	expect_acknowledge(test, f, seq + 1);
	mutex_unlock(&cd->lock);
}

/*
 * The device's read of peer_gen, with the driver side restarting right
 * after it: peer_gen bumped, its first transaction (a reset) posted.
 * Once only; later reads see the window as it is.
 */
static u32 restart_after_gen_read(struct hvl_core_dev *cd)
{
	struct fake *f = container_of(cd, struct fake, cd);
	struct hvl_win_hdr *h = f->mem;
	u32 gen = le32_to_cpu(h->peer_gen);

	if (!f->restarted) {
		f->restarted = true;
		restart(f);
		post(f, VIRTIO_MMIO_STATUS, 0);
	}
	return gen;
}

/*
 * The restart of peer_restart_race, landing after the device's read of
 * peer_gen, through hvl_txn_run() itself: this pins the order of its two
 * reads.  Read seq first, the restart comes after both reads and the
 * runs that follow see it in order.  Read peer_gen first, the new
 * driver's reset would be served under the old generation and its
 * second write then refused as stale.
 */
static void peer_restart_after_gen_read(struct kunit *test)
{
	struct fake *f = fake_new(test, true);
	struct hvl_txn *t = f->mem + PAGE_OFF + HVL_TXN_OFFSET;
	struct hvl_core_dev *cd = &f->cd;
	unsigned int runs;
	u32 seq;

	negotiate(test, f);
	seq = le32_to_cpu(t->seq);
	kunit_activate_static_stub(test, hvl_txn_peer_gen,
				   restart_after_gen_read);
	mutex_lock(&cd->lock);
	/* The driver rings and waits; each doorbell is one run. */
	for (runs = 0; runs < 3 && le32_to_cpu(t->ack_seq) != seq + 1; runs++)
		hvl_txn_run(cd);
	KUNIT_EXPECT_TRUE(test, f->restarted);
	KUNIT_ASSERT_EQ(test, le32_to_cpu(t->ack_seq), seq + 1);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(t->ack_status), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_STATUS), 0);
	expect_acknowledge(test, f, seq + 1);
	mutex_unlock(&cd->lock);
}

static void interrupt_ack(struct kunit *test)
{
	struct fake *f = fake_new(test, true);

	negotiate(test, f);
	setup_queue(test, f, 0, 64, WIN_BUS + RING_OFF);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_READY, 1), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0xf), HVL_TXN_OK);
	mutex_lock(&f->cd.lock);
	hvl_device_interrupt(&f->cd.hdev, &f->cd.hdev.vqs[0]);
	mutex_unlock(&f->cd.lock);
	hvl_device_config_changed(&f->cd.hdev);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_INTERRUPT_STATUS), 3);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_INTERRUPT_ACK, 1), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_INTERRUPT_STATUS), 2);
	KUNIT_EXPECT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, reg(f, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

/*
 * A doorbell runs a device's work item only if the peer did something for
 * it since the work item last looked (hvl_bus_peer_news()): a transaction,
 * a new generation, avail->idx moved on a ready queue.  Buffers it read
 * and left for later are old news; a queue not ready is not looked at.
 */
static void doorbell_news(struct kunit *test)
{
	struct fake *f = fake_new(test, true);
	struct hvl_vq *vq = &f->cd.hdev.vqs[0];
	struct vring_avail *avail;

	negotiate(test, f);
	setup_queue(test, f, 0, 64, WIN_BUS + RING_OFF);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_QUEUE_READY, 1), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, wr(f, VIRTIO_MMIO_STATUS, 0xf), HVL_TXN_OK);
	avail = vq->avail;
	KUNIT_EXPECT_FALSE(test, hvl_bus_peer_news(&f->cd));

	/* A chain made available. */
	avail->idx = __cpu_to_virtio16(true, 1);
	KUNIT_EXPECT_TRUE(test, hvl_bus_peer_news(&f->cd));
	/* Seen by the work item, not consumed: old news all the same. */
	mutex_lock(&f->cd.lock);
	KUNIT_EXPECT_TRUE(test, hvl_vq_has_work(vq));
	mutex_unlock(&f->cd.lock);
	KUNIT_EXPECT_FALSE(test, hvl_bus_peer_news(&f->cd));

	/* A transaction, until it is served. */
	post(f, VIRTIO_MMIO_QUEUE_SEL, 0);
	KUNIT_EXPECT_TRUE(test, hvl_bus_peer_news(&f->cd));
	mutex_lock(&f->cd.lock);
	KUNIT_EXPECT_TRUE(test, hvl_txn_run(&f->cd));
	mutex_unlock(&f->cd.lock);
	KUNIT_EXPECT_FALSE(test, hvl_bus_peer_news(&f->cd));

	/* A restarted peer, until the work item has seen it. */
	restart(f);
	KUNIT_EXPECT_TRUE(test, hvl_bus_peer_news(&f->cd));
	mutex_lock(&f->cd.lock);
	hvl_txn_run(&f->cd);
	mutex_unlock(&f->cd.lock);
	KUNIT_EXPECT_FALSE(test, hvl_bus_peer_news(&f->cd));
	KUNIT_EXPECT_FALSE(test, vq->ready);

	/* The reset queue's old ring moving is nobody's business. */
	avail->idx = __cpu_to_virtio16(true, 2);
	KUNIT_EXPECT_FALSE(test, hvl_bus_peer_news(&f->cd));
}

/*
 * The device's work item for resume_runs_every_device(): like work_fn(),
 * a run while the window is frozen does nothing, so whatever the backend
 * kicked it for meanwhile is still waiting.
 */
static void count_run(struct work_struct *work)
{
	struct fake *f = container_of(work, struct fake, cd.work);

	if (!READ_ONCE(f->win.frozen))
		f->runs++;
}

/*
 * A frozen window's work items return at once, also for the kicks of the
 * backend itself (a 9P worker's reply, tty output, a vsock packet): the
 * peer did nothing, so hvl_bus_peer_news() sees nothing on resume, and
 * those runs must not be lost (hvl_window_freeze(): "nothing is lost").
 */
static void resume_runs_every_device(struct kunit *test)
{
	struct fake *f = fake_new(test, true);
	struct hvl_core_dev *devs[] = { &f->cd };

	f->win.wq = alloc_workqueue("hvl-kunit-resume", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, f->win.wq);
	INIT_WORK(&f->cd.work, count_run);
	f->win.devs = devs;
	f->win.nr_devs = 1;

	hvl_window_freeze(&f->win, true);
	hvl_device_kick(&f->cd.hdev);	/* the backend has a reply */
	flush_workqueue(f->win.wq);
	KUNIT_EXPECT_EQ(test, f->runs, 0);
	KUNIT_EXPECT_FALSE(test, hvl_bus_peer_news(&f->cd));

	hvl_window_freeze(&f->win, false);
	flush_workqueue(f->win.wq);
	destroy_workqueue(f->win.wq);
	KUNIT_EXPECT_EQ(test, f->runs, 1);
}

static int stub_calls;

static u32 counting_peer_gen(struct hvl_core_dev *cd)
{
	stub_calls++;
	return 0;
}

/*
 * hvl_bus_peer_news() runs in the doorbell's interrupt (or the poll
 * timer's), on top of whatever task it lands in.  A KUnit test that
 * stubbed hvl_txn_peer_gen() for its fake device (restart_after_gen_read()
 * takes any device for a fake and writes to it) must not have its
 * stand-in called for the real devices of a live window: the doorbell
 * reads peer_gen itself.
 */
static void doorbell_news_no_stub(struct kunit *test)
{
	struct fake *f = fake_new(test, true);

	stub_calls = 0;
	kunit_activate_static_stub(test, hvl_txn_peer_gen, counting_peer_gen);
	KUNIT_EXPECT_FALSE(test, hvl_bus_peer_news(&f->cd));
	restart(f);
	KUNIT_EXPECT_TRUE(test, hvl_bus_peer_news(&f->cd));
	KUNIT_EXPECT_EQ(test, stub_calls, 0);
}

static struct kunit_case txn_cases[] = {
	KUNIT_CASE(image_after_init),
	KUNIT_CASE(features_by_selector),
	KUNIT_CASE(dt_masks_device_features),
	KUNIT_CASE(negotiation_and_driver_ok),
	KUNIT_CASE(features_ok_refused),
	KUNIT_CASE(status_bits_only_accumulate),
	KUNIT_CASE(queue_setup),
	KUNIT_CASE_PARAM(queue_ready_rejects_bad_rings, bad_ring_gen_params),
	KUNIT_CASE(reset_mid_setup),
	KUNIT_CASE(reset_after_driver_ok),
	KUNIT_CASE(needs_reset_blocks_until_reset),
	KUNIT_CASE(config_writes),
	KUNIT_CASE_PARAM(refused_writes_change_nothing, bad_write_gen_params),
	KUNIT_CASE(transaction_protocol),
	KUNIT_CASE(peer_restart_drops_stale_txn),
	KUNIT_CASE(peer_restart_race),
	KUNIT_CASE(peer_restart_after_gen_read),
	KUNIT_CASE(interrupt_ack),
	KUNIT_CASE(doorbell_news),
	KUNIT_CASE(resume_runs_every_device),
	KUNIT_CASE(doorbell_news_no_stub),
	{}
};

static struct kunit_suite txn_suite = {
	.name = "hvl_txn",
	.test_cases = txn_cases,
};

kunit_test_suite(txn_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for hvl register transactions");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
