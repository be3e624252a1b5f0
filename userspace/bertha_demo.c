// SPDX-License-Identifier: GPL-2.0
/*
 * bertha_demo: an echo service over AF_BERTHA, written with libbertha's
 * endpoint API the way the paper's Listings 4 and 5 are.
 *
 *   bertha_demo serve ADDR DAG        listen on ADDR with DAG; accept one
 *                                     connection, echo its messages until
 *                                     "bye", print binding and counters
 *   bertha_demo connect ADDR [DAG]    connect (no DAG: the server's DAG is
 *                                     used), send a few messages and "bye",
 *                                     check the echoes, print binding and
 *                                     counters
 *
 * ADDR is "10.0.0.1:7000", "[fd00::1]:7000" or "[fe80::1%veth0]:7000".
 * Every line is prefixed with the role. Exit status: 0 on success, 2 when
 * the listener refused the connection (a REJECT: ECONNREFUSED, EPROTO,
 * EPROTOTYPE or EPROTONOSUPPORT from connect), 1 on any other failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "libbertha.h"

#define IO_TIMEOUT_S	10	/* a lost message ends the demo, not hangs it */

static const char *role = "bertha_demo";

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", role);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *reject_name(uint32_t reason)
{
	const char *name = bertha_enum_name(BERTHA_ENUM_REJECT, reason);

	return name ? name : "?";
}

/*
 * The counters of @fd in one line: negotiations_accepted always, the
 * message counters always on a connection (@conn), the others only when
 * not zero.
 */
static void show_stats(const char *what, int fd, int conn)
{
	struct bertha_stats s;
	socklen_t len = sizeof(s);
	char line[512];
	size_t at = 0;

	memset(&s, 0, sizeof(s));
	if (getsockopt(fd, SOL_BERTHA, BERTHA_STATS, &s, &len)) {
		say("%s stats: %s", what, strerror(errno));
		return;
	}
#define ADD(...)							\
	do {								\
		int n_ = snprintf(line + at, sizeof(line) - at, __VA_ARGS__); \
		if (n_ > 0 && (size_t)n_ < sizeof(line) - at)		\
			at += (size_t)n_;				\
	} while (0)
#define FIELD(f, always)						\
	do {								\
		if ((always) || s.f)					\
			ADD(" %s=%llu", #f, (unsigned long long)s.f);	\
	} while (0)
	FIELD(negotiations_accepted, 1);
	FIELD(negotiations_rejected, 0);
	FIELD(tx_messages, conn);
	FIELD(rx_messages, conn);
	FIELD(hello_sent, 0);
	FIELD(hello_retransmits, 0);
	FIELD(hello_received, 0);
	FIELD(hello_duplicate, 0);
	FIELD(hello_backlog_drops, 0);
	FIELD(fallbacks, 0);
	FIELD(rx_malformed, 0);
	FIELD(rx_unexpected, 0);
	FIELD(rx_dropped, 0);
	if (s.negotiations_rejected)
		ADD(" (last reject: %s)", reject_name(s.last_reject_reason));
#undef FIELD
#undef ADD
	say("%s stats:%s", what, line);
}

static int show_binding(int fd)
{
	struct bertha_binding *b;
	char text[1024];

	if (bertha_binding_get(fd, &b)) {
		say("binding: getsockopt(BERTHA_BINDING): %s", strerror(errno));
		return -1;
	}
	if (bertha_binding_format(b, text, sizeof(text)) < 0)
		strcpy(text + sizeof(text) - 4, "...");
	say("binding: %s (path: %s)", text,
	    b->path == BERTHA_PATH_LOCAL ? "local fast path" : "network");
	free(b);
	return 0;
}

static void show_addr(const char *what, int fd,
		      int (*get)(int, struct sockaddr *, socklen_t *))
{
	struct sockaddr_bertha a;
	socklen_t len = sizeof(a);
	char text[BERTHA_ADDRSTRLEN];

	if (get(fd, (struct sockaddr *)&a, &len) ||
	    bertha_addr_format(&a, text, sizeof(text)) < 0)
		say("%s: %s", what, strerror(errno));
	else
		say("%s %s", what, text);
}

static void set_timeout(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static struct bertha_endpoint *endpoint(const char *name, const char *dag)
{
	struct bertha_endpoint *ep;
	char err[160];

	ep = bertha_new(name, dag, err, sizeof(err));
	if (!ep) {
		say("DAG \"%s\": %s (%s)", dag, err, strerrorname_np(errno));
		return NULL;
	}
	if (dag && *dag)
		say("endpoint \"%s\", DAG \"%s\"", name, dag);
	else
		say("endpoint \"%s\", no DAG: the server's DAG applies", name);
	return ep;
}

static int serve(const char *addr, const char *dag)
{
	char msg[BERTHA_MSG_MAX];
	struct bertha_endpoint *ep;
	int lfd, fd, echoed = 0;
	ssize_t n;

	ep = endpoint("demo-server", dag);
	if (!ep)
		return 1;
	lfd = bertha_listen(ep, addr, 16);
	if (lfd < 0) {
		say("%s (%s)", bertha_error(ep), strerrorname_np(errno));
		bertha_free(ep);
		return 1;
	}
	show_addr("listening on", lfd, getsockname);

	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		say("accept: %s", strerror(errno));
		goto fail;
	}
	show_addr("accepted a connection from", fd, getpeername);
	if (show_binding(fd))
		goto fail;
	set_timeout(fd);
	for (;;) {
		n = recv(fd, msg, sizeof(msg), 0);
		if (n < 0) {
			say("recv: %s", strerror(errno));
			goto fail;
		}
		if (n == 0) {
			say("the client closed the connection");
			break;
		}
		if (send(fd, msg, (size_t)n, 0) != n) {
			say("send: %s", strerror(errno));
			goto fail;
		}
		echoed++;
		if (n == 3 && !memcmp(msg, "bye", 3))
			break;
	}
	say("echoed %d messages", echoed);
	show_stats("listener", lfd, 0);
	show_stats("connection", fd, 1);
	close(fd);
	close(lfd);
	bertha_free(ep);
	return 0;

fail:
	if (fd >= 0)
		close(fd);
	close(lfd);
	bertha_free(ep);
	return 1;
}

/* connect(2)'s errno after a REJECT, per enum bertha_reject_reason. */
static const char *reject_why(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return "nothing listens there";
	case EPROTO:
		return "the listener could not parse the HELLO";
	case EPROTOTYPE:
		return "the listener's DAG differs";
	case EPROTONOSUPPORT:
		return "a chunnel has no implementation both ends can use";
	}
	return NULL;
}

