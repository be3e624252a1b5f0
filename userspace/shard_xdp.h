/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shard_xdp: load and drive the shard steering XDP program
 * (bpf/shard_steer.bpf.c) through its libbpf skeleton. For berthactl's
 * daemon and the selftests; link with shard_xdp.o and libbpf.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure, as libbpf does. One handle holds one loaded program with its
 * maps and may attach it to several interfaces; the listeners and the
 * counters are shared by all of them.
 */
#ifndef BERTHA_SHARD_XDP_H
#define BERTHA_SHARD_XDP_H

#include <netinet/in.h>
#include <stdint.h>

#include <bertha/shard.h>

/* Interfaces one handle attaches to. */
#define SHARD_XDP_IFACES_MAX	16

/**
 * enum shard_xdp_mode - where the program runs on an interface
 * @SHARD_XDP_MODE_AUTO: native if the driver can, generic otherwise
 *	(only as a request)
 * @SHARD_XDP_MODE_NATIVE: in the driver, before an skb exists
 * @SHARD_XDP_MODE_GENERIC: on the skb, in the core receive path
 */
enum shard_xdp_mode {
	SHARD_XDP_MODE_AUTO,
	SHARD_XDP_MODE_NATIVE,
	SHARD_XDP_MODE_GENERIC,
};

/**
 * struct shard_xdp_listener - one sharded listener to steer for
 * @family: AF_INET or AF_INET6
 * @addr: canonical address; all zero: every address of @family without
 *	an entry of its own
 * @port: canonical UDP port, host byte order
 * @nshards: shard count, 1 to %BERTHA_SHARD_MAX
 * @key_off: key offset in the application message, 0 to 65535
 * @key_len: key length, 1 to %BERTHA_SHARD_KEY_MAX
 * @ports: UDP port of each shard, host byte order, none 0
 */
struct shard_xdp_listener {
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	uint16_t port;
	uint16_t nshards;
	uint32_t key_off;
	uint32_t key_len;
	uint16_t ports[BERTHA_SHARD_MAX];
};

/**
 * struct shard_xdp_counters - the program's counters, summed over CPUs
 * @steered: DATA moved to a shard's port
 * @passed_control: control or FIN datagrams passed to the canonical port
 * @passed_short: DATA too short for the key, passed to the canonical port
 * @dropped_malformed: datagrams to a listener bertha would drop, dropped
 * @passed_other: UDP not for a listener, IPv4 fragments, bad entries
 */
struct shard_xdp_counters {
	uint64_t steered;
	uint64_t passed_control;
	uint64_t passed_short;
	uint64_t dropped_malformed;
	uint64_t passed_other;
};

struct shard_xdp;

/* Open and load the program (verifier included). NULL with errno set. */
struct shard_xdp *shard_xdp_open(void);

/*
 * Attach to interface IFINDEX of the caller's network namespace through a
 * BPF link (it detaches when the handle is destroyed or the process
 * exits). MODE_AUTO tries native and falls back to generic when the
 * driver has no native XDP. *GOT (may be NULL) says which mode it is.
 */
int shard_xdp_attach(struct shard_xdp *sx, int ifindex, enum shard_xdp_mode want,
		     enum shard_xdp_mode *got);

/* Detach from IFINDEX; -ENOENT if not attached there. */
int shard_xdp_detach(struct shard_xdp *sx, int ifindex);

/* Add a listener, or replace the entry of its address and port. */
int shard_xdp_listener_add(struct shard_xdp *sx, const struct shard_xdp_listener *l);

/* Remove the listener FAMILY ADDR (in_addr or in6_addr) PORT (host order). */
int shard_xdp_listener_del(struct shard_xdp *sx, int family, const void *addr,
			   uint16_t port);

/* The counters, summed over the possible CPUs. */
int shard_xdp_counters_read(struct shard_xdp *sx, struct shard_xdp_counters *c);

/* Detach everywhere, unload, free. NULL is allowed. */
void shard_xdp_destroy(struct shard_xdp *sx);

/* "native", "generic" or "auto". */
const char *shard_xdp_mode_name(enum shard_xdp_mode mode);

#endif /* BERTHA_SHARD_XDP_H */
