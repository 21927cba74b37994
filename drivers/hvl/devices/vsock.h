/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvl_vsock internals shared with its KUnit suite: the checks on packets
 * from the peer, the copy of packets into the peer's buffers, and the
 * device's poll on rings the suite lays out.
 */
#ifndef _HVL_VSOCK_H
#define _HVL_VSOCK_H

#include <linux/hvl.h>
#include <linux/skbuff.h>
#include <linux/virtio_vsock.h>

enum hvl_vsock_verdict {
	HVL_VSOCK_OK,
	HVL_VSOCK_BAD_BUFFER,	/* chain too short, too long, or writable */
	HVL_VSOCK_BAD_LEN,	/* hdr.len beyond the buffer */
	HVL_VSOCK_BAD_SRC_CID,	/* not the peer's CID */
	HVL_VSOCK_BAD_DST_CID,	/* not VMADDR_CID_HOST */
	HVL_VSOCK_BAD_TYPE,	/* neither stream nor seqpacket */
	HVL_VSOCK_BAD_OP,	/* unknown operation */
	HVL_VSOCK_NO_MEMORY,
	HVL_VSOCK_NR_VERDICTS
};

const char *hvl_vsock_verdict_name(enum hvl_vsock_verdict v);
enum hvl_vsock_verdict hvl_vsock_check_hdr(const struct virtio_vsock_hdr *hdr,
					   size_t buf_len, u32 peer_cid);
struct sk_buff *hvl_vsock_skb_from_chain(const struct hvl_chain *c, u32 peer_cid,
					 enum hvl_vsock_verdict *verdict);
ssize_t hvl_vsock_fill(struct sk_buff *skb, const struct hvl_chain *c);

#if IS_ENABLED(CONFIG_KUNIT)
/* Seams for the KUnit suite (vsock.c): the device's poll on test rings. */
bool hvl_vsock_poll(struct hvl_device *hdev, int budget);
int hvl_vsock_kunit_add(struct hvl_device *hdev, u32 cid);
void hvl_vsock_kunit_del(struct hvl_device *hdev);
void hvl_vsock_kunit_counts(struct hvl_device *hdev,
			    u64 bad[HVL_VSOCK_NR_VERDICTS], u64 *delivered);
#endif

#endif /* _HVL_VSOCK_H */
