// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the wire layout of include/linux/hvl_abi.h against the offsets
 * Documentation/hvl/protocol.rst promises to the peer (a C compiler on
 * the other side must agree byte for byte), plus the harness canary.
 *
 * The canary fails when the module is loaded with fail=1, which the QEMU
 * harness does for "make check HVL_SELFTEST_FAIL=1": the run must then
 * exit non-zero, proving that a failing KUnit case cannot get lost
 * between the guest and the summary line.
 */
#include <kunit/test.h>
#include <linux/hvl_abi.h>
#include <linux/module.h>
#include <linux/stddef.h>
#include <linux/virtio_mmio.h>

static bool fail;
module_param(fail, bool, 0444);
MODULE_PARM_DESC(fail, "make the harness canary fail (harness self-check)");

static void header_layout(struct kunit *test)
{
	__le32 magic = cpu_to_le32(HVL_WIN_MAGIC);

	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_win_hdr, magic), 0);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_win_hdr, version), 4);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_win_hdr, hdr_size), 6);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_win_hdr, host_state), 8);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_win_hdr, host_gen), 12);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_win_hdr, peer_state), 16);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_win_hdr, peer_gen), 20);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_win_hdr, host_beat), 24);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_win_hdr, peer_beat), 28);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_win_hdr, num_devices), 32);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_win_hdr, table_gen), 36);
	KUNIT_EXPECT_EQ(test, sizeof(struct hvl_win_hdr), HVL_HDR_SIZE);
	/* The magic reads "HVLW" in memory, whatever the CPU's endianness. */
	KUNIT_EXPECT_MEMEQ(test, &magic, "HVLW", 4);
}

static void table_and_page_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_dev_entry, device_id), 0);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_dev_entry, offset), 8);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_dev_entry, size), 16);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_dev_entry, gen), 24);
	KUNIT_EXPECT_EQ(test, sizeof(struct hvl_dev_entry), 32);
	KUNIT_EXPECT_EQ(test, HVL_HDR_SIZE + HVL_MAX_DEVICES * sizeof(struct hvl_dev_entry),
			HVL_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, HVL_CONFIG_OFFSET, VIRTIO_MMIO_CONFIG);
	KUNIT_EXPECT_GT(test, HVL_TXN_OFFSET, VIRTIO_MMIO_CONFIG_GENERATION);
	KUNIT_EXPECT_LE(test, HVL_TXN_OFFSET + sizeof(struct hvl_txn), HVL_PAGE_SIZE);
}

static void txn_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_txn, seq), 0);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_txn, offset), 4);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_txn, width), 8);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_txn, value), 12);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_txn, ack_seq), 16);
	KUNIT_EXPECT_EQ(test, offsetof(struct hvl_txn, ack_status), 20);
}

static void harness_canary(struct kunit *test)
{
	KUNIT_EXPECT_FALSE_MSG(test, fail, "injected failure (fail=1)");
}

static struct kunit_case abi_cases[] = {
	KUNIT_CASE(header_layout),
	KUNIT_CASE(table_and_page_layout),
	KUNIT_CASE(txn_layout),
	KUNIT_CASE(harness_canary),
	{}
};

static struct kunit_suite abi_suite = {
	.name = "hvl_abi",
	.test_cases = abi_cases,
};

kunit_test_suite(abi_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the hvl wire layout and the test harness");
