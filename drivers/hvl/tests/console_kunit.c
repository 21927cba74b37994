// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: hvl_console's poll (devices/console.c) on the rings of a fake
 * device (fake_dev.h), with nobody holding the tty open: after every run
 * that says "nothing more", the peer's next buffer must ring the doorbell,
 * and a run must ask to be run again when its budget ran out anywhere,
 * also in the re-arm of an empty ring.  And, bound through the core,
 * emergency writes only once EMERG_WRITE is negotiated.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/tty.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/virtio_mmio.h>

#include "../devices/console.h"
#include "fake_dev.h"

#define RX_Q		0	/* receiveq: Linux -> peer */
#define TX_Q		1	/* transmitq: peer -> Linux */
#define NUM		8

static const u16 con_num[] = { NUM, NUM };

static struct fake_dev *con_new(struct kunit *test, bool event_idx)
{
	struct fake_dev *fd = fake_dev_new(test, 2, con_num, event_idx);

	KUNIT_ASSERT_EQ(test, hvl_console_kunit_add(&fd->cd.hdev), 0);
	return fd;
}

static void con_exit(struct kunit *test)
{
	struct fake_dev *fd = test->priv;

	if (!fd)
		return;
	if (fd->cd.hdev.priv)
		hvl_console_kunit_del(&fd->cd.hdev);
	fake_dev_free(fd);
}

static bool con_poll(struct fake_dev *fd)
{
	return fake_poll(fd, hvl_console_poll, HVL_BUDGET);
}

/*
 * Text from the peer, with the tty closed: every chain is taken and
 * returned (the bytes dropped, as a UART with nobody listening), and the
 * queue is left armed, with EVENT_IDX or with the flags.
 */
static void tx_rearmed(struct kunit *test, bool event_idx)
{
	struct fake_dev *fd = con_new(test, event_idx);
	int i;

	memcpy(fake_buf(fd, 0), "hello\n", 6);
	for (i = 0; i < NUM - 1; i++)
		fake_post(fd, TX_Q, 0, 6, false);
	KUNIT_EXPECT_FALSE(test, con_poll(fd));
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, TX_Q), NUM - 1);
	KUNIT_EXPECT_TRUE(test, fake_would_ring(fd, TX_Q));
	KUNIT_EXPECT_FALSE(test, fd->vqs[TX_Q].broken);
}

static void tx_rearmed_event_idx(struct kunit *test)
{
	tx_rearmed(test, true);
}

static void tx_rearmed_flags(struct kunit *test)
{
	tx_rearmed(test, false);
}

/*
 * The budget runs out in the transmitq's re-arm: the driver saw the
 * re-arm's buffers published and will not ring, so the run must ask to
 * be run again.  (The receiveq's re-arm needs bytes from the tty, which
 * this suite does not open; its loop is the same hvl_vq_next() call and
 * the same -EBUSY answer.)
 */
static void rearm_budget_tx(struct kunit *test)
{
	struct fake_dev *fd = con_new(test, true);

	fake_toggle(test, TX_Q);
	KUNIT_EXPECT_TRUE(test, con_poll(fd));
	KUNIT_EXPECT_GT(test, fd->idx_reads, 2);
	KUNIT_EXPECT_FALSE(test, fd->vqs[TX_Q].broken);
}

/*
 * Receive buffers and nothing to send: the run leaves them, and they are
 * no news for a doorbell the peer rings for another queue or device
 * (hvl_bus_peer_news()), which would run the console for nothing each
 * time.  The transmitq's next chain still is news.
 */
static void rx_deferred(struct kunit *test)
{
	struct fake_dev *fd = con_new(test, true);
	int i;

	for (i = 0; i < NUM; i++)
		fake_post(fd, RX_Q, 0, 64, true);
	KUNIT_EXPECT_TRUE(test, hvl_vq_peer_news(&fd->vqs[RX_Q]));
	KUNIT_EXPECT_FALSE(test, con_poll(fd));
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 0);
	KUNIT_EXPECT_FALSE(test, hvl_vq_peer_news(&fd->vqs[RX_Q]));
	KUNIT_EXPECT_FALSE(test, hvl_vq_peer_news(&fd->vqs[TX_Q]));
	fake_post(fd, TX_Q, 0, 6, false);
	KUNIT_EXPECT_TRUE(test, hvl_vq_peer_news(&fd->vqs[TX_Q]));
}

