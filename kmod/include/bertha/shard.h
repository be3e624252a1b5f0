/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shard chunnel's hash: the one definition that bertha.ko (server
 * fallback, client push) and the XDP program share, so that a message
 * lands on the same shard whichever implementation steers it.
 *
 * The key is LEN bytes at offset OFF of the message (the bytes after the
 * 8-byte bertha header). A message shorter than OFF + LEN goes to shard 0.
 */
#ifndef _BERTHA_SHARD_H
#define _BERTHA_SHARD_H

#include <linux/types.h>

/* Most shard ports one group has. */
#define BERTHA_SHARD_MAX	16

/* Longest key, in bytes. */
#define BERTHA_SHARD_KEY_MAX	16

/**
 * bertha_shard_hash() - FNV-1a, 32 bits, of a key
 * @key: the key bytes
 * @len: their number, at most %BERTHA_SHARD_KEY_MAX
 *
 * Return: the hash.
 */
static inline __u32 bertha_shard_hash(const __u8 *key, __u32 len)
{
	__u32 hash = 0x811c9dc5;
	__u32 i;

	for (i = 0; i < len && i < BERTHA_SHARD_KEY_MAX; i++) {
		hash ^= key[i];
		hash *= 0x01000193;
	}
	return hash;
}

/**
 * bertha_shard_index() - the shard a hash selects
 * @hash: bertha_shard_hash() of the key
 * @nshards: how many shards, 1 to %BERTHA_SHARD_MAX
 *
 * Return: the shard's index, 0 to @nshards - 1.
 */
static inline __u32 bertha_shard_index(__u32 hash, __u32 nshards)
{
	return hash % nshards;
}

#endif /* _BERTHA_SHARD_H */
