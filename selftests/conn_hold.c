// SPDX-License-Identifier: GPL-2.0
/*
 * conn_hold: make one AF_BERTHA connection and keep it, for the selftests
 * that look at connections from outside (genl_ynl, berthactl).
 *
 *   conn_hold serve ADDR DAG       listen on ADDR; print "listening"; accept
 *                                  one connection and describe it
 *   conn_hold connect ADDR [DAG]   connect to ADDR and describe it
 *   conn_hold dgram-serve ADDR DAG a SOCK_DGRAM socket bound to ADDR; print
 *                                  "ready", then "got" at the first message
 *   conn_hold dgram-send ADDR DAG  a SOCK_DGRAM socket that sends one
 *                                  message to ADDR (which negotiates); "sent"
 *
 * A connection is described on one line of JSON: its local and peer
 * address, path and the binding getsockopt(BERTHA_BINDING) reports (enums
 * as numbers). Then the socket stays open until stdin reaches EOF. Exit
 * status 0, or 1 with the failing step on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "libbertha.h"

static int fail(const char *what)
{
	fprintf(stderr, "conn_hold: %s: %s\n", what, strerror(errno));
	return 1;
}

static int describe(int fd)
{
	struct sockaddr_bertha a;
	char local[BERTHA_ADDRSTRLEN], peer[BERTHA_ADDRSTRLEN];
	struct bertha_binding *b;
	socklen_t len = sizeof(a);
	uint32_t i;

	if (getsockname(fd, (struct sockaddr *)&a, &len) ||
	    bertha_addr_format(&a, local, sizeof(local)) < 0)
		return fail("getsockname");
	len = sizeof(a);
	if (getpeername(fd, (struct sockaddr *)&a, &len) ||
	    bertha_addr_format(&a, peer, sizeof(peer)) < 0)
		return fail("getpeername");
	if (bertha_binding_get(fd, &b))
		return fail("getsockopt(BERTHA_BINDING)");
	printf("{\"local\": \"%s\", \"peer\": \"%s\", \"path\": %u, \"binding\": [",
	       local, peer, b->path);
	for (i = 0; i < b->count; i++)
		printf("%s{\"type\": \"%s\", \"impl\": \"%s\", \"where\": %u, \"priority\": %u, \"scope\": %u, \"choice\": %u}",
		       i ? ", " : "", b->node[i].type, b->node[i].impl, b->node[i].where,
		       b->node[i].priority, b->node[i].scope, b->node[i].choice);
	printf("]}\n");
	fflush(stdout);
	free(b);
	return 0;
}

static void hold(void)
{
	char buf[64];

	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
}

static int dgram(const char *how, const char *addr, const char *dag)
{
	struct sockaddr_bertha a;
	char err[160], buf[64];
	int fd;

	if (bertha_addr_parse(addr, &a))
		return fail("address");
	fd = socket(bertha_family(), SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket");
	if (bertha_set_dag(fd, dag, err, sizeof(err)))
		return fail("setsockopt(BERTHA_DAG)");
	if (!strcmp(how, "dgram-serve")) {
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
			return fail("bind");
		printf("ready\n");
		fflush(stdout);
		if (recv(fd, buf, sizeof(buf), 0) < 0)
			return fail("recv");
		printf("got\n");
	} else {
		if (sendto(fd, "hi", 2, 0, (struct sockaddr *)&a, sizeof(a)) != 2)
			return fail("sendto");
		printf("sent\n");
	}
	fflush(stdout);
	hold();
	return 0;
}

int main(int argc, char **argv)
{
	struct bertha_endpoint *ep;
	char err[160];
	int fd, lfd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s serve|connect|dgram-serve|dgram-send ADDR [DAG]\n",
			argv[0]);
		return 2;
	}
	if (!strncmp(argv[1], "dgram-", 6))
		return argc == 4 ? dgram(argv[1], argv[2], argv[3]) : 2;
	ep = bertha_new("conn_hold", argc == 4 ? argv[3] : NULL, err, sizeof(err));
	if (!ep)
		return fail(err);
	if (!strcmp(argv[1], "serve")) {
		lfd = bertha_listen(ep, argv[2], 4);
		if (lfd < 0)
			return fail(bertha_error(ep));
		printf("listening\n");
		fflush(stdout);
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			return fail("accept");
	} else {
		fd = bertha_connect(ep, argv[2]);
		if (fd < 0)
			return fail(bertha_error(ep));
	}
	if (describe(fd))
		return 1;
	hold();
	bertha_free(ep);
	return 0;
}
