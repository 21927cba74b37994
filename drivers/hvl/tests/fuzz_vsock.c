// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hostile-peer fuzzer's vsock cases (suite hvl_fuzz, fuzz_kunit.c).
 *
 *   vsock          packet headers and buffer sizes through
 *                  hvl_vsock_check_hdr(): what passes comes from the
 *                  peer, to us, of a known type and operation, with a
 *                  length inside the buffer.
 *   vsock_deliver  the same headers as tx chains of a fake device
 *                  (fake_dev.h), served by the device's own poll into
 *                  the vsock core, which finds no socket for them and
 *                  answers each with RST (but an RST): after every batch
 *                  each refusal is counted once under the verdict the
 *                  header check gives, everything else reached the core,
 *                  each RST came back into the peer's rx buffers in
 *                  order, addressed to the packet's sender, every tx
 *                  chain was used and neither ring broke.
 *
 * Headers are valid ones with a field or a few bits changed three times
 * in four, so that the checks behind the first are reached, random bytes
 * with plausible fields otherwise.  Sockets in other states (listening,
 * connected) are not reached here: the vsock core assigns the H2G
 * transport only to a registered one, which a fake device is not; the
 * integration tests and the soak's churn drive those through the real
 * device.
 */
#include <kunit/test.h>
#include <linux/hvl.h>
#include <linux/ktime.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <net/af_vsock.h>

#include "../devices/vsock.h"
#include "fake_dev.h"
#include "fuzz.h"

#define HDR	sizeof(struct virtio_vsock_hdr)
#define PEER	7u

/*
 * A header a hostile peer would send, with at most @room bytes of
 * payload after it: three times in four a valid one (from @peer to us, a
 * known type and operation, a len that fits) with none to three bytes or
 * bits of it changed, else random bytes with plausible fields here and
 * there.
 */
static void gen_hdr(struct rnd_state *rnd, struct virtio_vsock_hdr *h,
		    u32 peer, u32 room)
{
	u32 r = prandom_u32_state(rnd);
	u8 *b = (u8 *)h;
	unsigned int i;
	u16 op;

	prandom_bytes_state(rnd, h, sizeof(*h));
	if (r & 3) {
		op = VIRTIO_VSOCK_OP_REQUEST + (r >> 2) % 7;
		h->src_cid = cpu_to_le64(peer);
		h->dst_cid = cpu_to_le64(VMADDR_CID_HOST);
		h->type = cpu_to_le16(VIRTIO_VSOCK_TYPE_STREAM + ((r >> 5) & 1));
		h->op = cpu_to_le16(op);
		h->len = cpu_to_le32(op == VIRTIO_VSOCK_OP_RW ?
				     prandom_u32_state(rnd) % (room + 1) : 0);
		for (i = 0; i < ((r >> 6) & 3); i++) {
			u32 m = prandom_u32_state(rnd);

			if (m & 1)
				b[(m >> 1) % sizeof(*h)] ^= 1 << ((m >> 9) & 7);
			else
				b[(m >> 1) % sizeof(*h)] = m >> 12;
		}
		return;
	}
	if (r & 4)
		h->src_cid = cpu_to_le64(peer);
	if (r & 8)
		h->dst_cid = cpu_to_le64(VMADDR_CID_HOST);
	if (r & 16)
		h->type = cpu_to_le16(1 + ((r >> 8) & 1));
	if (r & 32)
		h->op = cpu_to_le16((r >> 9) & 7);
	if (r & 64)
		h->len = cpu_to_le32((r >> 12) & 0xffff);
}

void hvl_fuzz_vsock(struct kunit *test)
{
	struct virtio_vsock_hdr h;
	struct rnd_state rnd;
	unsigned long n, ok = 0;
	ktime_t t0;

	prandom_seed_state(&rnd, hvl_fuzz_seed);
	t0 = ktime_get();
	for (n = 0; n < hvl_fuzz_inputs; n++) {
		u32 r = prandom_u32_state(&rnd);
		size_t buf;

		/* Around the header's size, the 64 KiB limit, or anything. */
		switch (r >> 29) {
		case 0:
			buf = prandom_u32_state(&rnd) % (HDR + 1);
			break;
		case 1:
			buf = HDR + SZ_64K - 4 + prandom_u32_state(&rnd) % 8;
			break;
		case 2:
			buf = prandom_u32_state(&rnd);
			break;
		default:
			buf = HDR + prandom_u32_state(&rnd) % (SZ_64K + 2);
			break;
		}
		gen_hdr(&rnd, &h, PEER,
			buf > HDR ? min_t(size_t, buf - HDR, SZ_64K) : 0);

		if (hvl_vsock_check_hdr(&h, buf, PEER) != HVL_VSOCK_OK)
			continue;
		ok++;
		KUNIT_ASSERT_EQ(test, le64_to_cpu(h.src_cid), PEER);
		KUNIT_ASSERT_EQ(test, le64_to_cpu(h.dst_cid), VMADDR_CID_HOST);
		KUNIT_ASSERT_TRUE(test,
				  le16_to_cpu(h.type) == VIRTIO_VSOCK_TYPE_STREAM ||
				  le16_to_cpu(h.type) == VIRTIO_VSOCK_TYPE_SEQPACKET);
		KUNIT_ASSERT_GE(test, le16_to_cpu(h.op), VIRTIO_VSOCK_OP_REQUEST);
		KUNIT_ASSERT_LE(test, le16_to_cpu(h.op), VIRTIO_VSOCK_OP_CREDIT_REQUEST);
		KUNIT_ASSERT_GE(test, buf, HDR);
		KUNIT_ASSERT_LE(test, (size_t)le32_to_cpu(h.len), buf - HDR);
		if (le16_to_cpu(h.op) != VIRTIO_VSOCK_OP_RW)
			KUNIT_ASSERT_EQ(test, le32_to_cpu(h.len), 0);
	}
	hvl_fuzz_report(test, "vsock", n, t0, n - ok);
	/* Most inputs must get past the first checks to test the rest. */
	if (hvl_fuzz_inputs >= 1000)
		KUNIT_EXPECT_GT(test, ok, n / 8);
}

