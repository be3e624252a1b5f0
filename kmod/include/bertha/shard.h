/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ``shard`` chunnel's steering rule: which shard of a listener a DATA
 * message belongs to. One definition for bertha.ko's fallback, the XDP
 * program (bpf/shard_steer.bpf.c) and userspace, so that every
 * implementation sends a message to the same shard.
 *
 * The rule, for a listener with nshards shards and a key of key_len bytes
 * at key_off in the application message:
 *
 * - Only DATA datagrams without FIN carry a message. The message starts
 *   after the 8-byte wire header, or after the 4-byte sequence number
 *   that follows it when the SEQ flag is set (bertha_shard_msg_offset()).
 * - The key is message bytes [key_off, key_off + key_len); its shard is
 *   bertha_shard_index(bertha_shard_hash(key, key_len), nshards), the
 *   32-bit FNV-1a hash modulo the shard count.
 * - A message shorter than key_off + key_len has no key. The XDP program
 *   leaves it to the kernel (passed to the canonical port and counted),
 *   and the kernel puts it on shard 0 (bertha_shard_pick()).
 *
 * Only <linux/types.h> types, no kernel-only headers: the BPF program and
 * userspace include this file as it is.
 */
#ifndef _BERTHA_SHARD_H
#define _BERTHA_SHARD_H

#include <linux/types.h>

/* Most shards behind one listener (the XDP map's port array). */
#define BERTHA_SHARD_MAX	16
/* Longest key in bytes (bounds the XDP program's hash loop). */
#define BERTHA_SHARD_KEY_MAX	16

/* FNV-1a, 32 bit: offset basis and prime. */
#define BERTHA_SHARD_FNV_BASIS	0x811c9dc5U
#define BERTHA_SHARD_FNV_PRIME	0x01000193U

/*
 * The wire header fields the rule reads (kmod/wire.h has the header;
 * this file cannot include it, it uses kernel-only types).
 */
#define BERTHA_SHARD_WIRE_VERSION	2
#define BERTHA_SHARD_WIRE_DATA		4
#define BERTHA_SHARD_WIRE_TYPE_MAX	8
#define BERTHA_SHARD_WIRE_F_SEQ		0x0001
#define BERTHA_SHARD_WIRE_F_FIN		0x0002
#define BERTHA_SHARD_HDR_LEN		8
#define BERTHA_SHARD_SEQ_LEN		4

/* bertha_shard_msg_offset(): a datagram without a message to steer. */
#define BERTHA_SHARD_NOT_DATA	(-1)
/* bertha_shard_msg_offset(): not a bertha datagram the kernel accepts. */
#define BERTHA_SHARD_MALFORMED	(-2)

/**
 * bertha_shard_fnv1a_step() - fold one byte into an FNV-1a hash
 * @hash: the hash so far (%BERTHA_SHARD_FNV_BASIS to start)
 * @byte: the next key byte
 *
 * The XDP program hashes byte by byte with this, so that its loop and
 * bertha_shard_hash() cannot differ.
 *
 * Return: the hash including @byte.
 */
static inline __u32 bertha_shard_fnv1a_step(__u32 hash, __u8 byte)
{
	return (hash ^ byte) * BERTHA_SHARD_FNV_PRIME;
}

/**
 * bertha_shard_hash() - the 32-bit FNV-1a hash of a key
 * @key: the key bytes
 * @len: their number
 *
 * Return: the hash (%BERTHA_SHARD_FNV_BASIS for an empty key).
 */
static inline __u32 bertha_shard_hash(const void *key, __u32 len)
{
	const __u8 *p = (const __u8 *)key;
	__u32 hash = BERTHA_SHARD_FNV_BASIS;
	__u32 i;

	for (i = 0; i < len; i++)
		hash = bertha_shard_fnv1a_step(hash, p[i]);
	return hash;
}

