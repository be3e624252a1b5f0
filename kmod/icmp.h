/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: ICMP errors about the datagrams a port sent.
 */
#ifndef _BERTHA_ICMP_H
#define _BERTHA_ICMP_H

#include "bertha.h"

struct udp_tunnel_sock_cfg;
void bertha_icmp_setup(struct udp_tunnel_sock_cfg *cfg);
void bertha_icmp_rcv(struct bertha_port *port);
void bertha_icmp_purge(struct bertha_port *port);

#endif /* _BERTHA_ICMP_H */
