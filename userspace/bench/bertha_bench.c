// SPDX-License-Identifier: GPL-2.0
/*
 * bertha_bench: the benchmark of `make bench` (see Documentation/bertha.rst,
 * "Benchmark"). The same figures for AF_BERTHA, TCP, UDP and AF_UNIX
 * SOCK_SEQPACKET, and for AF_BERTHA and AF_UNIX SOCK_DGRAM, so that one
 * guest boot can compare them.
 *
 *   bertha_bench serve TRANSPORT HOST PORT
 *	an echo service on PORT and a sink on PORT + 1 (unix: HOST is a
 *	directory, the sockets are HOST/echo.sock and HOST/sink.sock); one
 *	thread per connection; prints "ready" once both listen
 *   bertha_bench client TRANSPORT HOST PORT [LABEL]
 *	runs every figure against such a server and prints one JSON object
 *
 * TRANSPORT is bertha, tcp, udp, unix, bertha-dgram or unix-dgram (the
 * unix ones at HOST/echo-dgram.sock and HOST/sink-dgram.sock; a
 * bertha-dgram client sends with sendto(2), as AF_BERTHA SOCK_DGRAM
 * sockets do not connect). The echo service sends each
 * message back (TCP: the bytes). The sink counts what arrives, between the
 * first and the last message, and answers an END control message (TCP: end
 * of stream) with a report, so a lossy transport reports what it delivered.
 *
 * The client's figures: ping-pong round trips (p50, p99) for each message
 * size, one-way throughput with large messages, message rate with small
 * ones, and (not datagrams) connection establishment: connect, negotiate, one
 * request and its reply, close. Counts come from the environment:
 *
 *   BENCH_SIZES        ping-pong sizes (default 64,1024,16384,64000)
 *   BENCH_RTT_ITERS    round trips per size (default 200) ...
 *   BENCH_RTT_SECS     ... or fewer when this many seconds are up (3)
 *   BENCH_RTT_WARMUP   untimed round trips first (10)
 *   BENCH_TPUT_SIZE    throughput message size (64000)
 *   BENCH_RATE_SIZE    message rate message size (64)
 *   BENCH_STREAM_SECS  seconds each one-way run sends (1)
 *   BENCH_CONN_COUNT   connections (150) ...
 *   BENCH_CONN_SECS    ... or fewer when this many seconds are up (3)
 *   BENCH_SOCKBUF      SO_SNDBUF/SO_RCVBUF for every socket (0: defaults)
 *   BENCH_DAG          the listener's AF_BERTHA DAG (default "identity");
 *                      set, also the clients' (unset: the server decides)
 *
 * A one-way run over a connection whose binding runs "reliable" sends its
 * END once: the chunnel delivers it, after every message, so the client
 * only waits (up to END_WAIT_S) for the report; every message sent is
 * delivered.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "libbertha.h"

#define BUF_MAX		65536
#define MIN_SIZE	64		/* room for the sequence number */
#define MAX_SIZES	16
#define CTL_MAGIC	0x42424e43u	/* "CNBB" */
#define IO_TIMEOUT_MS	1000		/* a lost round trip, not a hang */
#define SERVER_TIMEOUT_S 60		/* an idle connection at the server */
#define END_TRIES	50
#define END_WAIT_S	60		/* reliable: the report after one END */

enum transport { T_BERTHA, T_TCP, T_UDP, T_UNIX, T_BERTHA_DGRAM, T_UNIX_DGRAM };

static const char *const transport_names[] = {
	[T_BERTHA] = "bertha", [T_TCP] = "tcp", [T_UDP] = "udp",
	[T_UNIX] = "unix", [T_BERTHA_DGRAM] = "bertha-dgram",
	[T_UNIX_DGRAM] = "unix-dgram",
};

/* One socket exchanging datagrams with every peer: no connections. */
static int is_dgram(enum transport t)
{
	return t == T_UDP || t == T_BERTHA_DGRAM || t == T_UNIX_DGRAM;
}