/*
 * The console bound through the core to a fake device whose device tree
 * allows the device-type features @dt, as hvl_core binds it: the peer's
 * register writes then go through hvl_txn_write().
 */
static struct fake_dev *con_bound(struct kunit *test, u64 dt)
{
	struct fake_dev *fd = con_new(test, true);
	struct hvl_core_dev *cd = &fd->cd;

	cd->qregs = kunit_kcalloc(test, 2, sizeof(*cd->qregs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cd->qregs);
	cd->hdev.config = cd->page + HVL_CONFIG_OFFSET;
	cd->hdev.config_size = sizeof(struct virtio_console_config);
	cd->dt_features = dt;
	mutex_lock(&cd->lock);
	hvl_txn_bind(cd, hvl_console_kunit_driver());
	mutex_unlock(&cd->lock);
	return fd;
}

static enum hvl_txn_status con_wr(struct fake_dev *fd, u32 off, u32 val)
{
	enum hvl_txn_status st;

	mutex_lock(&fd->cd.lock);
	st = hvl_txn_write(&fd->cd, off, 4, val);
	mutex_unlock(&fd->cd.lock);
	return st;
}

#define EMERG		VIRTIO_CONSOLE_F_EMERG_WRITE
#define EMERG_WR	(HVL_CONFIG_OFFSET + \
			 offsetof(struct virtio_console_config, emerg_wr))

/*
 * The peer acknowledges the device and writes DriverFeatures with
 * EMERG_WRITE and VERSION_1, FEATURES_OK not yet set.
 */
static void con_driver_features(struct kunit *test, struct fake_dev *fd)
{
	KUNIT_ASSERT_EQ(test, con_wr(fd, VIRTIO_MMIO_STATUS, 3), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, con_wr(fd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0),
			HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, con_wr(fd, VIRTIO_MMIO_DRIVER_FEATURES,
				     BIT(EMERG)), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, con_wr(fd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1),
			HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, con_wr(fd, VIRTIO_MMIO_DRIVER_FEATURES,
				     BIT(VIRTIO_F_VERSION_1 - 32)), HVL_TXN_OK);
}

/*
 * An emergency write counts only once EMERG_WRITE is negotiated: the
 * device tree offers it, the peer accepts it and FEATURES_OK is set.
 * Before FEATURES_OK it is refused and the console takes nothing; after
 * it the byte is the console's (dropped and counted, the tty closed).
 */
static void emerg_write_after_features_ok(struct kunit *test)
{
	struct fake_dev *fd = con_bound(test, ~0ULL);
	struct hvl_device *hdev = &fd->cd.hdev;

	con_driver_features(test, fd);
	KUNIT_EXPECT_EQ(test, con_wr(fd, EMERG_WR, 'x'), HVL_TXN_EINVAL);
	KUNIT_EXPECT_EQ(test, hvl_console_kunit_taken(hdev), 0);
	KUNIT_EXPECT_FALSE(test, hvl_device_feature(hdev, EMERG));

	KUNIT_ASSERT_EQ(test, con_wr(fd, VIRTIO_MMIO_STATUS, 0xb), HVL_TXN_OK);
	KUNIT_ASSERT_EQ(test, hdev->status, 0xb);
	KUNIT_EXPECT_TRUE(test, hvl_device_feature(hdev, EMERG));
	KUNIT_EXPECT_EQ(test, con_wr(fd, EMERG_WR, 'x'), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, hvl_console_kunit_taken(hdev), 1);
}

/*
 * The device tree withholds EMERG_WRITE: a peer that accepts it anyway
 * has FEATURES_OK refused, and its emergency writes, before and after,
 * are refused and take nothing.
 */
