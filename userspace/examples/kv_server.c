// SPDX-License-Identifier: GPL-2.0
/*
 * kv_server: a sharded key-value store over AF_BERTHA (the paper's §3.2
 * sharding server). A canonical SOCK_DGRAM socket at ADDR:PORT carries the
 * DAG shard(ports=P1..Pn, key=0:KEY_LEN) |> reliable; each shard i has its
 * own plain SOCK_DGRAM socket at ADDR:Pi, its own thread and its own hash
 * map, so shards share nothing. Replies go from the shard socket straight
 * to the client. With reliable (the default) the kernel delivers every
 * request and reply exactly once and in order per client: one sequence
 * space per client connection, whichever shard its messages reach, and
 * replies leave from ADDR:PORT. --no-reliable leaves reliable out of the
 * DAG (lost datagrams are then the client's to retry). Protocol:
 * kv_proto.h.
 *
 *   kv_server ADDR:PORT --shards N [--first-shard-port P] [--key-len L]
 *             [--no-reliable]
 *
 * Prints "ready" once every socket is bound; SIGINT or SIGTERM stops it,
 * after which it prints the requests each shard served.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "libbertha.h"
#include "kv_proto.h"

#define MAX_SHARDS	16
#define NBUCKETS	4096

struct entry {
	struct entry *next;
	uint16_t vlen;
	uint8_t key[KV_KEY_LEN_MAX];
	uint8_t value[];
};

struct shard {
	int fd;
	unsigned int index;
	pthread_t thread;
	struct entry *buckets[NBUCKETS];
	unsigned long long served, bad;
};

static unsigned int key_len = KV_KEY_LEN_DEFAULT;
static volatile sig_atomic_t stopping;

static uint32_t key_hash(const uint8_t *key)
{
	uint32_t h = 2166136261u;
	unsigned int i;

	for (i = 0; i < key_len; i++)
		h = (h ^ key[i]) * 16777619u;
	return h;
}

static struct entry **lookup(struct shard *s, const uint8_t *key)
{
	struct entry **e = &s->buckets[(key_hash(key) >> 4) % NBUCKETS];

	while (*e && memcmp((*e)->key, key, key_len))
		e = &(*e)->next;
	return e;
}

/* Apply one request; the reply's status, value in @out/@olen. */
static uint8_t apply(struct shard *s, const uint8_t *req, size_t len,
		     struct kv_req_tail *t, const uint8_t **out, uint16_t *olen)
{
	const uint8_t *key = req, *value = req + key_len + sizeof(*t);
	struct entry **pe, *e;

	*olen = 0;
	if (len < key_len + sizeof(*t))
		return KV_BAD_REQUEST;
	memcpy(t, req + key_len, sizeof(*t));
	t->vlen = ntohs(t->vlen);
	t->id = ntohl(t->id);
	if (len != key_len + sizeof(*t) + t->vlen || t->vlen > KV_VALUE_MAX)
		return KV_BAD_REQUEST;
	pe = lookup(s, key);
	e = *pe;
	switch (t->op) {
	case KV_GET:
		if (!e)
			return KV_NOT_FOUND;
		*out = e->value;
		*olen = e->vlen;
		return KV_OK;
	case KV_PUT:
		if (!e || e->vlen != t->vlen) {
			struct entry *n = malloc(sizeof(*n) + t->vlen);

			if (!n)
				return KV_NO_MEMORY;
			memset(n->key, 0, sizeof(n->key));
			memcpy(n->key, key, key_len);
			n->next = e ? e->next : NULL;
			free(e);
			*pe = e = n;
		}
		e->vlen = t->vlen;
		memcpy(e->value, value, t->vlen);
		return KV_OK;
	case KV_DEL:
		if (!e)
			return KV_NOT_FOUND;
		*pe = e->next;
		free(e);
		return KV_OK;
	}
	return KV_BAD_REQUEST;
}

