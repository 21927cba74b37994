/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fake device for the suites that drive the register-transaction state
 * machine (core/txn.c): txn_kunit.c and fuzz_kunit.c's txn case.
 *
 * It sits in a kmalloc'd "window" of WIN_SIZE bytes at bus WIN_BUS: the
 * window header at 0, the register page at PAGE_OFF, rings from RING_OFF
 * on.  Two queues of at most 64 and 16 entries; 8 bytes of config space
 * of which byte 4 is writable; device-type features 0 and 2.  The fake
 * backend counts its activate(), reset() and config_write() calls, and
 * its activate() returns @activate_err.
 */
#ifndef _HVL_TXN_FAKE_H
#define _HVL_TXN_FAKE_H

#include <kunit/test.h>
#include <linux/hvl.h>
#include <linux/virtio_mmio.h>

#include "../core/core.h"

#define WIN_BUS		0x40000000ULL
#define WIN_SIZE	0x10000
#define PAGE_OFF	0x1000
#define RING_OFF	0x4000

struct fake {
	struct hvl_window win;
	struct hvl_region region;
	struct hvl_core_dev cd;
	struct hvl_driver drv;
	void *mem;
	u16 queue_max[2];
	int activated, resets, cfg_writes;
	int activate_err;	/* what activate() returns */
	bool ready_in_reset;
	bool restarted;		/* by restart_after_gen_read() */
	int runs;		/* by count_run() */
};

static inline struct fake *to_fake(struct hvl_device *hdev)
{
	return container_of(hdev, struct fake, cd.hdev);
}

static inline int fake_activate(struct hvl_device *hdev)
{
	to_fake(hdev)->activated++;
	return to_fake(hdev)->activate_err;
}

static inline void fake_reset(struct hvl_device *hdev)
{
	to_fake(hdev)->resets++;
	to_fake(hdev)->ready_in_reset = hvl_device_ready(hdev);
}

/* Byte 4 of config space is writable; the rest is read-only. */
static inline int fake_config_write(struct hvl_device *hdev,
				    unsigned int offset, unsigned int width,
				    u32 value)
{
	to_fake(hdev)->cfg_writes++;
	return offset == 4 && width == 1 ? 0 : -EINVAL;
}

/* A register of the image, as the peer reads it. */
static inline u32 reg(struct fake *f, unsigned int off)
{
	return le32_to_cpu(*(__le32 *)(f->mem + PAGE_OFF + off));
}

/* A register write applied directly, without the transaction block. */
static inline enum hvl_txn_status wr(struct fake *f, u32 off, u32 val)
{
	enum hvl_txn_status st;

	mutex_lock(&f->cd.lock);
	st = hvl_txn_write(&f->cd, off, 4, val);
	hvl_txn_publish(&f->cd);
	mutex_unlock(&f->cd.lock);
	return st;
}

static inline struct fake *fake_new(struct kunit *test, bool bind)
{
	struct fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct hvl_core_dev *cd;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->mem = kunit_kzalloc(test, WIN_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->mem);
	f->region = (struct hvl_region){ .bus = WIN_BUS, .size = WIN_SIZE,
					 .va = f->mem };
	f->win.xlate.nr = 1;
	f->win.xlate.regions = &f->region;
	f->win.hdr = f->mem;

	cd = &f->cd;
	mutex_init(&cd->lock);
	spin_lock_init(&cd->isr_lock);
	cd->hdev.win = &f->win;
	cd->hdev.device_id = 3;
	cd->dt_features = ~0ULL;
	f->queue_max[0] = 64;
	f->queue_max[1] = 16;
	cd->queue_max = f->queue_max;
	cd->hdev.vqs = kunit_kcalloc(test, 2, sizeof(*cd->hdev.vqs), GFP_KERNEL);
	cd->qregs = kunit_kcalloc(test, 2, sizeof(*cd->qregs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cd->hdev.vqs);
	KUNIT_ASSERT_NOT_NULL(test, cd->qregs);
	hvl_txn_init(cd, f->mem + PAGE_OFF, 2);

	f->drv.features = BIT_ULL(0) | BIT_ULL(2);
	f->drv.config_size = 8;
	f->drv.activate = fake_activate;
	f->drv.reset = fake_reset;
	f->drv.config_write = fake_config_write;
	cd->hdev.config_size = 8;
	if (bind) {
		mutex_lock(&cd->lock);
		hvl_txn_bind(cd, &f->drv);
		mutex_unlock(&cd->lock);
	}
	return f;
}

#endif /* _HVL_TXN_FAKE_H */
