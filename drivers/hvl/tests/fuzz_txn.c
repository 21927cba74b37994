// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the hostile-peer fuzzer's txn case (fuzz_kunit.c has the suite,
 * its parameters and the other cases): register-write transactions
 * played by a hostile peer against core/txn.c, the state checked after
 * every input.
 */
#include <kunit/test.h>
#include <linux/hvl.h>
#include <linux/ktime.h>
#include <linux/prandom.h>
#include <linux/string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "fuzz.h"
#include "txn_fake.h"

/*
 * Register transactions, on the fake device of txn_fake.h: two queues
 * (64 and 16 entries), 8 bytes of config space, a backend that counts
 * its activate() calls and whose activate() fails when told to.
 */
#define TXN_BATCH	1000u	/* inputs between two recoveries */
#define TXN_SLOT	0x1000u	/* the rings of one queue, valid set-ups */
#define TXN_SCRIPT	32u
#define TXN_VQS		2u

struct txn_fuzz {
	struct kunit *test;
	struct fake *f;
	struct hvl_core_dev *cd;
	struct hvl_txn *t;
	struct rnd_state rnd;
	unsigned long n;		/* input number */
	char ctx[160];			/* seed, input and write, for messages */
	u32 off, width, val;
	int act_base;			/* activate() calls before this session */
	u32 script[TXN_SCRIPT][2];	/* a valid initialisation, in progress */
	unsigned int script_len, script_pos;
	unsigned long refused, deep, live, restarts, repeats;
	/* what a refused or repeated transaction must leave alone */
	u8 image[HVL_TXN_OFFSET];
	struct hvl_qregs qregs[TXN_VQS];
	bool ready[TXN_VQS];
	u64 guest_features;
};

static u32 trnd(struct txn_fuzz *z)
{
	return prandom_u32_state(&z->rnd);
}

static u32 tbelow(struct txn_fuzz *z, u32 n)
{
	return trnd(z) % n;
}

static void txn_ctx(struct txn_fuzz *z, const char *what, u32 seq, bool restart)
{
	snprintf(z->ctx, sizeof(z->ctx),
		 "seed %llu input %lu%s: write %#x width %u value %#x seq %#x%s",
		 hvl_fuzz_seed, z->n, what, z->off, z->width, z->val, seq,
		 restart ? " after a peer restart" : "");
}

static bool txn_is_config(u32 off)
{
	return off >= HVL_CONFIG_OFFSET && off < HVL_TXN_OFFSET;
}

/* The registers a driver may write (virtio-mmio version 2). */
static const u32 txn_writable[] = {
	VIRTIO_MMIO_DEVICE_FEATURES_SEL, VIRTIO_MMIO_DRIVER_FEATURES,
	VIRTIO_MMIO_DRIVER_FEATURES_SEL, VIRTIO_MMIO_QUEUE_SEL,
	VIRTIO_MMIO_QUEUE_NUM, VIRTIO_MMIO_QUEUE_READY,
	VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_STATUS,
	VIRTIO_MMIO_QUEUE_DESC_LOW, VIRTIO_MMIO_QUEUE_DESC_HIGH,
	VIRTIO_MMIO_QUEUE_AVAIL_LOW, VIRTIO_MMIO_QUEUE_AVAIL_HIGH,
	VIRTIO_MMIO_QUEUE_USED_LOW, VIRTIO_MMIO_QUEUE_USED_HIGH,
	VIRTIO_MMIO_SHM_SEL,
};

/* ... and the others, read-only, legacy or not transactions at all. */
static const u32 txn_other[] = {
	VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_DEVICE_ID,
	VIRTIO_MMIO_VENDOR_ID, VIRTIO_MMIO_DEVICE_FEATURES,
	VIRTIO_MMIO_GUEST_PAGE_SIZE, VIRTIO_MMIO_QUEUE_NUM_MAX,
	VIRTIO_MMIO_QUEUE_ALIGN, VIRTIO_MMIO_QUEUE_PFN,
	VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_MMIO_INTERRUPT_STATUS,
	VIRTIO_MMIO_SHM_LEN_LOW, VIRTIO_MMIO_SHM_LEN_HIGH,
	VIRTIO_MMIO_SHM_BASE_LOW, VIRTIO_MMIO_SHM_BASE_HIGH,
	VIRTIO_MMIO_CONFIG_GENERATION,
};

static bool txn_is_writable(u32 off)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(txn_writable); i++)
		if (off == txn_writable[i])
			return true;
	return false;
}

