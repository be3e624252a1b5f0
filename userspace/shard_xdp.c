// SPDX-License-Identifier: GPL-2.0
/*
 * shard_xdp: the loader of the shard steering XDP program; see shard_xdp.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "shard_xdp.h"
#include "shard_steer.h"
#include "shard_steer.skel.h"

struct shard_xdp_iface {
	int ifindex;
	int link_fd;
	enum shard_xdp_mode mode;
};

struct shard_xdp {
	struct shard_steer_bpf *skel;
	struct shard_xdp_iface iface[SHARD_XDP_IFACES_MAX];
};

struct shard_xdp *shard_xdp_open(void)
{
	struct shard_xdp *sx = calloc(1, sizeof(*sx));
	int i;

	if (!sx)
		return NULL;
	for (i = 0; i < SHARD_XDP_IFACES_MAX; i++)
		sx->iface[i].link_fd = -1;
	sx->skel = shard_steer_bpf__open_and_load();
	if (!sx->skel) {
		int err = errno;

		free(sx);
		errno = err;
		return NULL;
	}
	return sx;
}

static struct shard_xdp_iface *iface_find(struct shard_xdp *sx, int ifindex)
{
	int i;

	for (i = 0; i < SHARD_XDP_IFACES_MAX; i++)
		if (sx->iface[i].link_fd >= 0 && sx->iface[i].ifindex == ifindex)
			return &sx->iface[i];
	return NULL;
}

static int link_xdp(struct shard_xdp *sx, int ifindex, __u32 mode_flag)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = mode_flag);
	int fd = bpf_link_create(bpf_program__fd(sx->skel->progs.shard_steer),
				 ifindex, BPF_XDP, &opts);

	return fd < 0 ? -errno : fd;
}

int shard_xdp_attach(struct shard_xdp *sx, int ifindex, enum shard_xdp_mode want,
		     enum shard_xdp_mode *got)
{
	struct shard_xdp_iface *slot = NULL;
	enum shard_xdp_mode mode;
	int i, fd;

	if (iface_find(sx, ifindex))
		return -EEXIST;
	for (i = 0; i < SHARD_XDP_IFACES_MAX && !slot; i++)
		if (sx->iface[i].link_fd < 0)
			slot = &sx->iface[i];
	if (!slot)
		return -ENOSPC;

	mode = want == SHARD_XDP_MODE_GENERIC ? SHARD_XDP_MODE_GENERIC :
						SHARD_XDP_MODE_NATIVE;
	fd = link_xdp(sx, ifindex, mode == SHARD_XDP_MODE_NATIVE ?
			XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE);
	/* the kernel's answer for a driver without ndo_bpf */
	if (fd == -EOPNOTSUPP && want == SHARD_XDP_MODE_AUTO) {
		mode = SHARD_XDP_MODE_GENERIC;
		fd = link_xdp(sx, ifindex, XDP_FLAGS_SKB_MODE);
	}
	if (fd < 0)
		return fd;
	slot->ifindex = ifindex;
	slot->link_fd = fd;
	slot->mode = mode;
	if (got)
		*got = mode;
	return 0;
}

int shard_xdp_detach(struct shard_xdp *sx, int ifindex)
{
	struct shard_xdp_iface *it = iface_find(sx, ifindex);

	if (!it)
		return -ENOENT;
	/* the last reference to a BPF link: the program leaves the device */
	close(it->link_fd);
	it->link_fd = -1;
	return 0;
}

static int listener_key(struct shard_steer_key *k, int family, const void *addr,
			uint16_t port)
{
	memset(k, 0, sizeof(*k));
	switch (family) {
	case AF_INET:
		k->ipver = 4;
		memcpy(k->addr, addr, sizeof(struct in_addr));
		break;
	case AF_INET6:
		k->ipver = 6;
		memcpy(k->addr, addr, sizeof(struct in6_addr));
		break;
	default:
		return -EAFNOSUPPORT;
	}
	k->port = htons(port);
	return 0;
}

int shard_xdp_listener_add(struct shard_xdp *sx, const struct shard_xdp_listener *l)
{
	struct shard_steer_conf conf = { 0 };
	struct shard_steer_key key;
	int err, i;

	err = listener_key(&key, l->family, &l->addr, l->port);
	if (err)
		return err;
	if (!l->port || l->nshards < 1 || l->nshards > BERTHA_SHARD_MAX ||
	    l->key_len < 1 || l->key_len > BERTHA_SHARD_KEY_MAX ||
	    l->key_off > UINT16_MAX)
		return -EINVAL;
	conf.nshards = l->nshards;
	conf.key_off = l->key_off;
	conf.key_len = l->key_len;
	for (i = 0; i < l->nshards; i++) {
		if (!l->ports[i])
			return -EINVAL;
		conf.ports[i] = htons(l->ports[i]);
	}
	err = bpf_map__update_elem(sx->skel->maps.listeners, &key, sizeof(key),
				   &conf, sizeof(conf), BPF_ANY);
	return err < 0 ? -errno : 0;
}

int shard_xdp_listener_del(struct shard_xdp *sx, int family, const void *addr,
			   uint16_t port)
{
	struct shard_steer_key key;
	int err = listener_key(&key, family, addr, port);

	if (err)
		return err;
	err = bpf_map__delete_elem(sx->skel->maps.listeners, &key, sizeof(key), 0);
	return err < 0 ? -errno : 0;
}

int shard_xdp_counters_read(struct shard_xdp *sx, struct shard_xdp_counters *c)
{
	uint64_t sum[SHARD_STEER_NR_COUNTERS] = { 0 }, *per_cpu;
	int ncpus = libbpf_num_possible_cpus(), cpu, err = 0;
	__u32 i;

	if (ncpus < 0)
		return ncpus;
	per_cpu = calloc(ncpus, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	for (i = 0; i < SHARD_STEER_NR_COUNTERS && !err; i++) {
		if (bpf_map__lookup_elem(sx->skel->maps.counters, &i, sizeof(i),
					 per_cpu, ncpus * sizeof(*per_cpu), 0) < 0) {
			err = -errno;
			break;
		}
		for (cpu = 0; cpu < ncpus; cpu++)
			sum[i] += per_cpu[cpu];
	}
	free(per_cpu);
	if (err)
		return err;
	c->steered = sum[SHARD_STEER_STEERED];
	c->passed_control = sum[SHARD_STEER_PASS_CONTROL];
	c->passed_short = sum[SHARD_STEER_PASS_SHORT];
	c->dropped_malformed = sum[SHARD_STEER_DROP_MALFORMED];
	c->passed_other = sum[SHARD_STEER_PASS_OTHER];
	return 0;
}

void shard_xdp_destroy(struct shard_xdp *sx)
{
	int i;

	if (!sx)
		return;
	for (i = 0; i < SHARD_XDP_IFACES_MAX; i++)
		if (sx->iface[i].link_fd >= 0)
			close(sx->iface[i].link_fd);
	shard_steer_bpf__destroy(sx->skel);
	free(sx);
}

const char *shard_xdp_mode_name(enum shard_xdp_mode mode)
{
	switch (mode) {
	case SHARD_XDP_MODE_NATIVE:
		return "native";
	case SHARD_XDP_MODE_GENERIC:
		return "generic";
	default:
		return "auto";
	}
}
