/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps of the shard steering XDP program (shard_steer.bpf.c), shared
 * with its loader (userspace/shard_xdp.c). Only <linux/types.h> types.
 */
#ifndef _BERTHA_SHARD_STEER_H
#define _BERTHA_SHARD_STEER_H

#include <linux/types.h>

#include <bertha/shard.h>

/* Listeners one program steers for (entries of the listeners map). */
#define SHARD_STEER_LISTENERS_MAX	256

/**
 * struct shard_steer_key - a canonical listener address: listeners map key
 * @addr: destination IPv6 address, or IPv4 address in the first 4 bytes
 *	with the other 12 zero; all zero: any address of that family
 * @port: canonical UDP port, network byte order
 * @ipver: 4 or 6
 * @pad: zero
 */
struct shard_steer_key {
	__u8 addr[16];
	__be16 port;
	__u8 ipver;
	__u8 pad;
};

/**
 * struct shard_steer_conf - how one listener shards: listeners map value
 * @nshards: shard count, 1 to %BERTHA_SHARD_MAX
 * @key_off: key offset in the application message
 * @key_len: key length, 1 to %BERTHA_SHARD_KEY_MAX
 * @pad: zero
 * @ports: UDP port of each shard, network byte order
 */
struct shard_steer_conf {
	__u16 nshards;
	__u16 key_off;
	__u16 key_len;
	__u16 pad;
	__be16 ports[BERTHA_SHARD_MAX];
};

/**
 * enum shard_steer_counter - index of the per-CPU counters array
 * @SHARD_STEER_STEERED: DATA to a listener, moved to its shard's port
 * @SHARD_STEER_PASS_CONTROL: control or FIN to a listener, passed unchanged
 * @SHARD_STEER_PASS_SHORT: DATA to a listener whose message is shorter
 *	than the key's end, passed unchanged (the kernel picks shard 0)
 * @SHARD_STEER_DROP_MALFORMED: to a listener but not bertha the kernel
 *	accepts (short header, other version, unknown type), dropped
 * @SHARD_STEER_PASS_OTHER: UDP over IPv4 or IPv6 not for a configured
 *	listener, IPv4 fragments of UDP, or a listener entry that is not
 *	valid, passed unchanged
 * @SHARD_STEER_NR_COUNTERS: number of counters
 */
enum shard_steer_counter {
	SHARD_STEER_STEERED,
	SHARD_STEER_PASS_CONTROL,
	SHARD_STEER_PASS_SHORT,
	SHARD_STEER_DROP_MALFORMED,
	SHARD_STEER_PASS_OTHER,
	SHARD_STEER_NR_COUNTERS,
};

#endif /* _BERTHA_SHARD_STEER_H */