/*
 * The delivery case's device: rx, tx and event queues of 16 entries, the
 * peer at VCID (no CID a device tree gives).  Each batch posts up to
 * BATCH tx packets, each in a buffer of PKT bytes, then one rx buffer of
 * RXLEN bytes for each RST expected.
 */
#define VCID		0x7e58u
#define RX_Q		0
#define TX_Q		1
#define NUM		16u
#define BATCH		8u
#define PKT		0x1000u
#define RXBUF		(BATCH * PKT)
#define RXLEN		0x100u

/*
 * A quarter of hvl_fuzz_inputs, and at most this many, whatever it says:
 * each input goes through the vsock core and most come back as an RST,
 * some 1700 a second on the debug kernel under TCG where a ring or txn
 * input takes a tenth of that, and KUnit gives a case 300 s.  make
 * check's 20000 are then 5000 here (3 s), make soak's million the
 * maximum.
 */
#define DELIVER_MAX	250000ul

struct reply {
	u32 src_port, dst_port;
	u16 type;
};

struct deliver {
	struct fake_dev *fd;
	struct rnd_state rnd;
	u64 want_bad[HVL_VSOCK_NR_VERDICTS];
	u64 want_delivered;
	struct reply expect[BATCH];
	unsigned int nr_expect;
	u16 tx_used, rx_used;
};

/*
 * Post tx packet @k of a batch; @writable adds a device-writable part,
 * which no tx packet may have.  Returns what the device must say of it.
 */
static enum hvl_vsock_verdict post_packet(struct deliver *d, unsigned int k,
					  bool writable)
{
	struct virtio_vsock_hdr *h = fake_buf(d->fd, k * PKT);
	u32 r = prandom_u32_state(&d->rnd), len;

	gen_hdr(&d->rnd, h, VCID, PKT - HDR);
	/* Mostly the header and what its len says; else any length. */
	if (r & 3)
		len = HDR + min_t(u32, le32_to_cpu(h->len), PKT - HDR);
	else
		len = 1 + (r >> 2) % PKT;
	if (writable) {
		fake_post_chain(d->fd, TX_Q, fake_bus(k * PKT), len,
				fake_bus((k + 1) * PKT - 16), 16);
		return HVL_VSOCK_BAD_BUFFER;
	}
	fake_post(d->fd, TX_Q, k * PKT, len, false);
	if (len < HDR)
		return HVL_VSOCK_BAD_BUFFER;
	return hvl_vsock_check_hdr(h, len, VCID);
}

/* Every RST of the batch, in order, in the rx buffers posted for it. */
static void check_replies(struct kunit *test, struct deliver *d)
{
	struct vring_used *u = fake_used(d->fd, RX_Q);
	unsigned int i;

	KUNIT_ASSERT_EQ(test, fake_used_idx(d->fd, RX_Q),
			(u16)(d->rx_used + d->nr_expect));
	for (i = 0; i < d->nr_expect; i++) {
		u16 idx = d->rx_used + i;
		struct vring_used_elem *e = &u->ring[idx % NUM];
		struct virtio_vsock_hdr *h =
			fake_buf(d->fd, RXBUF + (idx % NUM) * RXLEN);
		struct reply *want = &d->expect[i];

		KUNIT_ASSERT_EQ(test, __virtio32_to_cpu(true, e->id), idx % NUM);
		KUNIT_ASSERT_EQ(test, __virtio32_to_cpu(true, e->len), HDR);
		KUNIT_ASSERT_EQ(test, le16_to_cpu(h->op), VIRTIO_VSOCK_OP_RST);
		KUNIT_ASSERT_EQ(test, le64_to_cpu(h->src_cid), VMADDR_CID_HOST);
		KUNIT_ASSERT_EQ(test, le64_to_cpu(h->dst_cid), VCID);
		KUNIT_ASSERT_EQ(test, le32_to_cpu(h->src_port), want->src_port);
		KUNIT_ASSERT_EQ(test, le32_to_cpu(h->dst_port), want->dst_port);
		KUNIT_ASSERT_EQ(test, le16_to_cpu(h->type), want->type);
		KUNIT_ASSERT_EQ(test, le32_to_cpu(h->len), 0);
	}
	d->rx_used += d->nr_expect;
}

