// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: hvl_vsock's packet glue (devices/vsock_pkt.c).  The header
 * checks decide what a peer may hand to the vsock core, so every field a
 * hostile peer controls gets a case; the fill cases cut packets to the
 * peer's receive buffers and must lose, duplicate or misflag nothing.
 *
 * Suite hvl_vsock_poll: the device's poll (devices/vsock.c) on rings of
 * a fake device (fake_dev.h), with the real vsock core answering: after
 * every run that says "nothing more", the peer's next packet must ring
 * the doorbell.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/random.h>
#include <net/af_vsock.h>

#include "../devices/vsock.h"
#include "fake_dev.h"

#define PEER	7u
#define HDR	sizeof(struct virtio_vsock_hdr)

struct hdr_case {
	const char *name;
	u64 src, dst;
	u16 type, op;
	u32 len;
	size_t buf;
	enum hvl_vsock_verdict want;
};

static const struct hdr_case hdr_cases[] = {
	{ "rw stream", PEER, 2, 1, 5, 100, HDR + 100, HVL_VSOCK_OK },
	{ "rw seqpacket", PEER, 2, 2, 5, 100, HDR + 100, HVL_VSOCK_OK },
	{ "rw, buffer larger than len", PEER, 2, 1, 5, 10, HDR + 100, HVL_VSOCK_OK },
	{ "request", PEER, 2, 1, 1, 0, HDR, HVL_VSOCK_OK },
	{ "credit request", PEER, 2, 1, 7, 0, HDR, HVL_VSOCK_OK },
	{ "len beyond buffer", PEER, 2, 1, 5, 101, HDR + 100, HVL_VSOCK_BAD_LEN },
	{ "len 4 GiB - 1", PEER, 2, 1, 5, U32_MAX, HDR + 100, HVL_VSOCK_BAD_LEN },
	{ "request with payload", PEER, 2, 1, 1, 4, HDR + 4, HVL_VSOCK_BAD_LEN },
	{ "buffer shorter than header", PEER, 2, 1, 5, 0, HDR - 1, HVL_VSOCK_BAD_BUFFER },
	{ "buffer above 64 KiB", PEER, 2, 1, 5, 0, HDR + 65537, HVL_VSOCK_BAD_BUFFER },
	{ "src another peer", PEER + 1, 2, 1, 5, 0, HDR, HVL_VSOCK_BAD_SRC_CID },
	{ "src host", 2, 2, 1, 5, 0, HDR, HVL_VSOCK_BAD_SRC_CID },
	{ "src high bits", PEER | (1ull << 32), 2, 1, 5, 0, HDR, HVL_VSOCK_BAD_SRC_CID },
	{ "dst local", PEER, 1, 1, 5, 0, HDR, HVL_VSOCK_BAD_DST_CID },
	{ "dst the peer itself", PEER, PEER, 1, 5, 0, HDR, HVL_VSOCK_BAD_DST_CID },
	{ "dst any", PEER, U32_MAX, 1, 5, 0, HDR, HVL_VSOCK_BAD_DST_CID },
	{ "type 0", PEER, 2, 0, 5, 0, HDR, HVL_VSOCK_BAD_TYPE },
	{ "type 3 (dgram)", PEER, 2, 3, 5, 0, HDR, HVL_VSOCK_BAD_TYPE },
	{ "type 0xffff", PEER, 2, 0xffff, 5, 0, HDR, HVL_VSOCK_BAD_TYPE },
	{ "op invalid", PEER, 2, 1, 0, 0, HDR, HVL_VSOCK_BAD_OP },
	{ "op 8", PEER, 2, 1, 8, 0, HDR, HVL_VSOCK_BAD_OP },
	{ "op 0xffff", PEER, 2, 1, 0xffff, 0, HDR, HVL_VSOCK_BAD_OP },
};

static void hdr_desc(const struct hdr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hdr, hdr_cases, hdr_desc);

static void check_hdr(struct kunit *test)
{
	const struct hdr_case *c = test->param_value;
	struct virtio_vsock_hdr h = {
		.src_cid = cpu_to_le64(c->src),
		.dst_cid = cpu_to_le64(c->dst),
		.type = cpu_to_le16(c->type),
		.op = cpu_to_le16(c->op),
		.len = cpu_to_le32(c->len),
	};
	enum hvl_vsock_verdict v = hvl_vsock_check_hdr(&h, c->buf, PEER);

	KUNIT_EXPECT_STREQ(test, hvl_vsock_verdict_name(v),
			   hvl_vsock_verdict_name(c->want));
}