static int is_bertha(enum transport t)
{
	return t == T_BERTHA || t == T_BERTHA_DGRAM;
}

/* Control messages; no data message is this short (MIN_SIZE). */
enum { CTL_END = 1, CTL_REPORT = 2 };

struct ctl {
	uint32_t magic;
	uint32_t op;
	uint64_t seq;
};

struct report {
	uint32_t magic;
	uint32_t op;
	uint64_t msgs;		/* messages (TCP: reads) received */
	uint64_t bytes;		/* bytes received */
	uint64_t first_bytes;	/* of the first message, outside the window */
	uint64_t window_ns;	/* first to last arrival */
};

/* Where a server listens or a client connects; one for echo, one for sink. */
struct target {
	enum transport t;
	int domain;
	int type;
	struct sockaddr_storage addr;
	socklen_t len;
};

static long sockbuf;
static const char *client_dag;	/* BENCH_DAG at the client, or NULL */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bertha_bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long env_long(const char *name, long def, long min, long max)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		die("%s=%s: expected an integer from %ld to %ld", name, s, min, max);
	return v;
}

static double env_secs(const char *name, double def)
{
	const char *s = getenv(name);
	char *end;
	double v;

	if (!s || !*s)
		return def;
	v = strtod(s, &end);
	if (*end || !(v > 0) || v > 3600)
		die("%s=%s: expected seconds, more than 0", name, s);
	return v;
}

static enum transport parse_transport(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(transport_names) / sizeof(transport_names[0]); i++)
		if (!strcmp(s, transport_names[i]))
			return (enum transport)i;
	die("unknown transport '%s' (bertha, tcp, udp, unix, bertha-dgram, unix-dgram)", s);
}

/* The echo (@sink 0) or sink (@sink 1) address of a server. */
static void make_target(struct target *tg, enum transport t, const char *host,
			const char *port_text, int sink)
{
	char text[BERTHA_ADDRSTRLEN];
	char *end;
	long port;

	memset(tg, 0, sizeof(*tg));
	tg->t = t;
	tg->type = t == T_TCP ? SOCK_STREAM : is_dgram(t) ? SOCK_DGRAM : SOCK_SEQPACKET;
	if (t == T_UNIX || t == T_UNIX_DGRAM) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&tg->addr;

		tg->domain = AF_UNIX;
		sun->sun_family = AF_UNIX;
		if (snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s%s.sock",
			     host, sink ? "sink" : "echo",
			     t == T_UNIX_DGRAM ? "-dgram" : "") >=
		    (int)sizeof(sun->sun_path))
			die("%s: path too long for a unix socket", host);
		tg->len = sizeof(*sun);
		return;
	}
	port = strtol(port_text, &end, 10);
	if (*end || port < 1 || port > 65534)
		die("port '%s': 1 to 65534 (the sink uses the next one)", port_text);
	port += sink;
	if (is_bertha(t)) {
		snprintf(text, sizeof(text), "%s:%ld", host, port);
		if (bertha_addr_parse(text, (struct sockaddr_bertha *)&tg->addr))
			die("address %s: %s", text, strerror(errno));
		tg->domain = bertha_family();
		if (tg->domain < 0)
			die("AF_BERTHA: %s", strerror(errno));
		tg->len = sizeof(struct sockaddr_bertha);
		return;
	}
	{
		struct sockaddr_in *sin = (struct sockaddr_in *)&tg->addr;

		tg->domain = AF_INET;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			die("'%s': an IPv4 address", host);
		tg->len = sizeof(*sin);
	}
}

static void set_bufs(int fd)
{
	int v = (int)sockbuf;

	if (!sockbuf)
		return;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
}

