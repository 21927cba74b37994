/* SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause) */
/*
 * hvl: hypervisor-less virtio, shared-memory wire format.
 *
 * One header for everything that crosses the window between the device
 * side (Linux, hvl_core and its backends) and the driver side (the peer:
 * an RTOS, a bare-metal image, or Linux with hvl_front).  Both sides may be
 * built from this file; it depends on nothing but the fixed-size
 * little-endian types.  Documentation/hvl/protocol.rst is the normative
 * description; this header must match it.
 *
 * Layout of a window (all offsets relative to the base of the first
 * memory region, "region 0"):
 *
 *   0x0000  struct hvl_win_hdr + device table     (one 4 KiB page)
 *   ...     one 4 KiB register page per device     (offsets in the table)
 *
 *   A register page:
 *   0x000   virtio-mmio version 2 register image   (VIRTIO_MMIO_* offsets
 *           from <uapi/linux/virtio_mmio.h>); written by the device only
 *   0x100   device configuration space             (HVL_CONFIG_SIZE bytes)
 *   0xf00   struct hvl_txn: register-write transactions
 *
 * Rings and buffers live anywhere in the window's regions; the driver
 * publishes them as remote bus addresses which the device translates and
 * bounds-checks.
 */
#ifndef _LINUX_HVL_ABI_H
#define _LINUX_HVL_ABI_H

#include <linux/build_bug.h>
#include <linux/types.h>

#define HVL_WIN_MAGIC		0x574c5648	/* "HVLW" in memory */
#define HVL_WIN_VERSION		2
/* The oldest a driver side of this version accepts (protocol.rst). */
#define HVL_WIN_VERSION_MIN	1
#define HVL_PAGE_SIZE		4096u
#define HVL_HDR_SIZE		64u
#define HVL_MAX_DEVICES		((HVL_PAGE_SIZE - HVL_HDR_SIZE) / 32u)

/* Value of the VendorID register of every hvl device ("HVL"). */
#define HVL_VENDOR_ID		0x004c5648

/* Register page layout. */
#define HVL_REGS_SIZE		0x100u
#define HVL_CONFIG_OFFSET	0x100u
#define HVL_CONFIG_SIZE		0xe00u
#define HVL_TXN_OFFSET		0xf00u

/* Largest queue a device may advertise in QueueNumMax. */
#define HVL_QUEUE_MAX		32768u
/* Most queues a device may have. */
#define HVL_MAX_QUEUES		64u

/* host_state / peer_state. */
enum hvl_state {
	HVL_STATE_OFFLINE	= 0,	/* side absent or shutting down */
	HVL_STATE_INIT		= 1,	/* side is (re)initialising */
	HVL_STATE_READY		= 2,	/* side serves the window */
};

/**
 * struct hvl_win_hdr - first bytes of a window
 * @magic:	HVL_WIN_MAGIC, written last by the device side at init
 * @version:	HVL_WIN_VERSION
 * @hdr_size:	HVL_HDR_SIZE; the device table starts here
 * @host_state:	enum hvl_state of the device side; device side writes only
 * @host_gen:	incremented by the device side on every (re)initialisation
 *		of the window, and when it gives up a silent peer; a driver
 *		that sees it change must rescan and re-initialise all its
 *		devices
 * @peer_state:	enum hvl_state of the driver side; driver side writes only
 * @peer_gen:	incremented by the driver side on every (re)start; the
 *		device side resets every device when it changes
 * @host_beat:	incremented by the device side at least every 500 ms
 *		while READY; a driver side that saw it move may declare
 *		the device side dead once it stops (protocol.rst, Liveness)
 * @peer_beat:	incremented by the driver side while it runs (ditto)
 * @num_devices: entries in the device table, at most HVL_MAX_DEVICES;
 *		fixed for a host_gen, as are their offsets and sizes
 * @table_gen:	incremented by the device side after an entry's @gen moved
 *		(a backend bound or unbound): a driver that sees it change
 *		rescans the table and replaces the devices of the entries
 *		whose @gen or @device_id changed, and only those
 * @reserved:	zero
 */
struct hvl_win_hdr {
	__le32 magic;
	__le16 version;
	__le16 hdr_size;
	__le32 host_state;
	__le32 host_gen;
	__le32 peer_state;
	__le32 peer_gen;
	__le32 host_beat;
	__le32 peer_beat;
	__le32 num_devices;
	__le32 table_gen;
	__le32 reserved[6];
} __packed;

/**
 * struct hvl_dev_entry - one device table entry (follows the header)
 * @device_id:	virtio device ID served at @offset; 0 while no backend is
 *		bound (the register page then reads DeviceID 0 as well)
 * @flags:	zero
 * @offset:	offset of the register page from the window base; 4 KiB
 *		aligned, inside region 0
 * @size:	size of the device's area starting at @offset; the bytes
 *		after the register page are free for the driver's rings
 * @gen:	incremented by the device side with every write of
 *		@device_id, before table_gen: a device set up in another
 *		@gen is no longer served, even if @device_id reads the same
 *		(unbound and bound again)
 * @reserved:	zero
 */
struct hvl_dev_entry {
	__le32 device_id;
	__le32 flags;
	__le64 offset;
	__le64 size;
	__le32 gen;
	__le32 reserved;
} __packed;

/*
 * Register-write transactions.  Nobody traps accesses to the register
 * page, so a driver-side write is a message: the driver stores @offset,
 * @width and @value, then increments @seq (release), then rings the
 * doorbell and waits until @ack_seq equals @seq (acquire).  The device
 * then has applied the write and refreshed every register image that
 * depends on it (the selected DeviceFeatures word, QueueNumMax and the
 * rest of the selected queue, Status, InterruptStatus, ConfigGeneration).
 * One transaction per device is in flight at a time.  Reads are plain
 * loads from the image.
 *
 * @offset is a register offset (VIRTIO_MMIO_*, width 4) or a config-space
 * offset >= HVL_CONFIG_OFFSET (width 1, 2 or 4).  QueueNotify is not a
 * transaction: notifications are doorbells, see the protocol document.
 */
struct hvl_txn {
	__le32 seq;		/* driver writes */
	__le32 offset;		/* driver writes */
	__le32 width;		/* driver writes: 1, 2 or 4 */
	__le32 value;		/* driver writes */
	__le32 ack_seq;		/* device writes */
	__le32 ack_status;	/* device writes: enum hvl_txn_status */
	__le32 reserved[2];
} __packed;

enum hvl_txn_status {
	HVL_TXN_OK	= 0,
	HVL_TXN_EINVAL	= 1,	/* bad offset, width or read-only register */
	HVL_TXN_EFAULT	= 2,	/* an address outside the window */
	HVL_TXN_ESTATE	= 3,	/* not allowed in the current device status */
};

static_assert(sizeof(struct hvl_win_hdr) == HVL_HDR_SIZE);
static_assert(sizeof(struct hvl_dev_entry) == 32);
static_assert(sizeof(struct hvl_txn) == 32);
static_assert(HVL_CONFIG_OFFSET + HVL_CONFIG_SIZE == HVL_TXN_OFFSET);

#endif /* _LINUX_HVL_ABI_H */
