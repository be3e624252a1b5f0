/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shard XDP offload of `berthactl daemon`: turns the kernel's setup
 * and teardown requests for the implementation shard/xdp into entries of
 * the XDP program's listener table (shard_xdp.h). One entry per canonical
 * address, shared by the connections set up on it.
 */
#ifndef BERTHA_SHARD_OFFLOAD_H
#define BERTHA_SHARD_OFFLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "shard_xdp.h"

struct shard_offload;

/* Load the XDP program; NULL with errno set. */
struct shard_offload *shard_offload_open(void);

/* Attach to IFINDEX (0 or -errno); *got says how it went. */
int shard_offload_attach(struct shard_offload *so, int ifindex,
			 enum shard_xdp_mode want, enum shard_xdp_mode *got);

/*
 * Setup request ID for a listener at FAMILY ADDR (in_addr or in6_addr)
 * PORT (host order) whose DAG blob is DAG: steer its shard node's
 * messages. 0, or -errno with the reason in WHY.
 */
int shard_offload_setup(struct shard_offload *so, uint32_t id, const void *dag,
			size_t dag_len, int family, const void *addr, uint16_t port,
			char *why, size_t whylen);

/* Teardown of setup request ID: the last one of a listener removes it. */
void shard_offload_teardown(struct shard_offload *so, uint32_t id);

/* The program's counters. */
int shard_offload_counters(struct shard_offload *so, struct shard_xdp_counters *c);

/* Detach everything and free. */
void shard_offload_close(struct shard_offload *so);

/*
 * The shard node of a DAG blob (the first one, depth first): its listener
 * table entry, address and port left to the caller. 0, or -EINVAL with
 * the reason in WHY (no shard node, bad arguments).
 */
int shard_offload_parse(const void *dag, size_t dag_len, struct shard_xdp_listener *l,
			char *why, size_t whylen);

#endif