static void verdict_names(struct kunit *test)
{
	int i;

	for (i = 0; i < HVL_VSOCK_NR_VERDICTS; i++)
		KUNIT_EXPECT_STRNEQ(test, hvl_vsock_verdict_name(i), "?");
	KUNIT_EXPECT_STREQ(test, hvl_vsock_verdict_name(HVL_VSOCK_NR_VERDICTS), "?");
}

static struct sk_buff *make_pkt(struct kunit *test, u8 *data, size_t len,
				u32 flags)
{
	struct sk_buff *skb = virtio_vsock_alloc_skb(HDR + len, GFP_KERNEL);
	struct virtio_vsock_hdr *h;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	h = virtio_vsock_hdr(skb);
	memset(h, 0, sizeof(*h));
	h->src_cid = cpu_to_le64(2);
	h->dst_cid = cpu_to_le64(PEER);
	h->type = cpu_to_le16(VIRTIO_VSOCK_TYPE_SEQPACKET);
	h->op = cpu_to_le16(VIRTIO_VSOCK_OP_RW);
	h->len = cpu_to_le32(len);
	h->flags = cpu_to_le32(flags);
	get_random_bytes(data, len);
	virtio_vsock_skb_put(skb, len);
	KUNIT_ASSERT_EQ(test, skb_store_bits(skb, 0, data, len), 0);
	return skb;
}

/*
 * Cut a packet into buffers of @seg1 + @seg2 bytes (two segments, so a
 * header can straddle them) and check every part and the reassembly.
 */
static void fill_case(struct kunit *test, size_t len, size_t seg1, size_t seg2)
{
	const u32 flags = VIRTIO_VSOCK_SEQ_EOM | VIRTIO_VSOCK_SEQ_EOR;
	u8 *data = kunit_kmalloc(test, len + 1, GFP_KERNEL);
	u8 *got = kunit_kzalloc(test, len + 1, GFP_KERNEL);
	u8 *buf = kunit_kmalloc(test, seg1 + seg2, GFP_KERNEL);
	struct kvec iov[2] = { { buf, seg1 }, { buf + seg1, seg2 } };
	struct hvl_chain c = { .nr_in = seg2 ? 2 : 1, .in_len = seg1 + seg2,
			       .max = 2, .iov = iov };
	struct virtio_vsock_hdr *h = (void *)buf;
	size_t done = 0, parts = 0;
	struct sk_buff *skb;
	ssize_t n;

	KUNIT_ASSERT_NOT_NULL(test, data);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	skb = make_pkt(test, data, len, flags);
	do {
		memset(buf, 0xa5, seg1 + seg2);
		n = hvl_vsock_fill(skb, &c);
		KUNIT_ASSERT_GE(test, n, (ssize_t)HDR);
		KUNIT_ASSERT_LE(test, n, (ssize_t)(seg1 + seg2));
		KUNIT_EXPECT_EQ(test, le32_to_cpu(h->len), n - HDR);
		KUNIT_EXPECT_EQ(test, le64_to_cpu(h->dst_cid), PEER);
		memcpy(got + done, buf + HDR, n - HDR);
		done += n - HDR;
		parts++;
		/* EOM and EOR on the last part only. */
		KUNIT_EXPECT_EQ(test, le32_to_cpu(h->flags),
				done == len ? flags : 0);
	} while (done < len && parts <= len);
	KUNIT_EXPECT_EQ(test, done, len);
	KUNIT_EXPECT_EQ(test, VIRTIO_VSOCK_SKB_CB(skb)->offset, len);
	KUNIT_EXPECT_EQ(test, parts,
			len ? DIV_ROUND_UP(len, seg1 + seg2 - HDR) : 1);
	KUNIT_EXPECT_MEMEQ(test, got, data, len);
	/* The packet's own header is untouched, for a retransmit or tap. */
	KUNIT_EXPECT_EQ(test, le32_to_cpu(virtio_vsock_hdr(skb)->flags), flags);
	kfree_skb(skb);
}

static void fill_fits(struct kunit *test)
{
	fill_case(test, 100, 4096, 0);
}

static void fill_empty(struct kunit *test)
{
	fill_case(test, 0, HDR, 0);
}

static void fill_split_4k(struct kunit *test)
{
	fill_case(test, VIRTIO_VSOCK_MAX_PKT_BUF_SIZE, 4096, 0);
}