static void deliver_batch(struct kunit *test, struct deliver *d,
			  unsigned int nb)
{
	u64 bad[HVL_VSOCK_NR_VERDICTS], delivered;
	bool writable = !(prandom_u32_state(&d->rnd) % 16);
	unsigned int k, polls = 0;

	d->nr_expect = 0;
	for (k = 0; k < nb; k++) {
		struct virtio_vsock_hdr *h = fake_buf(d->fd, k * PKT);
		enum hvl_vsock_verdict v = post_packet(d, k, writable);

		if (v != HVL_VSOCK_OK)
			d->want_bad[v]++;
		if (v != HVL_VSOCK_OK && v != HVL_VSOCK_BAD_OP &&
		    v != HVL_VSOCK_BAD_TYPE)
			continue;
		/* Handed to the core, which answers all but an RST. */
		d->want_delivered++;
		if (le16_to_cpu(h->op) == VIRTIO_VSOCK_OP_RST)
			continue;
		d->expect[d->nr_expect++] = (struct reply){
			.src_port = le32_to_cpu(h->dst_port),
			.dst_port = le32_to_cpu(h->src_port),
			.type = le16_to_cpu(h->type),
		};
	}
	for (k = 0; k < d->nr_expect; k++)
		fake_post(d->fd, RX_Q, RXBUF + (d->fd->avail_idx[RX_Q] % NUM) * RXLEN,
			  RXLEN, true);
	while (fake_poll(d->fd, hvl_vsock_poll, HVL_BUDGET))
		KUNIT_ASSERT_LT(test, ++polls, 100u);

	d->tx_used += nb;
	KUNIT_ASSERT_EQ(test, fake_used_idx(d->fd, TX_Q), d->tx_used);
	KUNIT_ASSERT_FALSE(test, d->fd->vqs[TX_Q].broken);
	KUNIT_ASSERT_FALSE(test, d->fd->vqs[RX_Q].broken);
	KUNIT_ASSERT_FALSE(test, d->fd->cd.hdev.status &
				 VIRTIO_CONFIG_S_NEEDS_RESET);
	hvl_vsock_kunit_counts(&d->fd->cd.hdev, bad, &delivered);
	for (k = HVL_VSOCK_OK + 1; k < HVL_VSOCK_NR_VERDICTS; k++)
		KUNIT_ASSERT_EQ_MSG(test, bad[k], d->want_bad[k],
				    "%s, seed %llu", hvl_vsock_verdict_name(k),
				    hvl_fuzz_seed);
	KUNIT_ASSERT_EQ(test, delivered, d->want_delivered);
	check_replies(test, d);
}

/* Also when an assertion ends the case: send_pkt() must not find it. */
static void deliver_del(void *data)
{
	struct fake_dev *fd = data;

	hvl_vsock_kunit_del(&fd->cd.hdev);
	fake_dev_free(fd);
}

void hvl_fuzz_vsock_deliver(struct kunit *test)
{
	static const u16 num[] = { NUM, NUM, 4 };
	struct deliver *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	unsigned long n = 0, refused = 0;
	unsigned long max = min(hvl_fuzz_inputs / 4, DELIVER_MAX);
	unsigned int k;
	ktime_t t0;

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->fd = fake_dev_new(test, 3, num, true);
	KUNIT_ASSERT_EQ(test, hvl_vsock_kunit_add(&d->fd->cd.hdev, VCID), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, deliver_del, d->fd),
			0);
	prandom_seed_state(&d->rnd, hvl_fuzz_seed);
	t0 = ktime_get();
	while (n < max) {
		unsigned int nb = 1 + prandom_u32_state(&d->rnd) % BATCH;

		deliver_batch(test, d, nb);
		n += nb;
		cond_resched();
	}
	for (k = HVL_VSOCK_OK + 1; k < HVL_VSOCK_NR_VERDICTS; k++)
		refused += d->want_bad[k];
	hvl_fuzz_report(test, "vsock_deliver", n, t0, refused);
	if (hvl_fuzz_inputs >= 1000) {
		KUNIT_EXPECT_GT(test, d->want_delivered, n / 8);
		KUNIT_EXPECT_GT(test, refused, 0);
	}
}