static void *shard_main(void *arg)
{
	static __thread uint8_t req[KV_REQ_MAX + 1], rep[KV_REPLY_MAX];
	struct shard *s = arg;

	while (!stopping) {
		struct sockaddr_bertha from;
		socklen_t alen = sizeof(from);
		struct kv_req_tail t = { 0 };
		struct kv_reply_hdr h;
		const uint8_t *value = NULL;
		uint16_t vlen;
		ssize_t n;

		n = recvfrom(s->fd, req, sizeof(req), 0, (struct sockaddr *)&from, &alen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			perror("kv_server: recvfrom");
			break;
		}
		h.status = apply(s, req, n, &t, &value, &vlen);
		if (h.status == KV_BAD_REQUEST)
			s->bad++;
		h.pad = 0;
		h.vlen = htons(vlen);
		h.id = htonl(t.id);
		memcpy(rep, &h, sizeof(h));
		if (vlen)
			memcpy(rep + sizeof(h), value, vlen);
		if (sendto(s->fd, rep, sizeof(h) + vlen, 0, (struct sockaddr *)&from, alen) < 0 &&
		    errno != EAGAIN && errno != ENOBUFS)
			fprintf(stderr, "kv_server: shard %u: sendto: %s\n", s->index,
				strerror(errno));
		s->served++;
	}
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* A bound SOCK_DGRAM AF_BERTHA socket at @a (with @dag if not NULL). */
static int bound_socket(const struct sockaddr_bertha *a, const char *dag)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200 * 1000 };
	char err[256];
	int fd = socket(bertha_family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		perror("kv_server: socket(AF_BERTHA)");
		return -1;
	}
	if (dag && bertha_set_dag(fd, dag, err, sizeof(err))) {
		fprintf(stderr, "kv_server: DAG %s: %s\n", dag, err);
		goto fail;
	}
	if (bind(fd, (const struct sockaddr *)a, sizeof(*a))) {
		fprintf(stderr, "kv_server: bind port %u: %s\n", ntohs(a->sbe_port),
			strerror(errno));
		goto fail;
	}
	/* the threads look at `stopping' this often */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
fail:
	close(fd);
	return -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: kv_server ADDR:PORT --shards N [--first-shard-port P] [--key-len L]\n"
		"                 [--no-reliable]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "shards", required_argument, NULL, 's' },
		{ "first-shard-port", required_argument, NULL, 'p' },
		{ "key-len", required_argument, NULL, 'k' },
		{ "no-reliable", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	static struct shard shards[MAX_SHARDS];
	unsigned int nshards = 0, first = 0, i;
	struct sockaddr_bertha canon, a;
	struct sigaction sa = { .sa_handler = on_signal };
	char dag[256];
	sigset_t block, wait_mask;
	int c, s0, rc = 0, reliable = 1;

	while ((c = getopt_long(argc, argv, "s:p:k:", opts, NULL)) != -1) {
		switch (c) {
		case 's': nshards = strtoul(optarg, NULL, 0); break;
		case 'p': first = strtoul(optarg, NULL, 0); break;
		case 'k': key_len = strtoul(optarg, NULL, 0); break;
		case 'R': reliable = 0; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || nshards < 1 || nshards > MAX_SHARDS ||
	    key_len < 1 || key_len > KV_KEY_LEN_MAX)
		usage();
	if (bertha_addr_parse(argv[optind], &canon)) {
		fprintf(stderr, "kv_server: bad address '%s'\n", argv[optind]);
		return 2;
	}
	if (!first)
		first = KV_FIRST_SHARD_PORT(ntohs(canon.sbe_port));
	if (first + nshards - 1 > 65535 || kv_shard_dag(dag, sizeof(dag), first, nshards, key_len,
						      reliable))
		usage();

	/* blocked everywhere but in main's sigsuspend() */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	s0 = bound_socket(&canon, dag);
	if (s0 < 0)
		return 1;
	for (i = 0; i < nshards; i++) {
		a = canon;
		a.sbe_port = htons(first + i);
		shards[i].index = i;
		shards[i].fd = bound_socket(&a, NULL);
		if (shards[i].fd < 0)
			return 1;
	}
	for (i = 0; i < nshards; i++) {
		if (pthread_create(&shards[i].thread, NULL, shard_main, &shards[i])) {
			fprintf(stderr, "kv_server: pthread_create failed\n");
			return 1;
		}
	}
	printf("ready %s %s\n", argv[optind], dag);
	fflush(stdout);

	/* S0 receives only what no shard takes (nothing, normally). */
	while (!stopping)
		sigsuspend(&wait_mask);

	for (i = 0; i < nshards; i++) {
		pthread_join(shards[i].thread, NULL);
		printf("shard %u port %u served %llu bad %llu\n", i, first + i,
		       shards[i].served, shards[i].bad);
		close(shards[i].fd);
	}
	close(s0);
	return rc;
}
