// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: hvl_console's poll (devices/console.c) on the rings of a fake
 * device (fake_dev.h), with nobody holding the tty open: after every run
 * that says "nothing more", the peer's next buffer must ring the doorbell,
 * and a run must ask to be run again when its budget ran out anywhere,
 * also in the re-arm of an empty ring.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>

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
 * the same "budget <= 0" answer.)
 */
static void rearm_budget_tx(struct kunit *test)
{
	struct fake_dev *fd = con_new(test, true);

	fake_toggle(test, TX_Q);
	KUNIT_EXPECT_TRUE(test, con_poll(fd));
	KUNIT_EXPECT_GT(test, fd->idx_reads, 2);
	KUNIT_EXPECT_FALSE(test, fd->vqs[TX_Q].broken);
}

static struct kunit_case con_cases[] = {
	KUNIT_CASE(tx_rearmed_event_idx),
	KUNIT_CASE(tx_rearmed_flags),
	KUNIT_CASE(rearm_budget_tx),
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