static void fill_header_straddles(struct kunit *test)
{
	fill_case(test, 10000, 20, 1000);
}

static void fill_header_only_buffers(struct kunit *test)
{
	fill_case(test, 10, HDR + 1, 0);
}

static void fill_refuses(struct kunit *test)
{
	u8 data[16], buf[128];
	struct kvec iov[2] = { { buf, 64 }, { buf + 64, 64 } };
	struct hvl_chain c = { .max = 2, .iov = iov };
	struct sk_buff *skb = make_pkt(test, data, sizeof(data), 0);

	/* A device-readable segment in a receive buffer. */
	c.nr_out = 1;
	c.out_len = 64;
	c.nr_in = 1;
	c.in_len = 64;
	KUNIT_EXPECT_EQ(test, hvl_vsock_fill(skb, &c), -EINVAL);
	/* No room for a header. */
	c.nr_out = 0;
	c.out_len = 0;
	c.in_len = HDR - 1;
	iov[0].iov_len = HDR - 1;
	KUNIT_EXPECT_EQ(test, hvl_vsock_fill(skb, &c), -EINVAL);
	KUNIT_EXPECT_EQ(test, VIRTIO_VSOCK_SKB_CB(skb)->offset, 0);
	kfree_skb(skb);
}

/* A tx chain of a header and @bytes more, the header saying @len. */
static struct sk_buff *from_chain(struct kunit *test, u32 len, size_t bytes,
				  enum hvl_vsock_verdict *verdict)
{
	u8 *buf = kunit_kzalloc(test, HDR + bytes, GFP_KERNEL);
	struct kvec iov = { buf, HDR + bytes };
	struct hvl_chain c = { .nr_out = 1, .out_len = HDR + bytes, .max = 1,
			       .iov = &iov };
	struct virtio_vsock_hdr *h = (void *)buf;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	h->src_cid = cpu_to_le64(PEER);
	h->dst_cid = cpu_to_le64(VMADDR_CID_HOST);
	h->type = cpu_to_le16(VIRTIO_VSOCK_TYPE_STREAM);
	h->op = cpu_to_le16(VIRTIO_VSOCK_OP_RW);
	h->len = cpu_to_le32(len);
	for (i = 0; i < bytes; i++)
		buf[HDR + i] = i * 7;
	return hvl_vsock_skb_from_chain(&c, PEER, verdict);
}

/*
 * The skb is sized by hdr.len, not by the chain: a large chain carrying
 * a short packet must not pin the chain's size in kernel memory, and
 * must give a well-formed skb (len covering data_len).
 */
static void tx_skb_sized_by_len(struct kunit *test)
{
	static const struct { u32 len; size_t bytes; } cases[] = {
		{ 0, VIRTIO_VSOCK_MAX_PKT_BUF_SIZE },
		{ 0, 40000 },
		{ 100, 40000 },
		{ 40000, 40000 },
		{ VIRTIO_VSOCK_MAX_PKT_BUF_SIZE, VIRTIO_VSOCK_MAX_PKT_BUF_SIZE },
	};
	u8 *got = kunit_kmalloc(test, VIRTIO_VSOCK_MAX_PKT_BUF_SIZE, GFP_KERNEL);
	enum hvl_vsock_verdict v;
	struct sk_buff *skb;
	u32 j;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, got);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		skb = from_chain(test, cases[i].len, cases[i].bytes, &v);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		KUNIT_EXPECT_EQ(test, v, HVL_VSOCK_OK);
		KUNIT_EXPECT_EQ(test, skb->len, cases[i].len);
		KUNIT_EXPECT_LE(test, skb->data_len, skb->len);
		KUNIT_EXPECT_LT(test, skb->truesize, cases[i].len + PAGE_SIZE);
		KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, got, skb->len), 0);
		for (j = 0; j < skb->len; j++)
			if (got[j] != (u8)(j * 7))
				break;
		KUNIT_EXPECT_EQ(test, j, skb->len);
		KUNIT_EXPECT_EQ(test, le32_to_cpu(virtio_vsock_hdr(skb)->len),
				cases[i].len);
		kfree_skb(skb);
	}
	/* hdr.len beyond the chain: refused and said so. */
	KUNIT_EXPECT_NULL(test, from_chain(test, 101, 100, &v));
	KUNIT_EXPECT_EQ(test, v, HVL_VSOCK_BAD_LEN);
}

