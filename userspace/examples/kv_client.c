// SPDX-License-Identifier: GPL-2.0
/*
 * kv_client: the client of kv_server (kv_proto.h).
 *
 *   kv_client ADDR:PORT get|put|del KEY [VALUE]
 *   kv_client ADDR:PORT ycsb [--ops N] [--records R] [--value-size V]
 *             [--read-ratio F] [--window W] [--client-id C] [--json]
 *
 * Common options: --key-len L (as the server's, default 8), --timeout-ms T
 * (per try, default 200; 10000 when the server's DAG has reliable, whose
 * retransmissions make retries unnecessary: they only remain as a safety
 * net), --tries N (default 50). ycsb --hold-ms MS keeps
 * the socket open MS after printing the results (to inspect its binding;
 * SIGINT or SIGTERM end the wait, with the usual exit status).
 *
 * ycsb is YCSB workload A: a load phase PUTs R records, then N operations,
 * reads with probability F (default 0.5) and updates otherwise, on uniform
 * random records. W requests (default 16) are kept outstanding; a request
 * not answered in time is sent again (counted and printed as a retry; with
 * reliable there should be none) and abandoned
 * after N tries (counted as lost). No two requests for one record are
 * outstanding at once, so every GET must return the last value written:
 * a different one is a mismatch. It prints throughput and p50/p95/p99
 * latency (from the first send to the reply) of the N operations. Keys are
 * "k", the client id and the record number, so that clients with different
 * ids share a server without sharing records.
 *
 * Exit status: 0, 1 on a mismatch, a lost request or an error reply, 2 on
 * a usage error, 3 when get or del finds no such key.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "libbertha.h"
#include "kv_proto.h"

static unsigned int key_len = KV_KEY_LEN_DEFAULT;
#define KV_RELIABLE_TIMEOUT_MS	10000

static unsigned int timeout_ms = 200, max_tries = 50;
static bool timeout_set, checked, reliable;
static struct sockaddr_bertha server;
static int fd;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Whether the server's binding with us has the reliable chunnel. */
static bool peer_reliable(void)
{
	struct {
		struct bertha_binding b;
		struct bertha_binding_node node[BERTHA_DAG_MAX_NODES];
	} buf;
	socklen_t len = sizeof(buf);
	unsigned int i;

	memset(&buf, 0, sizeof(buf));
	memcpy(&buf, &server, sizeof(server));
	if (getsockopt(fd, SOL_BERTHA, BERTHA_BINDING, &buf, &len))
		return false;
	for (i = 0; i < buf.b.count && i < BERTHA_DAG_MAX_NODES; i++)
		if (!strcmp(buf.node[i].type, "reliable"))
			return true;
	return false;
}

static int send_req(const uint8_t *buf, size_t len)
{
	int ret = 0;

	if (sendto(fd, buf, len, 0, (const struct sockaddr *)&server, sizeof(server)) < 0)
		/* a full buffer is a lost datagram: the retry timer covers it */
		ret = errno == EAGAIN || errno == ENOBUFS ? 0 : -1;
	/* the first send negotiated: with reliable, retries are a safety
	 * net only, so they wait long
	 */
	if (!checked && !ret) {
		checked = true;
		reliable = peer_reliable();
		if (reliable && !timeout_set)
			timeout_ms = KV_RELIABLE_TIMEOUT_MS;
	}
	return ret;
}

/* ---- one request ---- */

static int one(const char *op, const char *key_text, const char *value)
{
	uint8_t key[KV_KEY_LEN_MAX] = { 0 }, req[KV_REQ_MAX], rep[KV_REPLY_MAX];
	enum kv_op o = !strcmp(op, "get") ? KV_GET : !strcmp(op, "put") ? KV_PUT : KV_DEL;
	size_t vlen = value ? strlen(value) : 0, len;
	uint32_t id = (uint32_t)now_ns();
	unsigned int tries;

	if (strlen(key_text) > key_len || vlen > KV_VALUE_MAX) {
		fprintf(stderr, "kv_client: key longer than %u bytes or value too long\n", key_len);
		return 2;
	}
	memcpy(key, key_text, strlen(key_text));
	len = kv_req_build(req, key, key_len, o, id, value, vlen);
	for (tries = 0; tries < max_tries; tries++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t end;

		if (send_req(req, len)) {
			perror("kv_client: sendto");
			return 1;
		}
		end = now_ns() + timeout_ms * 1000000ull;
		while (now_ns() < end && poll(&p, 1, (end - now_ns()) / 1000000 + 1) > 0) {
			struct kv_reply_hdr h;
			const uint8_t *v;
			ssize_t n = recv(fd, rep, sizeof(rep), MSG_DONTWAIT);

			if (n < 0 || kv_reply_parse(rep, n, &h, &v) || h.id != id)
				continue;
			if (h.status == KV_NOT_FOUND) {
				fprintf(stderr, "kv_client: %s: not found\n", key_text);
				return 3;
			}
			if (h.status != KV_OK) {
				fprintf(stderr, "kv_client: %s: error status %u\n", key_text, h.status);
				return 1;
			}
			if (o == KV_GET)
				printf("%.*s\n", (int)h.vlen, (const char *)v);
			else
				printf("ok\n");
			return 0;
		}
	}
	fprintf(stderr, "kv_client: no answer after %u tries\n", max_tries);
	return 1;
}