/**
 * bertha_shard_index() - the shard a hash selects
 * @hash: bertha_shard_hash() of the key
 * @nshards: the listener's shard count, 1 to %BERTHA_SHARD_MAX
 *
 * Return: the shard, 0 to @nshards - 1 (0 if @nshards is 0).
 */
static inline __u32 bertha_shard_index(__u32 hash, __u32 nshards)
{
	return nshards ? hash % nshards : 0;
}

/**
 * bertha_shard_msg_offset() - where the application message starts
 * @payload: the UDP payload, a bertha datagram
 * @len: the UDP payload's length
 *
 * Reads at most the first %BERTHA_SHARD_HDR_LEN + %BERTHA_SHARD_SEQ_LEN
 * bytes of @payload, and none beyond @len. Malformed means what the
 * kernel's receive path drops: shorter than the header, another version,
 * type 0 or above %BERTHA_SHARD_WIRE_TYPE_MAX, or a SEQ flag without room
 * for the sequence number. Unknown flags are ignored, as the kernel does.
 *
 * Return: the message's offset in @payload (8, or 12 with SEQ);
 * %BERTHA_SHARD_NOT_DATA for a valid datagram that carries no message to
 * steer (a control type, or DATA with FIN); %BERTHA_SHARD_MALFORMED.
 */
static inline int bertha_shard_msg_offset(const void *payload, __u32 len)
{
	const __u8 *p = (const __u8 *)payload;
	__u16 flags;

	if (len < BERTHA_SHARD_HDR_LEN || p[0] != BERTHA_SHARD_WIRE_VERSION ||
	    !p[1] || p[1] > BERTHA_SHARD_WIRE_TYPE_MAX)
		return BERTHA_SHARD_MALFORMED;
	if (p[1] != BERTHA_SHARD_WIRE_DATA)
		return BERTHA_SHARD_NOT_DATA;
	flags = (__u16)(p[2] << 8 | p[3]);
	if (!(flags & BERTHA_SHARD_WIRE_F_SEQ))
		return flags & BERTHA_SHARD_WIRE_F_FIN ? BERTHA_SHARD_NOT_DATA :
							 BERTHA_SHARD_HDR_LEN;
	if (len < BERTHA_SHARD_HDR_LEN + BERTHA_SHARD_SEQ_LEN)
		return BERTHA_SHARD_MALFORMED;
	if (flags & BERTHA_SHARD_WIRE_F_FIN)
		return BERTHA_SHARD_NOT_DATA;
	return BERTHA_SHARD_HDR_LEN + BERTHA_SHARD_SEQ_LEN;
}

/**
 * bertha_shard_has_key() - whether a message is long enough for its key
 * @msg_len: the application message's length
 * @key_off: the key's offset in the message
 * @key_len: the key's length
 *
 * Return: true if bytes [@key_off, @key_off + @key_len) are in the message.
 */
static inline int bertha_shard_has_key(__u32 msg_len, __u32 key_off,
				       __u32 key_len)
{
	/* 64-bit sum: key_off near U32_MAX must not wrap into "fits" */
	return (__u64)key_off + key_len <= msg_len;
}

/**
 * bertha_shard_pick() - the shard of a message, with the short-key rule
 * @msg: the application message
 * @msg_len: its length
 * @key_off: the key's offset in the message
 * @key_len: the key's length, at most %BERTHA_SHARD_KEY_MAX
 * @nshards: the listener's shard count
 *
 * Return: the shard for @msg; 0 when the message is too short for its key.
 */
static inline __u32 bertha_shard_pick(const void *msg, __u32 msg_len,
				      __u32 key_off, __u32 key_len,
				      __u32 nshards)
{
	if (!bertha_shard_has_key(msg_len, key_off, key_len))
		return 0;
	return bertha_shard_index(bertha_shard_hash((const __u8 *)msg + key_off,
						    key_len), nshards);
}

#endif /* _BERTHA_SHARD_H */