/*
 * The poll suite's device: rx (4 entries: at most 4 replies wait), tx (8)
 * and event queues, EVENT_IDX, the peer at POLL_CID.  Its packets go to a
 * port nobody listens on, so the vsock core answers each with RST.
 */
#define POLL_CID	0x7e57u
#define POLL_PORT	0x7e57u
#define RX_Q		0
#define TX_Q		1
#define EVENT_Q		2
#define RX_NUM		4
#define TX_NUM		8
#define BUF		0x100u		/* each buffer's size */
#define TX_BUF		0		/* one packet, posted many times */
#define RX_BUF(i)	(BUF * (1 + (i)))

static const u16 poll_num[] = { RX_NUM, TX_NUM, 4 };

static int poll_init(struct kunit *test)
{
	struct fake_dev *fd = fake_dev_new(test, 3, poll_num, true);
	struct virtio_vsock_hdr *h = fake_buf(fd, TX_BUF);

	KUNIT_ASSERT_EQ(test, hvl_vsock_kunit_add(&fd->cd.hdev, POLL_CID), 0);
	h->src_cid = cpu_to_le64(POLL_CID);
	h->dst_cid = cpu_to_le64(VMADDR_CID_HOST);
	h->src_port = cpu_to_le32(1024);
	h->dst_port = cpu_to_le32(POLL_PORT);
	h->type = cpu_to_le16(VIRTIO_VSOCK_TYPE_STREAM);
	h->op = cpu_to_le16(VIRTIO_VSOCK_OP_REQUEST);
	h->buf_alloc = cpu_to_le32(65536);
	return 0;
}

static void poll_exit(struct kunit *test)
{
	struct fake_dev *fd = test->priv;

	hvl_vsock_kunit_del(&fd->cd.hdev);
	fake_dev_free(fd);
}

static bool vsock_poll(struct fake_dev *fd)
{
	return fake_poll(fd, hvl_vsock_poll, HVL_BUDGET);
}

static void post_tx(struct fake_dev *fd, unsigned int n)
{
	while (n--)
		fake_post(fd, TX_Q, TX_BUF, HDR, false);
}

static void post_rx(struct fake_dev *fd, unsigned int n)
{
	while (n--)
		fake_post(fd, RX_Q, RX_BUF(fd->avail_idx[RX_Q] % RX_NUM), BUF,
			  true);
}

/* Every rx buffer used so far holds an RST to the peer's packet. */
static void expect_rsts(struct kunit *test, struct fake_dev *fd,
			unsigned int n)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, fake_used_idx(fd, RX_Q), n);
	for (i = 0; i < min(n, RX_NUM); i++) {
		struct virtio_vsock_hdr *h = fake_buf(fd, RX_BUF(i));

		KUNIT_EXPECT_EQ(test, le16_to_cpu(h->op), VIRTIO_VSOCK_OP_RST);
		KUNIT_EXPECT_EQ(test, le64_to_cpu(h->dst_cid), POLL_CID);
		KUNIT_EXPECT_EQ(test, le32_to_cpu(h->src_port), POLL_PORT);
	}
}

/* The run said "nothing more": the peer's next packet must ring. */
static void expect_tx_armed(struct kunit *test, struct fake_dev *fd)
{
	KUNIT_EXPECT_EQ(test, fake_avail_event(fd, TX_Q), fd->vqs[TX_Q].last_avail);
	KUNIT_EXPECT_TRUE_MSG(test, fake_would_ring(fd, TX_Q),
			      "the peer's next tx packet would ring no doorbell");
}

/*
 * One run pops as many packets as the rx queue has room for replies,
 * stops reading tx there, then writes the replies into the peer's rx
 * buffers, and finds tx empty: it must have re-armed tx before saying
 * "nothing more".
 */
static void tx_rearmed_after_replies(struct kunit *test)
{
	struct fake_dev *fd = test->priv;

	post_rx(fd, RX_NUM);
	post_tx(fd, RX_NUM);
	KUNIT_EXPECT_FALSE(test, vsock_poll(fd));
	KUNIT_EXPECT_EQ(test, fd->vqs[TX_Q].last_avail, RX_NUM);
	expect_rsts(test, fd, RX_NUM);
	expect_tx_armed(test, fd);
}

/*
 * The same with the rx buffers coming later: a first run stops reading
 * tx with the replies waiting for rx buffers; the peer's rx buffers ring,
 * and the run that writes the replies out finds tx empty.
 */