/* ---- ycsb ---- */

struct slot {
	bool busy;
	uint8_t op;
	uint32_t id, rec, ver, tries;
	uint64_t t0, deadline;
	size_t len;
	uint8_t *buf;
};

struct ycsb {
	unsigned long ops, records, window;
	unsigned int value_size, client_id;
	double read_ratio;
	uint32_t *ver;		/* the last version written of each record */
	bool *busy;		/* a request for the record is outstanding */
	uint64_t *lat;		/* ns, per operation of the run phase */
	unsigned long nlat, retries, lost, mismatches, errors, duplicates;
	struct slot *slots;
	uint32_t next_seq;
};

static void rec_key(const struct ycsb *y, uint32_t rec, uint8_t *key)
{
	char text[KV_KEY_LEN_MAX + 32];

	memset(key, 0, KV_KEY_LEN_MAX);
	snprintf(text, sizeof(text), "k%c%0*u", 'a' + y->client_id % 26,
		 key_len > 2 ? (int)key_len - 2 : 0, rec);
	memcpy(key, text, key_len);
}

static void rec_value(const struct ycsb *y, uint32_t rec, uint32_t ver, uint8_t *v)
{
	unsigned int i;

	for (i = 0; i < y->value_size; i++)
		v[i] = (uint8_t)(rec * 131 + ver * 7 + i);
}

static void issue(struct ycsb *y, unsigned int i, uint8_t op, uint32_t rec)
{
	static uint8_t key[KV_KEY_LEN_MAX], value[KV_VALUE_MAX];
	struct slot *s = &y->slots[i];

	s->busy = true;
	s->op = op;
	s->rec = rec;
	s->ver = op == KV_PUT ? y->ver[rec] + 1 : y->ver[rec];
	s->id = y->next_seq++ * y->window + i;
	s->tries = 1;
	rec_key(y, rec, key);
	if (op == KV_PUT)
		rec_value(y, rec, s->ver, value);
	s->len = kv_req_build(s->buf, key, key_len, op, s->id, value,
			      op == KV_PUT ? y->value_size : 0);
	y->busy[rec] = true;
	s->t0 = now_ns();
	send_req(s->buf, s->len);
	s->deadline = now_ns() + timeout_ms * 1000000ull;
}

static void complete(struct ycsb *y, struct slot *s, const struct kv_reply_hdr *h,
		     const uint8_t *v, bool timed)
{
	static uint8_t want[KV_VALUE_MAX];

	if (timed)
		y->lat[y->nlat++] = now_ns() - s->t0;
	if (s->op == KV_PUT) {
		if (h->status == KV_OK)
			y->ver[s->rec] = s->ver;
		else
			y->errors++;
	} else if (s->ver == 0) {
		if (h->status != KV_NOT_FOUND)
			y->mismatches++;
	} else {
		rec_value(y, s->rec, s->ver, want);
		if (h->status != KV_OK || h->vlen != y->value_size ||
		    memcmp(v, want, y->value_size)) {
			if (y->mismatches++ < 5)
				fprintf(stderr, "kv_client: mismatch: record %u version %u status %u vlen %u\n",
					s->rec, s->ver, h->status, h->vlen);
		}
	}
	y->busy[s->rec] = false;
	s->busy = false;
}