static int client(const char *addr, const char *dag)
{
	static const char *const msgs[] = { "hello", "chunnels", "bye" };
	struct bertha_endpoint *ep;
	char buf[BERTHA_MSG_MAX];
	size_t i, len;
	ssize_t n;
	int fd, e;

	ep = endpoint("demo-client", dag);
	if (!ep)
		return 1;
	fd = bertha_connect(ep, addr);
	if (fd < 0) {
		e = errno;
		say("%s (%s)", bertha_error(ep), strerrorname_np(e));
		if (reject_why(e))
			say("refused: %s", reject_why(e));
		bertha_free(ep);
		return reject_why(e) ? 2 : 1;
	}
	show_addr("connected to", fd, getpeername);
	if (show_binding(fd))
		goto fail;
	set_timeout(fd);
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		len = strlen(msgs[i]);
		if (send(fd, msgs[i], len, 0) != (ssize_t)len) {
			say("send: %s", strerror(errno));
			goto fail;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			say("recv: %s", strerror(errno));
			goto fail;
		}
		if ((size_t)n != len || memcmp(buf, msgs[i], len)) {
			say("sent \"%s\", got back %zd bytes \"%.*s\"", msgs[i],
			    n, (int)(n > 40 ? 40 : n), buf);
			goto fail;
		}
		say("sent \"%s\", echoed back", msgs[i]);
	}
	show_stats("connection", fd, 1);
	close(fd);
	bertha_free(ep);
	return 0;

fail:
	close(fd);
	bertha_free(ep);
	return 1;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: bertha_demo serve ADDR DAG\n"
		"       bertha_demo connect ADDR [DAG]\n"
		"ADDR: 10.0.0.1:7000, [fd00::1]:7000, [fe80::1%%veth0]:7000\n");
	return 1;
}

int main(int argc, char **argv)
{
	/* Line by line, so that a log file shows progress as it happens. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc == 4 && !strcmp(argv[1], "serve")) {
		role = "server";
		return serve(argv[2], argv[3]);
	}
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "connect")) {
		role = "client";
		return client(argv[2], argc == 4 ? argv[3] : NULL);
	}
	return usage();
}