static void tx_rearmed_after_late_rx(struct kunit *test)
{
	struct fake_dev *fd = test->priv;

	post_tx(fd, RX_NUM);
	KUNIT_EXPECT_FALSE(test, vsock_poll(fd));
	KUNIT_EXPECT_EQ(test, fd->vqs[TX_Q].last_avail, RX_NUM);
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 0);
	KUNIT_EXPECT_TRUE(test, fake_would_ring(fd, RX_Q));

	post_rx(fd, RX_NUM);
	KUNIT_EXPECT_FALSE(test, vsock_poll(fd));
	expect_rsts(test, fd, RX_NUM);
	expect_tx_armed(test, fd);
}

/*
 * The budget runs out in tx's re-arm: the driver saw the re-arm's buffers
 * published and will not ring, so the run must ask to be run again.
 */
static void rearm_budget_tx(struct kunit *test)
{
	struct fake_dev *fd = test->priv;

	fake_toggle(test, TX_Q);
	KUNIT_EXPECT_TRUE(test, vsock_poll(fd));
	KUNIT_EXPECT_GT(test, fd->idx_reads, 2);
	KUNIT_EXPECT_FALSE(test, fd->vqs[TX_Q].broken);
}

/* The same in rx's re-arm, with a reply waiting for an rx buffer. */
static void rearm_budget_rx(struct kunit *test)
{
	struct fake_dev *fd = test->priv;

	post_tx(fd, 1);
	fake_toggle(test, RX_Q);
	KUNIT_EXPECT_TRUE(test, vsock_poll(fd));
	KUNIT_EXPECT_GT(test, fd->idx_reads, 2);
	KUNIT_EXPECT_EQ(test, fd->vqs[TX_Q].last_avail, 1);
	KUNIT_EXPECT_FALSE(test, fd->vqs[RX_Q].broken);
}

/*
 * Receive buffers and nothing queued for the peer, event buffers: left
 * for later, and no news for a doorbell rung for another queue or device.
 */
static void rx_deferred(struct kunit *test)
{
	struct fake_dev *fd = test->priv;
	int i;

	post_rx(fd, RX_NUM);
	for (i = 0; i < 4; i++)
		fake_post(fd, EVENT_Q, RX_BUF(i), BUF, true);
	KUNIT_EXPECT_TRUE(test, hvl_vq_peer_news(&fd->vqs[RX_Q]));
	KUNIT_EXPECT_TRUE(test, hvl_vq_peer_news(&fd->vqs[EVENT_Q]));
	KUNIT_EXPECT_FALSE(test, vsock_poll(fd));
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, RX_Q), 0);
	KUNIT_EXPECT_FALSE(test, hvl_vq_peer_news(&fd->vqs[RX_Q]));
	/* The event queue's buffers are held for good. */
	KUNIT_EXPECT_EQ(test, fake_used_idx(fd, EVENT_Q), 0);
	KUNIT_EXPECT_FALSE(test, hvl_vq_peer_news(&fd->vqs[EVENT_Q]));
}

static struct kunit_case vsock_poll_cases[] = {
	KUNIT_CASE(tx_rearmed_after_replies),
	KUNIT_CASE(tx_rearmed_after_late_rx),
	KUNIT_CASE(rearm_budget_tx),
	KUNIT_CASE(rearm_budget_rx),
	KUNIT_CASE(rx_deferred),
	{}
};

static struct kunit_suite vsock_poll_suite = {
	.name = "hvl_vsock_poll",
	.init = poll_init,
	.exit = poll_exit,
	.test_cases = vsock_poll_cases,
};

static struct kunit_case vsock_cases[] = {
	KUNIT_CASE_PARAM(check_hdr, hdr_gen_params),
	KUNIT_CASE(verdict_names),
	KUNIT_CASE(fill_fits),
	KUNIT_CASE(fill_empty),
	KUNIT_CASE(fill_split_4k),
	KUNIT_CASE(fill_header_straddles),
	KUNIT_CASE(fill_header_only_buffers),
	KUNIT_CASE(fill_refuses),
	KUNIT_CASE(tx_skb_sized_by_len),
	{}
};

static struct kunit_suite vsock_suite = {
	.name = "hvl_vsock",
	.test_cases = vsock_cases,
};

kunit_test_suites(&vsock_suite, &vsock_poll_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for hvl_vsock's packet glue and poll");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