static u32 txn_offset(struct txn_fuzz *z)
{
	u32 cfg = z->cd->hdev.config_size;

	switch (tbelow(z, 16)) {
	case 0:
	case 1:
		return txn_other[tbelow(z, ARRAY_SIZE(txn_other))];
	case 2:			/* config space, at and beyond its end */
	case 3:
		return HVL_CONFIG_OFFSET + tbelow(z, cfg + 8);
	case 4:			/* far beyond it, the txn block, the page's end */
		return HVL_CONFIG_OFFSET + tbelow(z, HVL_CONFIG_SIZE + 0x200);
	case 5:
		return tbelow(z, HVL_PAGE_SIZE);
	case 6:
		return trnd(z);
	default:
		return txn_writable[tbelow(z, ARRAY_SIZE(txn_writable))];
	}
}

/* Mostly the next bit a driver sets, in order; sometimes anything. */
static u32 txn_status(struct txn_fuzz *z)
{
	static const u8 order[] = {
		VIRTIO_CONFIG_S_ACKNOWLEDGE, VIRTIO_CONFIG_S_DRIVER,
		VIRTIO_CONFIG_S_FEATURES_OK, VIRTIO_CONFIG_S_DRIVER_OK,
	};
	u32 old = z->cd->hdev.status;
	unsigned int i;

	switch (tbelow(z, 10)) {
	case 0:
		return 0;
	case 1:
		return tbelow(z, 0x100);
	case 2:
		return trnd(z);
	case 3:			/* one bit taken back */
		return old & ~BIT(tbelow(z, 8));
	case 4:			/* one bit of the spec's, in any order */
		return old | VIRTIO_CONFIG_S_FAILED >> tbelow(z, 8);
	default:
		for (i = 0; i < ARRAY_SIZE(order); i++)
			if (!(old & order[i]))
				return old | order[i];
		return old;
	}
}

/* A ring address: inside the window, at its edge, outside it, wrapping. */
static u64 txn_addr(struct txn_fuzz *z)
{
	switch (tbelow(z, 8)) {
	case 0:
		return WIN_BUS + tbelow(z, WIN_SIZE);
	case 1:
		return WIN_BUS + WIN_SIZE - 16 * tbelow(z, 64);
	case 2:
		return WIN_BUS + WIN_SIZE + tbelow(z, 0x1000);
	case 3:
		return WIN_BUS - 16 * (1 + tbelow(z, 64));
	case 4:
		return -16ULL * (1 + tbelow(z, 64));
	case 5:
		return ((u64)trnd(z) << 32) | trnd(z);
	default:
		return WIN_BUS + RING_OFF + 0x400 * tbelow(z, (WIN_SIZE - RING_OFF) / 0x400);
	}
}

/* A DriverFeatures word: what is offered, a part of it, more, anything. */
static u32 txn_features(struct txn_fuzz *z)
{
	struct hvl_core_dev *cd = z->cd;
	u32 host = cd->gfsel < 2 ? (u32)(cd->hdev.host_features >> (32 * cd->gfsel)) : 0;

	switch (tbelow(z, 6)) {
	case 0:
		return trnd(z);
	case 1:
		return host | BIT(tbelow(z, 32));
	case 2:
		return 0;
	case 3:
		return host;
	default:
		return (host & trnd(z)) | (cd->gfsel == 1 ? host & 1 : 0);
	}
}

static u32 txn_value(struct txn_fuzz *z, u32 off)
{
	u64 addr;

	switch (off) {
	case VIRTIO_MMIO_STATUS:
		return txn_status(z);
	case VIRTIO_MMIO_DRIVER_FEATURES:
		return txn_features(z);
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
	case VIRTIO_MMIO_QUEUE_SEL:
	case VIRTIO_MMIO_SHM_SEL:
		return tbelow(z, 8) ? tbelow(z, 3) : trnd(z);
	case VIRTIO_MMIO_QUEUE_NUM:
		return tbelow(z, 8) ? 1u << tbelow(z, 9) : tbelow(z, 2) ? 0 : trnd(z);
	case VIRTIO_MMIO_QUEUE_READY:
		return tbelow(z, 8) ? tbelow(z, 2) : trnd(z);
	case VIRTIO_MMIO_INTERRUPT_ACK:
		return tbelow(z, 4) ? tbelow(z, 4) : trnd(z);
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
		return lower_32_bits(txn_addr(z));
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		addr = txn_addr(z);
		return tbelow(z, 2) ? upper_32_bits(addr) : 0;
	default:
		return tbelow(z, 2) ? tbelow(z, 0x100) : trnd(z);
	}
}