static void set_rcvtimeo(int fd, long ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static void set_nodelay(const struct target *tg, int fd)
{
	int one = 1;

	if (tg->t == T_TCP)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int new_socket(const struct target *tg)
{
	int fd = socket(tg->domain, tg->type | SOCK_CLOEXEC, 0);
	char err[160];

	if (fd < 0)
		return fd;
	set_bufs(fd);
	if (is_bertha(tg->t) && client_dag &&
	    bertha_set_dag(fd, client_dag, err, sizeof(err)))
		die("DAG \"%s\": %s", client_dag, err);
	return fd;
}

/* send(2), or sendto(2) the target where the socket cannot connect. */
static ssize_t tsend(const struct target *tg, int fd, const void *buf,
		     size_t len, int flags)
{
	if (tg->t == T_BERTHA_DGRAM)
		return sendto(fd, buf, len, flags,
			      (const struct sockaddr *)&tg->addr, tg->len);
	return send(fd, buf, len, flags);
}

/* All of @len bytes through send(2) (@out) or recv(2); 0 or -1. */
static int xfer_all(int fd, char *p, size_t len, int out)
{
	ssize_t n;

	while (len) {
		n = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	return xfer_all(fd, (char *)buf, len, 1);
}

static int read_all(int fd, void *buf, size_t len)
{
	return xfer_all(fd, buf, len, 0);
}

static int is_ctl(const void *buf, ssize_t n, uint32_t op)
{
	const struct ctl *c = buf;

	if (op == CTL_REPORT)
		return n == (ssize_t)sizeof(struct report) &&
		       c->magic == CTL_MAGIC && c->op == op;
	return n == (ssize_t)sizeof(*c) && c->magic == CTL_MAGIC && c->op == op;
}

/* ---- server ---- */

struct sink_state {
	struct report r;
	uint64_t first, last;
};

static void sink_count(struct sink_state *s, size_t n)
{
	uint64_t t = now_ns();

	if (!s->r.msgs) {
		s->first = t;
		s->r.first_bytes = n;
	}
	s->last = t;
	s->r.msgs++;
	s->r.bytes += n;
}

static const struct report *sink_report(struct sink_state *s)
{
	s->r.magic = CTL_MAGIC;
	s->r.op = CTL_REPORT;
	s->r.window_ns = s->r.msgs ? s->last - s->first : 0;
	return &s->r;
}

struct conn_arg {
	int fd;
	int sink;
	enum transport t;
};

/* One accepted connection (TCP, AF_UNIX, AF_BERTHA). */
static void *serve_conn(void *p)
{
	struct conn_arg a = *(struct conn_arg *)p;
	struct sink_state s;
	char *buf = malloc(BUF_MAX);
	ssize_t n = -1;

	free(p);
	memset(&s, 0, sizeof(s));
	set_rcvtimeo(a.fd, SERVER_TIMEOUT_S * 1000L);
	while (buf) {
		n = recv(a.fd, buf, BUF_MAX, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (!a.sink) {
			if (write_all(a.fd, buf, (size_t)n))
				break;
		} else if (a.t != T_TCP && is_ctl(buf, n, CTL_END)) {
			if (write_all(a.fd, sink_report(&s), sizeof(s.r)))
				break;
		} else {
			sink_count(&s, (size_t)n);
		}
	}
	/* A TCP sender ends with end of stream; the report follows it. */
	if (a.sink && a.t == T_TCP && n == 0)
		write_all(a.fd, sink_report(&s), sizeof(s.r));
	free(buf);
	close(a.fd);
	return NULL;
}

struct udp_arg {
	int fd;
	int sink;
};

static void *serve_udp(void *p)
{
	struct udp_arg a = *(struct udp_arg *)p;
	struct sockaddr_storage from, cur;
	struct sink_state s;
	socklen_t flen;
	char *buf = malloc(BUF_MAX);
	ssize_t n;

	memset(&s, 0, sizeof(s));
	memset(&cur, 0, sizeof(cur));
	memset(&from, 0, sizeof(from));	/* compared whole below */
	while (buf) {
		flen = sizeof(from);
		n = recvfrom(a.fd, buf, BUF_MAX, 0, (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!a.sink) {
			sendto(a.fd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
			continue;
		}
		/* One sender at a time: a new source starts a new count. */
		if (memcmp(&from, &cur, sizeof(from))) {
			memset(&s, 0, sizeof(s));
			cur = from;
		}
		if (is_ctl(buf, n, CTL_END))
			sendto(a.fd, sink_report(&s), sizeof(s.r), 0,
			       (struct sockaddr *)&from, flen);
		else
			sink_count(&s, (size_t)n);
	}
	free(buf);
	return NULL;
}

static int listen_on(const struct target *tg, const char *dag)
{
	struct bertha_endpoint *ep;
	char err[160];
	int fd, one = 1;

	if (tg->t == T_BERTHA) {
		char text[BERTHA_ADDRSTRLEN];

		ep = bertha_new("bertha-bench", dag, err, sizeof(err));
		if (!ep)
			die("DAG \"%s\": %s", dag, err);
		bertha_addr_format((const struct sockaddr_bertha *)&tg->addr,
				   text, sizeof(text));
		fd = bertha_listen(ep, text, 128);
		if (fd < 0)
			die("%s", bertha_error(ep));
		bertha_free(ep);
		set_bufs(fd);
		return fd;
	}
	fd = new_socket(tg);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (tg->t == T_BERTHA_DGRAM && bertha_set_dag(fd, dag, err, sizeof(err)))
		die("DAG \"%s\": %s", dag, err);
	if (tg->t == T_UNIX || tg->t == T_UNIX_DGRAM)
		unlink(((const struct sockaddr_un *)&tg->addr)->sun_path);
	else
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&tg->addr, tg->len))
		die("bind(%s): %s", transport_names[tg->t], strerror(errno));
	if (!is_dgram(tg->t) && listen(fd, 128))
		die("listen: %s", strerror(errno));
	return fd;
}

static int serve(enum transport t, const char *host, const char *port)
{
	const char *dag = getenv("BENCH_DAG") ? getenv("BENCH_DAG") : "identity";
	struct target tg[2];
	struct pollfd pfd[2];
	struct conn_arg *ca;
	struct udp_arg ua[2];
	pthread_t th[2];
	int i, fd;

	for (i = 0; i < 2; i++) {
		make_target(&tg[i], t, host, port, i);
		pfd[i].fd = listen_on(&tg[i], dag);
		pfd[i].events = POLLIN;
	}
	printf("ready: %s echo and sink\n", transport_names[t]);
	fflush(stdout);
	if (is_dgram(t)) {
		for (i = 0; i < 2; i++) {
			ua[i].fd = pfd[i].fd;
			ua[i].sink = i;
			if (pthread_create(&th[i], NULL, serve_udp, &ua[i]))
				die("pthread_create");
		}
		pthread_join(th[0], NULL);
		pthread_join(th[1], NULL);
		return 1;
	}
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (i = 0; i < 2; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			fd = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			set_nodelay(&tg[i], fd);
			ca = malloc(sizeof(*ca));
			if (!ca)
				die("out of memory");
			ca->fd = fd;
			ca->sink = i;
			ca->t = t;
			if (pthread_create(&th[0], NULL, serve_conn, ca))
				die("pthread_create");
			pthread_detach(th[0]);
		}
	}
}

/* ---- client ---- */

/*
 * An AF_UNIX SOCK_DGRAM client needs an address for the replies: a path
 * beside the server's, since an abstract (autobound) name belongs to the
 * client's network namespace, which the server is not in.
 */
static int bind_unix_client(const struct target *tg, int fd)
{
	const struct sockaddr_un *srv = (const struct sockaddr_un *)&tg->addr;
	static unsigned int n;
	struct sockaddr_un me = { .sun_family = AF_UNIX };
	const char *slash = strrchr(srv->sun_path, '/');
	int dir = slash ? (int)(slash - srv->sun_path) : 1;

	if (snprintf(me.sun_path, sizeof(me.sun_path), "%.*s/client-%d-%u.sock",
		     dir, slash ? srv->sun_path : ".", (int)getpid(), n++) >=
	    (int)sizeof(me.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlink(me.sun_path);
	return bind(fd, (const struct sockaddr *)&me, sizeof(me));
}

static int connect_to(const struct target *tg)
{
	int fd = new_socket(tg);

	if (fd < 0)
		return -1;
	set_nodelay(tg, fd);
	if (tg->t == T_BERTHA_DGRAM)
		return fd;	/* tsend() names the target */
	if (tg->t == T_UNIX_DGRAM && bind_unix_client(tg, fd)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&tg->addr, tg->len)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least @p of them at or below. */
static double pct_us(const uint64_t *sorted, size_t n, double p)
{
	size_t rank = (size_t)(p * (double)n + 0.999999);

	if (!n)
		return -1;
	if (rank < 1)
		rank = 1;
	return (double)sorted[rank - 1] / 1000.0;
}

/*
 * One round trip of @size bytes carrying @seq. Returns 0, or 1 when the
 * reply did not come within IO_TIMEOUT_MS (lost), -1 on an error.
 */
static int round_trip(const struct target *tg, int fd, char *out, char *in,
		      size_t size, uint64_t seq)
{
	uint64_t got;
	ssize_t n;

	memcpy(out, &seq, sizeof(seq));
	if (tg->t == T_TCP) {
		if (write_all(fd, out, size) || read_all(fd, in, size))
			return -1;
		memcpy(&got, in, sizeof(got));
		return got == seq ? 0 : -1;
	}
	if (tsend(tg, fd, out, size, 0) != (ssize_t)size)
		return -1;
	for (;;) {
		n = recv(fd, in, BUF_MAX, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 1;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		memcpy(&got, in, sizeof(got));
		/* A late reply to a round trip counted as lost is skipped. */
		if ((size_t)n == size && got == seq)
			return 0;
	}
}

static int rtt_figure(const struct target *tg, const char *label, int fd,
		      size_t size, int first)
{
	long iters = env_long("BENCH_RTT_ITERS", 200, 1, 10000000);
	long warmup = env_long("BENCH_RTT_WARMUP", 10, 0, 1000000);
	double secs = env_secs("BENCH_RTT_SECS", 3);
	char *out = malloc(BUF_MAX), *in = malloc(BUF_MAX);
	uint64_t *samples = calloc((size_t)iters, sizeof(*samples));
	uint64_t seq = (uint64_t)size << 32, t0, t1, deadline;
	long n = 0, lost = 0, i;
	int rc = 0;

	if (!out || !in || !samples)
		die("out of memory");
	memset(out, 0xa5, BUF_MAX);
	for (i = 0; i < warmup && rc >= 0; i++)
		rc = round_trip(tg, fd, out, in, size, ++seq);
	deadline = now_ns() + (uint64_t)(secs * 1e9);
	while (rc >= 0 && n < iters && now_ns() < deadline) {
		t0 = now_ns();
		rc = round_trip(tg, fd, out, in, size, ++seq);
		t1 = now_ns();
		if (rc == 0)
			samples[n++] = t1 - t0;
		else if (rc == 1)
			lost++;
	}
	qsort(samples, (size_t)n, sizeof(*samples), cmp_u64);
	printf("%s{\"size\": %zu, \"n\": %ld, \"lost\": %ld, \"p50_us\": %.1f, "
	       "\"p99_us\": %.1f, \"error\": %s}", first ? "" : ", ", size, n,
	       lost, pct_us(samples, (size_t)n, 0.50), pct_us(samples, (size_t)n, 0.99),
	       rc < 0 ? "true" : "false");
	if (rc < 0)
		fprintf(stderr, "bertha_bench: %s ping-pong %zu B: %s\n",
			transport_names[tg->t], size, strerror(errno));
	else
		fprintf(stderr, "%-15s RTT %5zu B  p50 %8.1f us  p99 %8.1f us  (%ld, %ld lost)\n",
			label, size, pct_us(samples, (size_t)n, 0.50),
			pct_us(samples, (size_t)n, 0.99), n, lost);
	free(out);
	free(in);
	free(samples);
	return rc < 0 ? -1 : 0;
}

/* Whether a connected AF_BERTHA socket's binding runs the reliable chunnel. */
static int runs_reliable(int fd)
{
	struct bertha_binding *b;
	uint32_t i;
	int yes = 0;

	if (bertha_binding_get(fd, &b))
		return 0;
	for (i = 0; i < b->count; i++)
		if (!strcmp(b->node[i].type, "reliable") &&
		    b->node[i].where != BERTHA_WHERE_NONE &&
		    b->node[i].where != BERTHA_WHERE_ELIDED)
			yes = 1;
	free(b);
	return yes;
}

/*
 * Ends a one-way run and fetches the sink's report. Over "reliable" (@rel)
 * the END arrives after every message and exactly once: one END, and a
 * long wait for the report.
 */
static int finish_stream(const struct target *tg, int fd, int rel, struct report *r)
{
	struct ctl end = { .magic = CTL_MAGIC, .op = CTL_END };
	int i, tries = END_TRIES;
	char *buf;
	ssize_t n;

	if (tg->t == T_TCP) {
		shutdown(fd, SHUT_WR);
		set_rcvtimeo(fd, 30000);
		return read_all(fd, r, sizeof(*r)) || r->magic != CTL_MAGIC ? -1 : 0;
	}
	/* The END may be lost, or dropped by a full receive queue: repeat it. */
	buf = malloc(BUF_MAX);
	if (!buf)
		die("out of memory");
	if (rel) {
		tries = 1;
		set_rcvtimeo(fd, END_WAIT_S * 1000L);
	} else {
		set_rcvtimeo(fd, 200);
	}
	for (i = 0; i < tries; i++) {
		end.seq = (uint64_t)i;
		tsend(tg, fd, &end, sizeof(end), 0);
		for (;;) {
			n = recv(fd, buf, BUF_MAX, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0 || is_ctl(buf, n, CTL_REPORT))
				break;
		}
		if (n > 0) {
			memcpy(r, buf, sizeof(*r));
			free(buf);
			return 0;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			break;
	}
	free(buf);
	return -1;
}

/*
 * Sends @size-byte messages for BENCH_STREAM_SECS to the sink; prints the
 * rates at which the sink received them (between its first and last
 * arrival) as JSON member @name.
 */
static int stream_figure(const struct target *tg, const char *label,
			 const char *name, size_t size)
{
	double secs = env_secs("BENCH_STREAM_SECS", 1);
	uint64_t sent = 0, failed = 0, deadline, start, elapsed;
	struct report r;
	double window = 0, msgs_s = -1, mb_s = -1;
	char *buf;
	int fd, rel = 0, rc = 0;

	memset(&r, 0, sizeof(r));
	fd = connect_to(tg);
	if (fd < 0) {
		fprintf(stderr, "bertha_bench: %s sink: connect: %s\n",
			transport_names[tg->t], strerror(errno));
		rc = -1;
		goto out;
	}
	rel = tg->t == T_BERTHA && runs_reliable(fd);
	buf = malloc(size);
	if (!buf)
		die("out of memory");
	memset(buf, 0x5a, size);
	start = now_ns();
	deadline = start + (uint64_t)(secs * 1e9);
	do {
		for (int i = 0; i < 8; i++) {
			if (tg->t == T_TCP) {
				if (write_all(fd, buf, size)) {
					rc = -1;
					break;
				}
			} else if (tsend(tg, fd, buf, size, 0) != (ssize_t)size) {
				/* UDP: ECONNREFUSED, ENOBUFS; the receiver counts */
				failed++;
				if (tg->t != T_UDP && errno != ENOBUFS && errno != EAGAIN) {
					rc = -1;
					break;
				}
				continue;
			}
			sent++;
		}
	} while (rc == 0 && now_ns() < deadline);
	elapsed = now_ns() - start;
	free(buf);
	if (rc == 0)
		rc = finish_stream(tg, fd, rel, &r);
	if (rc)
		fprintf(stderr, "bertha_bench: %s %s: %s\n", transport_names[tg->t],
			name, strerror(errno));
	close(fd);
	window = (double)r.window_ns / 1e9;
	if (rc == 0 && window > 0) {
		mb_s = (double)(r.bytes - r.first_bytes) / window / 1e6;
		msgs_s = (double)(r.bytes - r.first_bytes) / (double)size / window;
		fprintf(stderr, "%-15s %-10s %5zu B  %8.1f MB/s  %8.0f msgs/s  (%llu sent, %llu delivered)\n",
			label, name, size, mb_s, msgs_s, (unsigned long long)sent,
			(unsigned long long)(tg->t == T_TCP ? r.bytes / size : r.msgs));
	}
out:
	printf(", \"%s\": {\"size\": %zu, \"sent\": %llu, \"send_failed\": %llu, "
	       "\"send_secs\": %.3f, \"delivered\": %llu, \"window_secs\": %.3f, "
	       "\"MBps\": %.2f, \"msgs_per_s\": %.0f, \"reliable\": %s, \"error\": %s}",
	       name, size,
	       (unsigned long long)sent, (unsigned long long)failed,
	       rc ? 0.0 : (double)elapsed / 1e9,
	       (unsigned long long)(tg->t == T_TCP ? r.bytes / size : r.msgs),
	       window, mb_s, msgs_s, rel ? "true" : "false", rc ? "true" : "false");
	return rc;
}

/* New connections, each with one request and its reply, then closed. */
static int conn_figure(const struct target *tg, const char *label)
{
	long count = env_long("BENCH_CONN_COUNT", 150, 1, 10000000);
	double secs = env_secs("BENCH_CONN_SECS", 3);
	uint64_t start, deadline, elapsed;
	char out[MIN_SIZE], in[BUF_MAX];
	long done = 0, failed = 0;
	int fd, rc;

	memset(out, 0x3c, sizeof(out));
	start = now_ns();
	deadline = start + (uint64_t)(secs * 1e9);
	while (done < count && now_ns() < deadline && failed < 10) {
		fd = connect_to(tg);
		if (fd < 0) {
			fprintf(stderr, "bertha_bench: %s connect: %s\n",
				transport_names[tg->t], strerror(errno));
			failed++;
			continue;
		}
		set_rcvtimeo(fd, IO_TIMEOUT_MS);
		rc = round_trip(tg, fd, out, in, sizeof(out), (uint64_t)done);
		close(fd);
		if (rc)
			failed++;
		else
			done++;
	}
	elapsed = now_ns() - start;
	fprintf(stderr, "%-15s connect    %8.1f conn/s  (%ld, %ld failed)\n", label,
		done ? (double)done / ((double)elapsed / 1e9) : -1.0, done, failed);
	printf(", \"connect\": {\"count\": %ld, \"failed\": %ld, \"secs\": %.3f, "
	       "\"per_s\": %.1f}", done, failed, (double)elapsed / 1e9,
	       done ? (double)done / ((double)elapsed / 1e9) : -1.0);
	return failed ? -1 : 0;
}

/* The negotiated binding of an AF_BERTHA connection, as a JSON member. */
static void print_binding(int fd)
{
	struct bertha_binding *b;
	char text[512];
	char *p;

	if (bertha_binding_get(fd, &b))
		return;
	if (bertha_binding_format(b, text, sizeof(text)) >= 0) {
		for (p = text; *p; p++)
			if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
				*p = '?';
		printf(", \"binding\": \"%s\"", text);
	}
	free(b);
}

static size_t parse_sizes(size_t *sizes)
{
	const char *s = getenv("BENCH_SIZES");
	char copy[256], *tok, *save, *end;
	size_t n = 0;
	long v;

	if (!s || !*s)
		s = "64,1024,16384,64000";
	snprintf(copy, sizeof(copy), "%s", s);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		v = strtol(tok, &end, 10);
		if (*end || v < MIN_SIZE || v > BERTHA_MSG_MAX || n == MAX_SIZES)
			die("BENCH_SIZES=%s: up to %d sizes from %d to %d", s,
			    MAX_SIZES, MIN_SIZE, BERTHA_MSG_MAX);
		sizes[n++] = (size_t)v;
	}
	return n;
}

/* Whether the comma-separated list @figs names @fig ("all" names every one). */
static int wanted(const char *figs, const char *fig)
{
	size_t len = strlen(fig);
	const char *p;

	if (!strcmp(figs, "all"))
		return 1;
	for (p = figs; (p = strstr(p, fig)); p += len)
		if ((p == figs || p[-1] == ',') && (!p[len] || p[len] == ','))
			return 1;
	return 0;
}

static int client(enum transport t, const char *host, const char *port,
		  const char *label, const char *figs)
{
	size_t tput = (size_t)env_long("BENCH_TPUT_SIZE", 64000, MIN_SIZE, BERTHA_MSG_MAX);
	size_t rate = (size_t)env_long("BENCH_RATE_SIZE", 64, MIN_SIZE, BERTHA_MSG_MAX);
	size_t sizes[MAX_SIZES], nsizes = parse_sizes(sizes), i;
	struct target echo, sink;
	int fd, rc = 0;

	client_dag = getenv("BENCH_DAG") && *getenv("BENCH_DAG") ? getenv("BENCH_DAG") : NULL;
	make_target(&echo, t, host, port, 0);
	make_target(&sink, t, host, port, 1);
	printf("{\"label\": \"%s\", \"transport\": \"%s\"", label, transport_names[t]);
	fd = wanted(figs, "rtt") ? connect_to(&echo) : -2;
	if (fd == -2) {
		/* no ping-pong this time */
	} else if (fd < 0) {
		fprintf(stderr, "bertha_bench: %s echo: connect: %s\n", label,
			strerror(errno));
		printf(", \"rtt\": []");
		rc = -1;
	} else {
		if (t == T_BERTHA)
			print_binding(fd);	/* SOCK_DGRAM: per peer */
		set_rcvtimeo(fd, t == T_TCP ? 30000 : IO_TIMEOUT_MS);
		printf(", \"rtt\": [");
		for (i = 0; i < nsizes; i++)
			if (rtt_figure(&echo, label, fd, sizes[i], i == 0))
				rc = -1;
		printf("]");
		close(fd);
	}
	if (wanted(figs, "throughput") &&
	    stream_figure(&sink, label, "throughput", tput))
		rc = -1;
	if (wanted(figs, "msgrate") && stream_figure(&sink, label, "msgrate", rate))
		rc = -1;
	if (!is_dgram(t) && wanted(figs, "connect") && conn_figure(&echo, label))
		rc = -1;
	printf(", \"ok\": %s}\n", rc ? "false" : "true");
	return rc ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: bertha_bench serve TRANSPORT HOST PORT\n"
		"       bertha_bench client TRANSPORT HOST PORT [LABEL [FIGURES]]\n"
		"TRANSPORT: bertha, tcp, udp, unix, bertha-dgram or unix-dgram\n"
		"(unix ones: HOST is a directory)\n"
		"FIGURES: all (default) or some of rtt,throughput,msgrate,connect\n"
		"The sink listens on PORT + 1. Counts: see the source's header.\n");
	return 2;
}

int main(int argc, char **argv)
{
	enum transport t;

	if (argc < 5)
		return usage();
	signal(SIGPIPE, SIG_IGN);
	sockbuf = env_long("BENCH_SOCKBUF", 0, 0, INT_MAX / 2);
	t = parse_transport(argv[2]);
	if (!strcmp(argv[1], "serve") && argc == 5)
		return serve(t, argv[3], argv[4]);
	if (!strcmp(argv[1], "client") && argc <= 7)
		return client(t, argv[3], argv[4], argc >= 6 ? argv[5] : argv[2],
			      argc == 7 ? argv[6] : "all");
	return usage();
}
