/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kv_proto.h: the wire format of the sharded key-value example (kv_server,
 * kv_client). One request or reply per datagram, integers in network byte
 * order.
 *
 *   request: key[key_len] op:u8 pad:u8 vlen:u16 id:u32 value[vlen]
 *   reply:   status:u8 pad:u8 vlen:u16 id:u32 value[vlen]
 *
 * The key comes first so that the shard chunnel's key is "0:key_len" (both
 * ends must agree on key_len; default 8). A key shorter than key_len is
 * padded with zero bytes.
 */
#ifndef KV_PROTO_H
#define KV_PROTO_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define KV_KEY_LEN_DEFAULT	8
#define KV_KEY_LEN_MAX		16
#define KV_VALUE_MAX		4096
#define KV_FIRST_SHARD_PORT(p0)	((p0) + 1)

enum kv_op { KV_GET = 1, KV_PUT = 2, KV_DEL = 3 };

enum kv_status {
	KV_OK = 0,
	KV_NOT_FOUND = 1,
	KV_BAD_REQUEST = 2,
	KV_NO_MEMORY = 3,
};

struct kv_req_tail {		/* after the key */
	uint8_t op;
	uint8_t pad;
	uint16_t vlen;
	uint32_t id;
} __attribute__((packed));

struct kv_reply_hdr {
	uint8_t status;
	uint8_t pad;
	uint16_t vlen;
	uint32_t id;
} __attribute__((packed));

#define KV_REQ_MAX	(KV_KEY_LEN_MAX + sizeof(struct kv_req_tail) + KV_VALUE_MAX)
#define KV_REPLY_MAX	(sizeof(struct kv_reply_hdr) + KV_VALUE_MAX)

/* Build a request in @buf (KV_REQ_MAX bytes); its length. */
static inline size_t kv_req_build(uint8_t *buf, const uint8_t *key, size_t key_len,
				  enum kv_op op, uint32_t id, const void *value,
				  uint16_t vlen)
{
	struct kv_req_tail t = { .op = op, .vlen = htons(vlen), .id = htonl(id) };

	memcpy(buf, key, key_len);
	memcpy(buf + key_len, &t, sizeof(t));
	if (vlen)
		memcpy(buf + key_len + sizeof(t), value, vlen);
	return key_len + sizeof(t) + vlen;
}

/* Read a reply of @len bytes: 0, or -1 when malformed. */
static inline int kv_reply_parse(const uint8_t *buf, size_t len, struct kv_reply_hdr *h,
				 const uint8_t **value)
{
	if (len < sizeof(*h))
		return -1;
	memcpy(h, buf, sizeof(*h));
	h->vlen = ntohs(h->vlen);
	h->id = ntohl(h->id);
	if (len != sizeof(*h) + h->vlen)
		return -1;
	*value = buf + sizeof(*h);
	return 0;
}

/* The shard DAG of a server whose shards are at ports first..first+n-1,
 * with the kernel's reliable delivery after the shard when @reliable.
 */
static inline int kv_shard_dag(char *buf, size_t len, unsigned int first, unsigned int n,
			       unsigned int key_len, int reliable)
{
	size_t off = 0;
	unsigned int i;
	int w;

	w = snprintf(buf, len, "shard(ports=");
	if (w < 0 || (size_t)w >= len)
		return -1;
	off = w;
	for (i = 0; i < n; i++) {
		w = snprintf(buf + off, len - off, "%s%u", i ? "," : "", first + i);
		if (w < 0 || (size_t)w >= len - off)
			return -1;
		off += w;
	}
	w = snprintf(buf + off, len - off, ", key=0:%u)%s", key_len,
		     reliable ? " |> reliable" : "");
	return w < 0 || (size_t)w >= len - off ? -1 : 0;
}

#endif /* KV_PROTO_H */