static void txn_add(struct txn_fuzz *z, u32 off, u32 val)
{
	z->script[z->script_len][0] = off;
	z->script[z->script_len][1] = val;
	z->script_len++;
}

/*
 * A valid initialisation, as a driver makes it: reset, ACKNOWLEDGE and
 * DRIVER, features (a part of what is offered, with VERSION_1),
 * FEATURES_OK, both queues inside the window, DRIVER_OK.
 */
static void txn_script(struct txn_fuzz *z)
{
	u64 want = z->cd->hdev.host_features, base;
	unsigned int q, num;

	if (tbelow(z, 2))
		want &= ((u64)trnd(z) << 32 | trnd(z));
	want |= BIT_ULL(VIRTIO_F_VERSION_1);
	z->script_len = 0;
	z->script_pos = 0;
	txn_add(z, VIRTIO_MMIO_STATUS, 0);
	txn_add(z, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	txn_add(z, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	txn_add(z, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	txn_add(z, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	txn_add(z, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	txn_add(z, VIRTIO_MMIO_DRIVER_FEATURES, lower_32_bits(want));
	txn_add(z, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	txn_add(z, VIRTIO_MMIO_DRIVER_FEATURES, upper_32_bits(want));
	txn_add(z, VIRTIO_MMIO_STATUS, 0xb);
	for (q = 0; q < TXN_VQS; q++) {
		num = 1u << tbelow(z, ilog2(z->f->queue_max[q]) + 1);
		base = WIN_BUS + RING_OFF + q * TXN_SLOT;
		txn_add(z, VIRTIO_MMIO_QUEUE_SEL, q);
		txn_add(z, VIRTIO_MMIO_QUEUE_NUM, num);
		txn_add(z, VIRTIO_MMIO_QUEUE_DESC_LOW, lower_32_bits(base));
		txn_add(z, VIRTIO_MMIO_QUEUE_DESC_HIGH, upper_32_bits(base));
		txn_add(z, VIRTIO_MMIO_QUEUE_AVAIL_LOW, lower_32_bits(base + 0x400));
		txn_add(z, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, upper_32_bits(base + 0x400));
		txn_add(z, VIRTIO_MMIO_QUEUE_USED_LOW, lower_32_bits(base + 0x800));
		txn_add(z, VIRTIO_MMIO_QUEUE_USED_HIGH, upper_32_bits(base + 0x800));
		txn_add(z, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	txn_add(z, VIRTIO_MMIO_STATUS, 0xf);
}

/* A ready queue's ring: translated where it lies, entirely in the window. */
static void txn_ring_ok(struct txn_fuzz *z, const char *which, u64 bus,
			u64 len, size_t align, const void *va)
{
	struct kunit *test = z->test;
	const u8 *mem = z->f->mem;

	KUNIT_ASSERT_PTR_EQ_MSG(test, hvl_xlate(&z->f->win.xlate, bus, len, align),
				va, "%s: %s ring at %#llx", z->ctx, which, bus);
	KUNIT_ASSERT_TRUE_MSG(test, bus >= WIN_BUS && bus - WIN_BUS <= WIN_SIZE &&
			      len <= WIN_SIZE - (bus - WIN_BUS) && IS_ALIGNED(bus, align),
			      "%s: %s ring at %#llx, %llu bytes, outside the window",
			      z->ctx, which, bus, len);
	KUNIT_ASSERT_PTR_EQ_MSG(test, va, mem + (bus - WIN_BUS), "%s: %s ring",
				z->ctx, which);
}

/* The register image and the negotiation agree with the device's state. */
static void txn_check_state(struct txn_fuzz *z)
{
	struct kunit *test = z->test;
	struct fake *f = z->f;
	struct hvl_core_dev *cd = z->cd;
	struct hvl_device *hdev = &cd->hdev;
	u32 status = hdev->status, qmax, word;
	u64 gf = hdev->guest_features, host = hdev->host_features;
	unsigned int q, bit;
	int calls;

	KUNIT_ASSERT_EQ_MSG(test, reg(f, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976, "%s", z->ctx);
	KUNIT_ASSERT_EQ_MSG(test, reg(f, VIRTIO_MMIO_VERSION), 2, "%s", z->ctx);
	KUNIT_ASSERT_EQ_MSG(test, reg(f, VIRTIO_MMIO_VENDOR_ID), HVL_VENDOR_ID, "%s", z->ctx);
	KUNIT_ASSERT_EQ_MSG(test, reg(f, VIRTIO_MMIO_DEVICE_ID), cd->drv ? hdev->device_id : 0,
			    "%s: DeviceID, %s", z->ctx, cd->drv ? "bound" : "unbound");
	KUNIT_ASSERT_EQ_MSG(test, reg(f, VIRTIO_MMIO_STATUS), status, "%s: Status image", z->ctx);
	KUNIT_ASSERT_EQ_MSG(test, reg(f, VIRTIO_MMIO_INTERRUPT_STATUS), cd->isr, "%s", z->ctx);
	KUNIT_ASSERT_EQ_MSG(test, reg(f, VIRTIO_MMIO_QUEUE_SEL), cd->qsel, "%s", z->ctx);
	qmax = cd->qsel < TXN_VQS ? f->queue_max[cd->qsel] : 0;
	KUNIT_ASSERT_EQ_MSG(test, reg(f, VIRTIO_MMIO_QUEUE_NUM_MAX), qmax,
			    "%s: QueueNumMax of queue %u", z->ctx, cd->qsel);
	KUNIT_ASSERT_LE_MSG(test, reg(f, VIRTIO_MMIO_QUEUE_NUM), qmax,
			    "%s: QueueNum of queue %u", z->ctx, cd->qsel);
	word = cd->dfsel < 2 ? (u32)(host >> (32 * cd->dfsel)) : 0;
	KUNIT_ASSERT_EQ_MSG(test, reg(f, VIRTIO_MMIO_DEVICE_FEATURES), word,
			    "%s: DeviceFeatures word %u", z->ctx, cd->dfsel);

	if (status & VIRTIO_CONFIG_S_DRIVER_OK)
		KUNIT_ASSERT_TRUE_MSG(test, status & VIRTIO_CONFIG_S_FEATURES_OK,
				      "%s: DRIVER_OK without FEATURES_OK (%#x)", z->ctx, status);
	if (status & VIRTIO_CONFIG_S_FEATURES_OK) {
		KUNIT_ASSERT_EQ_MSG(test, gf & ~host, 0,
				    "%s: FEATURES_OK with features not offered (%#llx of %#llx)",
				    z->ctx, gf, host);
		KUNIT_ASSERT_TRUE_MSG(test, gf & BIT_ULL(VIRTIO_F_VERSION_1),
				      "%s: FEATURES_OK without VERSION_1 (%#llx)", z->ctx, gf);
	}
	for (bit = 0; bit <= 64; bit++)
		KUNIT_ASSERT_EQ_MSG(test, hvl_device_feature(hdev, bit),
				    bit < 64 && (status & VIRTIO_CONFIG_S_FEATURES_OK) &&
				    (host & gf & BIT_ULL(bit)),
				    "%s: hvl_device_feature(%u), status %#x, features %#llx of %#llx",
				    z->ctx, bit, status, gf, host);

	for (q = 0; q < TXN_VQS; q++) {
		const struct hvl_vq *vq = &hdev->vqs[q];
		const struct hvl_qregs *r = &cd->qregs[q];

		if (!vq->ready)
			continue;
		KUNIT_ASSERT_TRUE_MSG(test, status & VIRTIO_CONFIG_S_FEATURES_OK,
				      "%s: queue %u ready, status %#x", z->ctx, q, status);
		KUNIT_ASSERT_EQ_MSG(test, vq->num, r->num, "%s: queue %u's size", z->ctx, q);
		KUNIT_ASSERT_TRUE_MSG(test, is_power_of_2(vq->num) && vq->num <= f->queue_max[q],
				      "%s: queue %u of %u entries", z->ctx, q, vq->num);
		txn_ring_ok(z, "descriptor", r->desc, 16ULL * vq->num, 16, vq->desc);
		txn_ring_ok(z, "avail", r->avail, 6 + 2ULL * vq->num, 2, vq->avail);
		txn_ring_ok(z, "used", r->used, 6 + 8ULL * vq->num, 4, vq->used);
	}

	/* activate() once per session, at DRIVER_OK, and not before. */
	calls = f->activated - z->act_base;
	KUNIT_ASSERT_EQ_MSG(test, calls, status & VIRTIO_CONFIG_S_DRIVER_OK ? 1 : 0,
			    "%s: activate() calls this session, status %#x", z->ctx, status);
	if (cd->active)
		KUNIT_ASSERT_TRUE_MSG(test, status & VIRTIO_CONFIG_S_DRIVER_OK,
				      "%s: active, status %#x", z->ctx, status);
	if ((status & VIRTIO_CONFIG_S_DRIVER_OK) && !(status & VIRTIO_CONFIG_S_NEEDS_RESET))
		KUNIT_ASSERT_TRUE_MSG(test, cd->active, "%s: DRIVER_OK, not started", z->ctx);
	KUNIT_ASSERT_EQ_MSG(test, hvl_device_ready(hdev),
			    cd->active && !(status & VIRTIO_CONFIG_S_NEEDS_RESET), "%s", z->ctx);
}

static void txn_snapshot(struct txn_fuzz *z)
{
	unsigned int q;

	memcpy(z->image, z->cd->page, sizeof(z->image));
	for (q = 0; q < TXN_VQS; q++) {
		z->qregs[q] = z->cd->qregs[q];
		z->ready[q] = z->cd->hdev.vqs[q].ready;
	}
	z->guest_features = z->cd->hdev.guest_features;
}

/* Nothing changed since txn_snapshot(): image, config, hidden state. */
static void txn_unchanged(struct txn_fuzz *z, const char *why)
{
	struct kunit *test = z->test;
	const u8 *page = z->cd->page;
	unsigned int q, i;

	for (i = 0; i < sizeof(z->image); i += 4)
		KUNIT_ASSERT_EQ_MSG(test, *(const u32 *)(page + i), *(u32 *)(z->image + i),
				    "%s: %s, yet the word at %#x changed", z->ctx, why, i);
	for (q = 0; q < TXN_VQS; q++) {
		const struct hvl_qregs *r = &z->cd->qregs[q];

		KUNIT_ASSERT_TRUE_MSG(test, r->num == z->qregs[q].num &&
				      r->desc == z->qregs[q].desc &&
				      r->avail == z->qregs[q].avail &&
				      r->used == z->qregs[q].used &&
				      z->cd->hdev.vqs[q].ready == z->ready[q],
				      "%s: %s, yet queue %u changed", z->ctx, why, q);
	}
	KUNIT_ASSERT_EQ_MSG(test, z->cd->hdev.guest_features, z->guest_features,
			    "%s: %s, yet the driver features changed", z->ctx, why);
}

/* Post a transaction as a driver does, serve it as the work item does. */
static bool txn_serve(struct txn_fuzz *z, u32 seq)
{
	struct hvl_txn *t = z->t;
	bool ret;

	WRITE_ONCE(t->offset, cpu_to_le32(z->off));
	WRITE_ONCE(t->width, cpu_to_le32(z->width));
	WRITE_ONCE(t->value, cpu_to_le32(z->val));
	/* The payload before seq, as a driver orders its stores. */
	hvl_map_wmb(&z->f->win.xlate);
	WRITE_ONCE(t->seq, cpu_to_le32(seq));
	mutex_lock(&z->cd->lock);
	ret = hvl_txn_run(z->cd);
	mutex_unlock(&z->cd->lock);
	return ret;
}

/* Core-side events now and then: a backend bound or gone, a fatal error. */
static void txn_env(struct txn_fuzz *z)
{
	struct kunit *test = z->test;
	struct hvl_core_dev *cd = z->cd;
	struct fake *f = z->f;

	f->activate_err = tbelow(z, 4) ? 0 : -EIO;
	if (!tbelow(z, 256) || (z->script_len && !cd->drv)) {
		struct hvl_driver *drv = z->script_len || tbelow(z, 2) ? &f->drv : NULL;
		int resets = f->resets;
		bool was_active = cd->active;

		mutex_lock(&cd->lock);
		hvl_txn_bind(cd, drv);
		mutex_unlock(&cd->lock);
		snprintf(z->ctx, sizeof(z->ctx), "seed %llu input %lu: %s", hvl_fuzz_seed,
			 z->n, drv ? "bind" : "unbind");
		KUNIT_ASSERT_EQ_MSG(test, cd->hdev.status, 0, "%s", z->ctx);
		KUNIT_ASSERT_FALSE_MSG(test, cd->active, "%s", z->ctx);
		KUNIT_ASSERT_EQ_MSG(test, f->resets - resets, was_active ? 1 : 0,
				    "%s: backend reset() calls", z->ctx);
		z->act_base = f->activated;
		txn_check_state(z);
	}
	if (!tbelow(z, 512) && cd->drv) {
		bool again = cd->hdev.status & VIRTIO_CONFIG_S_NEEDS_RESET;

		mutex_lock(&cd->lock);
		hvl_device_needs_reset(&cd->hdev, "kunit fuzz");
		mutex_unlock(&cd->lock);
		snprintf(z->ctx, sizeof(z->ctx), "seed %llu input %lu: backend error",
			 hvl_fuzz_seed, z->n);
		KUNIT_ASSERT_TRUE_MSG(test, cd->hdev.status & VIRTIO_CONFIG_S_NEEDS_RESET,
				      "%s", z->ctx);
		/* Raised once: the peer may have acknowledged it since. */
		if (!again)
			KUNIT_ASSERT_TRUE_MSG(test, cd->isr & VIRTIO_MMIO_INT_CONFIG,
					      "%s", z->ctx);
		txn_check_state(z);
	}
}

/* One input: what the peer writes, served, then every invariant. */
static void txn_input(struct txn_fuzz *z)
{
	struct kunit *test = z->test;
	struct hvl_core_dev *cd = z->cd;
	struct hvl_device *hdev = &cd->hdev;
	struct hvl_win_hdr *h = z->f->mem;
	u64 txns, errors, resets;
	u32 seq, status, ack_seq, ack, qsel;
	bool restart, fresh, ret, was_active, bound, reset_write, needs_reset, queue_reg;
	int activated, fresets;

	if (!z->script_len && !tbelow(z, 128))
		txn_script(z);
	txn_env(z);

	/* The write: the script's next step, mostly, or a hostile one. */
	if (z->script_len && tbelow(z, 16)) {
		z->off = z->script[z->script_pos][0];
		z->width = 4;
		z->val = z->script[z->script_pos][1];
		if (++z->script_pos == z->script_len)
			z->script_len = 0;
	} else {
		z->off = txn_offset(z);
		z->width = tbelow(z, 4) ? 4 : tbelow(z, 9);
		if (txn_is_config(z->off) && tbelow(z, 2))
			z->width = 1u << tbelow(z, 3);
		z->val = txn_value(z, z->off);
	}
	/* Mostly the next seq; sometimes the last one again, or a jump. */
	seq = le32_to_cpu(z->t->seq);
	switch (tbelow(z, 32)) {
	case 0:
	case 1:
	case 2:
	case 3:
		break;
	case 4:
		seq += tbelow(z, 2) ? trnd(z) : 2 + tbelow(z, 16);
		break;
	default:
		seq++;
		break;
	}
	restart = !tbelow(z, 64);
	fresh = seq != cd->last_seq;
	reset_write = z->off == VIRTIO_MMIO_STATUS && z->width == 4 && !z->val;
	queue_reg = z->off == VIRTIO_MMIO_QUEUE_NUM ||
		    (z->off >= VIRTIO_MMIO_QUEUE_DESC_LOW &&
		     z->off <= VIRTIO_MMIO_QUEUE_USED_HIGH);
	txn_ctx(z, "", seq, restart);

	status = hdev->status;
	needs_reset = status & VIRTIO_CONFIG_S_NEEDS_RESET;
	txns = hdev->stats.txns;
	errors = hdev->stats.txn_errors;
	resets = hdev->stats.resets;
	activated = z->f->activated;
	fresets = z->f->resets;
	was_active = cd->active;
	bound = cd->drv;
	qsel = cd->qsel;
	ack_seq = le32_to_cpu(z->t->ack_seq);
	txn_snapshot(z);

	if (restart) {
		h->peer_gen = cpu_to_le32(le32_to_cpu(h->peer_gen) + 1);
		z->restarts++;
	}
	ret = txn_serve(z, seq);
	ack = le32_to_cpu(z->t->ack_status);

	if (!fresh) {
		/* Already acknowledged: not applied again, nothing counted. */
		z->repeats++;
		KUNIT_ASSERT_EQ_MSG(test, le32_to_cpu(z->t->ack_seq), ack_seq, "%s", z->ctx);
		KUNIT_ASSERT_EQ_MSG(test, hdev->stats.txns, txns, "%s: repeated seq", z->ctx);
		KUNIT_ASSERT_EQ_MSG(test, hdev->stats.txn_errors, errors, "%s: repeated seq",
				    z->ctx);
		if (!restart) {
			KUNIT_ASSERT_FALSE_MSG(test, ret, "%s: repeated seq", z->ctx);
			txn_unchanged(z, "repeated seq");
		}
	} else {
		/* New: acknowledged once, with a defined status, counted. */
		KUNIT_ASSERT_TRUE_MSG(test, ret, "%s: not acknowledged", z->ctx);
		KUNIT_ASSERT_EQ_MSG(test, le32_to_cpu(z->t->ack_seq), seq, "%s", z->ctx);
		KUNIT_ASSERT_LE_MSG(test, ack, HVL_TXN_ESTATE, "%s: ack status", z->ctx);
		KUNIT_ASSERT_EQ_MSG(test, hdev->stats.txns, txns + 1, "%s: stats.txns", z->ctx);
		KUNIT_ASSERT_EQ_MSG(test, hdev->stats.txn_errors, errors + (ack != HVL_TXN_OK),
				    "%s: stats.txn_errors, status %u", z->ctx, ack);
		if (ack != HVL_TXN_OK)
			z->refused++;
		/* What must be refused. */
		if (restart && !reset_write)
			KUNIT_ASSERT_EQ_MSG(test, ack, HVL_TXN_ESTATE, "%s: stale write", z->ctx);
		if (z->width != 1 && z->width != 2 && z->width != 4)
			KUNIT_ASSERT_NE_MSG(test, ack, HVL_TXN_OK, "%s: bad width", z->ctx);
		if (!bound && !reset_write)
			KUNIT_ASSERT_NE_MSG(test, ack, HVL_TXN_OK, "%s: no backend", z->ctx);
		if (!txn_is_config(z->off) && !txn_is_writable(z->off))
			KUNIT_ASSERT_NE_MSG(test, ack, HVL_TXN_OK, "%s: not a writable register",
					    z->ctx);
		/* After NEEDS_RESET only a reset or an InterruptACK. */
		if (needs_reset && !restart && !reset_write &&
		    z->off != VIRTIO_MMIO_INTERRUPT_ACK)
			KUNIT_ASSERT_NE_MSG(test, ack, HVL_TXN_OK, "%s: after NEEDS_RESET",
					    z->ctx);
		/*
		 * Frozen: the features after FEATURES_OK, a ready queue's
		 * registers, and every queue's after DRIVER_OK.
		 */
		if ((status & VIRTIO_CONFIG_S_FEATURES_OK) && !restart &&
		    z->off == VIRTIO_MMIO_DRIVER_FEATURES)
			KUNIT_ASSERT_NE_MSG(test, ack, HVL_TXN_OK,
					    "%s: DriverFeatures after FEATURES_OK", z->ctx);
		if (queue_reg && !restart && (status & VIRTIO_CONFIG_S_DRIVER_OK))
			KUNIT_ASSERT_NE_MSG(test, ack, HVL_TXN_OK,
					    "%s: queue register accepted at DRIVER_OK (status %#x)",
					    z->ctx, status);
		/* No queue starts after the device did. */
		if (z->off == VIRTIO_MMIO_QUEUE_READY && z->val == 1 && !restart &&
		    (status & VIRTIO_CONFIG_S_DRIVER_OK) &&
		    (qsel >= TXN_VQS || !z->ready[qsel]))
			KUNIT_ASSERT_NE_MSG(test, ack, HVL_TXN_OK,
					    "%s: a queue started after DRIVER_OK", z->ctx);
		if (queue_reg && !restart && qsel < TXN_VQS && z->ready[qsel])
			KUNIT_ASSERT_NE_MSG(test, ack, HVL_TXN_OK,
					    "%s: queue register accepted while queue %u is ready",
					    z->ctx, qsel);
		/* A refused write changes nothing. */
		if (ack != HVL_TXN_OK && !restart)
			txn_unchanged(z, "refused");
	}

	/* A restart resets the device; the backend stops if it ran. */
	if (restart) {
		KUNIT_ASSERT_EQ_MSG(test, hdev->status, 0, "%s", z->ctx);
		KUNIT_ASSERT_EQ_MSG(test, cd->peer_gen, le32_to_cpu(h->peer_gen), "%s", z->ctx);
	}
	if (hdev->stats.resets != resets) {
		KUNIT_ASSERT_EQ_MSG(test, z->f->activated, activated,
				    "%s: activate() in a reset", z->ctx);
		KUNIT_ASSERT_EQ_MSG(test, z->f->resets - fresets, was_active ? 1 : 0,
				    "%s: backend reset() calls", z->ctx);
		KUNIT_ASSERT_FALSE_MSG(test, cd->active, "%s", z->ctx);
		z->act_base = z->f->activated;
	} else {
		KUNIT_ASSERT_EQ_MSG(test, z->f->resets, fresets, "%s: reset() without a reset",
				    z->ctx);
	}
	txn_check_state(z);
	if (hdev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		z->deep++;
	if (hdev->vqs[0].ready || hdev->vqs[1].ready)
		z->live++;
}

/*
 * After a batch: a reset leaves nothing behind, and a valid
 * initialisation then reaches DRIVER_OK with activate() called.
 */
static void txn_recover(struct txn_fuzz *z)
{
	struct kunit *test = z->test;
	struct hvl_core_dev *cd = z->cd;
	struct hvl_device *hdev = &cd->hdev;
	unsigned int i, q;
	u32 seq;

	z->f->activate_err = 0;
	if (!cd->drv) {
		mutex_lock(&cd->lock);
		hvl_txn_bind(cd, &z->f->drv);
		mutex_unlock(&cd->lock);
		z->act_base = z->f->activated;
	}
	txn_script(z);
	for (i = 0; i < z->script_len; i++) {
		z->off = z->script[i][0];
		z->width = 4;
		z->val = z->script[i][1];
		seq = le32_to_cpu(z->t->seq) + 1;
		txn_ctx(z, ", recovery", seq, false);
		KUNIT_ASSERT_TRUE_MSG(test, txn_serve(z, seq), "%s", z->ctx);
		KUNIT_ASSERT_EQ_MSG(test, le32_to_cpu(z->t->ack_seq), seq, "%s", z->ctx);
		KUNIT_ASSERT_EQ_MSG(test, le32_to_cpu(z->t->ack_status), HVL_TXN_OK, "%s", z->ctx);
		if (!i) {
			KUNIT_ASSERT_EQ_MSG(test, hdev->status, 0, "%s", z->ctx);
			KUNIT_ASSERT_EQ_MSG(test, cd->isr, 0, "%s", z->ctx);
			KUNIT_ASSERT_EQ_MSG(test, hdev->guest_features, 0, "%s", z->ctx);
			KUNIT_ASSERT_FALSE_MSG(test, cd->active, "%s", z->ctx);
			for (q = 0; q < TXN_VQS; q++)
				KUNIT_ASSERT_FALSE_MSG(test, hdev->vqs[q].ready,
						       "%s: queue %u", z->ctx, q);
			z->act_base = z->f->activated;
		}
		txn_check_state(z);
	}
	z->script_len = 0;
	KUNIT_ASSERT_EQ_MSG(test, hdev->status, 0xf, "%s: not recovered", z->ctx);
	KUNIT_ASSERT_EQ_MSG(test, z->f->activated - z->act_base, 1, "%s", z->ctx);
	KUNIT_ASSERT_TRUE_MSG(test, hvl_device_ready(hdev), "%s", z->ctx);
	for (q = 0; q < TXN_VQS; q++)
		KUNIT_ASSERT_TRUE_MSG(test, hdev->vqs[q].ready, "%s: queue %u", z->ctx, q);
}

/* The case: hvl_fuzz_inputs transactions, a recovery every TXN_BATCH. */
void hvl_fuzz_txn(struct kunit *test)
{
	struct txn_fuzz *z = kunit_kzalloc(test, sizeof(*z), GFP_KERNEL);
	unsigned long n;
	ktime_t t0;

	KUNIT_ASSERT_NOT_NULL(test, z);
	z->test = test;
	z->f = fake_new(test, true);
	z->cd = &z->f->cd;
	z->t = z->f->mem + PAGE_OFF + HVL_TXN_OFFSET;
	prandom_seed_state(&z->rnd, hvl_fuzz_seed);

	t0 = ktime_get();
	for (n = 0; n < hvl_fuzz_inputs; n++) {
		z->n = n;
		txn_input(z);
		if (n % TXN_BATCH == TXN_BATCH - 1)
			txn_recover(z);
		if (!(n & 1023))
			cond_resched();
	}
	hvl_fuzz_report(test, "txn", n, t0, z->refused);
	kunit_info(test, "txn: %lu inputs at DRIVER_OK, %lu with a live queue, %lu peer restarts, %lu repeated seqs\n",
		   z->deep, z->live, z->restarts, z->repeats);
	/* A fuzzer that never reached the deep states tests little. */
	if (hvl_fuzz_inputs >= 1000) {
		KUNIT_EXPECT_GT(test, z->deep, 0);
		KUNIT_EXPECT_GT(test, z->live, 0);
		KUNIT_EXPECT_GT(test, z->refused, 0);
	}
}