static void emerg_write_withheld(struct kunit *test)
{
	struct fake_dev *fd = con_bound(test, 0);
	struct hvl_device *hdev = &fd->cd.hdev;

	con_driver_features(test, fd);
	KUNIT_EXPECT_EQ(test, con_wr(fd, EMERG_WR, 'x'), HVL_TXN_EINVAL);
	KUNIT_EXPECT_EQ(test, con_wr(fd, VIRTIO_MMIO_STATUS, 0xb), HVL_TXN_OK);
	KUNIT_EXPECT_EQ(test, hdev->status, 3);
	KUNIT_EXPECT_EQ(test, con_wr(fd, EMERG_WR, 'x'), HVL_TXN_EINVAL);
	KUNIT_EXPECT_EQ(test, hvl_console_kunit_taken(hdev), 0);
	KUNIT_EXPECT_FALSE(test, hvl_device_feature(hdev, EMERG));
}

/*
 * An open of /dev/ttyHVL<n> that took its port in con_install() just
 * before remove() (22-console-unbind's race, played in order here): its
 * open must fail.  The tty is not the port's yet when remove() hangs the
 * port's tty up, so a successful open would leave a tty that is never
 * hung up, whose writes wait for ever (con_write() takes nothing and
 * write_room() says there is room) and which keeps its minor from the
 * next console.  The tty core's reopen of a hung-up tty still held
 * (tty_reopen()) comes the same way, past con_install().
 */
static void open_racing_remove(struct kunit *test)
{
	struct fake_dev *fd = fake_dev_new(test, 2, con_num, true);
	struct hvl_device *hdev = &fd->cd.hdev;
	struct tty_struct *tty;
	struct device *parent;
	dev_t devt;
	int ret;

	parent = kunit_device_register(test, "hvl-console-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(parent));
	hdev->config = fd->cd.page + HVL_CONFIG_OFFSET;
	KUNIT_ASSERT_EQ(test, hvl_console_kunit_probe(hdev, parent, &devt), 0);

	/* tty_init_dev(), as tty_open() does: con_install() takes the port. */
	tty = tty_kopen_exclusive(devt);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tty));
	hvl_console_kunit_remove(hdev);
	/* Then tty_open() calls ->open(), the tty still locked. */
	ret = tty->ops->open(tty, NULL);
	KUNIT_EXPECT_EQ(test, ret, -ENODEV);
	tty->ops->close(tty, NULL);
	tty_unlock(tty);
	tty_kclose(tty);
}

/*
 * A peer that set up only its transmitq, a logger that never reads: what
 * Linux writes waits, as for a peer that posts no receive buffers, and
 * what the peer writes still comes.  Not a broken ring.
 */
static void no_receiveq(struct kunit *test)
{
	struct fake_dev *fd = con_new(test, true);

	hvl_vq_reset(&fd->vqs[RX_Q]);
	KUNIT_EXPECT_EQ(test, hvl_console_kunit_input(&fd->cd.hdev,
						      (const u8 *)"x", 1), 1);
	memcpy(fake_buf(fd, 0), "log\n", 4);
	fake_post(fd, TX_Q, 0, 4, false);
	KUNIT_EXPECT_FALSE(test, con_poll(fd));
	KUNIT_EXPECT_FALSE(test, fd->cd.hdev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, TX_Q), 1);
}

/* The other way round: a peer without a transmitq takes what we write. */
static void no_transmitq(struct kunit *test)
{
	struct fake_dev *fd = con_new(test, true);

	hvl_vq_reset(&fd->vqs[TX_Q]);
	KUNIT_EXPECT_EQ(test, hvl_console_kunit_input(&fd->cd.hdev,
						      (const u8 *)"x", 1), 1);
	fake_post(fd, RX_Q, 0, 16, true);
	KUNIT_EXPECT_FALSE(test, con_poll(fd));
	KUNIT_EXPECT_FALSE(test, fd->cd.hdev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 1);
}

static struct kunit_case con_cases[] = {
	KUNIT_CASE(tx_rearmed_event_idx),
	KUNIT_CASE(tx_rearmed_flags),
	KUNIT_CASE(rearm_budget_tx),
	KUNIT_CASE(rx_deferred),
	KUNIT_CASE(emerg_write_after_features_ok),
	KUNIT_CASE(emerg_write_withheld),
	KUNIT_CASE(open_racing_remove),
	KUNIT_CASE(no_receiveq),
	KUNIT_CASE(no_transmitq),
	{}
};

static struct kunit_suite con_suite = {
	.name = "hvl_console_poll",
	.exit = con_exit,
	.test_cases = con_cases,
};

kunit_test_suite(con_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for hvl_console's poll");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