/* @n operations (loading when @load), W outstanding; seconds it took. */
static double phase(struct ycsb *y, unsigned long n, bool load)
{
	static uint8_t rep[KV_REPLY_MAX];
	unsigned long issued = 0, done = 0, i;
	uint64_t start = now_ns();

	while (done < n) {
		uint64_t now, next;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int wait_ms;

		for (i = 0; i < y->window && issued < n; i++) {
			uint32_t rec;
			uint8_t op;

			if (y->slots[i].busy)
				continue;
			if (load) {
				rec = issued;
				op = KV_PUT;
			} else {
				do
					rec = random() % y->records;
				while (y->busy[rec]);
				op = random() < y->read_ratio * ((double)RAND_MAX + 1) ? KV_GET : KV_PUT;
			}
			issue(y, i, op, rec);
			issued++;
		}

		now = now_ns();
		next = UINT64_MAX;
		for (i = 0; i < y->window; i++) {
			struct slot *s = &y->slots[i];

			if (!s->busy)
				continue;
			if (s->deadline <= now) {
				if (s->tries >= max_tries) {
					y->lost++;
					y->busy[s->rec] = false;
					s->busy = false;
					done++;
					continue;
				}
				s->tries++;
				y->retries++;
				s->deadline = now + timeout_ms * 1000000ull;
				send_req(s->buf, s->len);
			}
			if (s->deadline < next)
				next = s->deadline;
		}
		if (done >= n)
			break;
		wait_ms = next == UINT64_MAX ? 0 : (int)((next - now) / 1000000) + 1;
		if (poll(&p, 1, wait_ms) <= 0)
			continue;
		for (;;) {
			struct kv_reply_hdr h;
			const uint8_t *v;
			struct slot *s;
			ssize_t len = recv(fd, rep, sizeof(rep), MSG_DONTWAIT);

			if (len < 0)
				break;
			if (kv_reply_parse(rep, len, &h, &v)) {
				y->errors++;
				continue;
			}
			s = &y->slots[h.id % y->window];
			if (!s->busy || s->id != h.id) {
				y->duplicates++;	/* the answer to a retry's original */
				continue;
			}
			complete(y, s, &h, v, !load);
			done++;
		}
	}
	return (now_ns() - start) / 1e9;
}

static void on_signal(int sig)
{
	(void)sig;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* nearest rank, in microseconds */
static double pct(const struct ycsb *y, double p)
{
	unsigned long r;

	if (!y->nlat)
		return 0;
	r = (unsigned long)(p / 100 * y->nlat + 0.999999);
	if (r < 1)
		r = 1;
	return y->lat[r - 1] / 1e3;
}

static int ycsb(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ops", required_argument, NULL, 'n' },
		{ "records", required_argument, NULL, 'r' },
		{ "value-size", required_argument, NULL, 'v' },
		{ "read-ratio", required_argument, NULL, 'f' },
		{ "window", required_argument, NULL, 'w' },
		{ "client-id", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "key-len", required_argument, NULL, 'k' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "tries", required_argument, NULL, 'T' },
		{ "hold-ms", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int hold_ms = 0;
	struct ycsb y = { .ops = 1000, .records = 100, .value_size = 64, .read_ratio = 0.5,
			  .window = 16 };
	unsigned int seed = (unsigned int)now_ns();
	double load_s, run_s;
	bool json = false;
	unsigned long i;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': y.ops = strtoul(optarg, NULL, 0); break;
		case 'r': y.records = strtoul(optarg, NULL, 0); break;
		case 'v': y.value_size = strtoul(optarg, NULL, 0); break;
		case 'f': y.read_ratio = strtod(optarg, NULL); break;
		case 'w': y.window = strtoul(optarg, NULL, 0); break;
		case 'c': y.client_id = strtoul(optarg, NULL, 0); break;
		case 'S': seed = strtoul(optarg, NULL, 0); break;
		case 'j': json = true; break;
		case 'k': key_len = strtoul(optarg, NULL, 0); break;
		case 't':
			timeout_ms = strtoul(optarg, NULL, 0);
			timeout_set = true;
			break;
		case 'T': max_tries = strtoul(optarg, NULL, 0); break;
		case 'H': hold_ms = strtoul(optarg, NULL, 0); break;
		default: return 2;
		}
	}
	if (optind != argc || !y.ops || !y.records || y.value_size > KV_VALUE_MAX ||
	    y.read_ratio < 0 || y.read_ratio > 1 || !y.window || key_len < 3 ||
	    key_len > KV_KEY_LEN_MAX || !timeout_ms || !max_tries) {
		fprintf(stderr, "kv_client: ycsb: bad arguments\n");
		return 2;
	}
	/* at least half the records free, so that picking one is quick */
	if (y.window > (y.records + 1) / 2)
		y.window = (y.records + 1) / 2;
	srandom(seed);
	y.ver = calloc(y.records, sizeof(*y.ver));
	y.busy = calloc(y.records, sizeof(*y.busy));
	y.lat = calloc(y.ops, sizeof(*y.lat));
	y.slots = calloc(y.window, sizeof(*y.slots));
	if (!y.ver || !y.busy || !y.lat || !y.slots)
		return 1;
	for (i = 0; i < y.window; i++)
		if (!(y.slots[i].buf = malloc(KV_REQ_MAX)))
			return 1;

	load_s = phase(&y, y.records, true);
	run_s = phase(&y, y.ops, false);
	qsort(y.lat, y.nlat, sizeof(*y.lat), cmp_u64);

	if (json)
		printf("{\"ops\": %lu, \"records\": %lu, \"value_size\": %u, \"window\": %lu, "
		       "\"read_ratio\": %g, \"seed\": %u, \"load_secs\": %.3f, \"run_secs\": %.3f, "
		       "\"ops_per_sec\": %.1f, \"p50_us\": %.1f, \"p95_us\": %.1f, \"p99_us\": %.1f, "
		       "\"retries\": %lu, \"lost\": %lu, \"duplicates\": %lu, \"mismatches\": %lu, "
		       "\"errors\": %lu, \"reliable\": %s}\n",
		       y.ops, y.records, y.value_size, y.window, y.read_ratio, seed, load_s, run_s,
		       y.ops / run_s, pct(&y, 50), pct(&y, 95), pct(&y, 99), y.retries, y.lost,
		       y.duplicates, y.mismatches, y.errors, reliable ? "true" : "false");
	else
		printf("ycsb-a: %lu ops on %lu records of %u B, window %lu: %.0f ops/s, "
		       "p50 %.0f us, p95 %.0f us, p99 %.0f us; load %.2f s; retries %lu, lost %lu, "
		       "duplicates %lu, mismatches %lu, errors %lu; reliable %s\n",
		       y.ops, y.records, y.value_size, y.window, y.ops / run_s, pct(&y, 50),
		       pct(&y, 95), pct(&y, 99), load_s, y.retries, y.lost, y.duplicates,
		       y.mismatches, y.errors, reliable ? "yes" : "no");
	fflush(stdout);
	/* the socket (and its negotiated binding) stays for berthactl to see;
	 * SIGINT or SIGTERM end the wait early
	 */
	if (hold_ms) {
		struct sigaction sa = { .sa_handler = on_signal };

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		usleep(hold_ms * 1000ull);
	}
	return y.mismatches || y.lost || y.errors ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: kv_client ADDR:PORT get|put|del KEY [VALUE] [--key-len L]\n"
		"       kv_client ADDR:PORT ycsb [--ops N] [--records R] [--value-size V]\n"
		"                 [--read-ratio F] [--window W] [--client-id C] [--seed S]\n"
		"                 [--json] [--key-len L] [--timeout-ms T] [--tries N]\n"
		"                 [--hold-ms MS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cmd;
	int i;

	if (argc < 3)
		usage();
	if (bertha_addr_parse(argv[1], &server)) {
		fprintf(stderr, "kv_client: bad address '%s'\n", argv[1]);
		return 2;
	}
	fd = socket(bertha_family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("kv_client: socket(AF_BERTHA)");
		return 1;
	}
	cmd = argv[2];
	if (!strcmp(cmd, "ycsb"))
		return ycsb(argc - 2, argv + 2);
	if (strcmp(cmd, "get") && strcmp(cmd, "put") && strcmp(cmd, "del"))
		usage();
	/* get|put|del KEY [VALUE], then options */
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--key-len") && i + 1 < argc) {
			key_len = strtoul(argv[i + 1], NULL, 0);
			memmove(argv + i, argv + i + 2, (argc - i - 2) * sizeof(*argv));
			argc -= 2;
			break;
		}
	}
	if (key_len < 1 || key_len > KV_KEY_LEN_MAX)
		usage();
	if (argc != (strcmp(cmd, "put") ? 4 : 5))
		usage();
	return one(cmd, argv[3], argc == 5 ? argv[4] : NULL);
}
