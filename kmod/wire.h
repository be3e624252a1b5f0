/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bertha wire header: the first bytes of every UDP datagram bertha
 * sends. Versioned so that peers can reject what they do not speak.
 */
#ifndef _BERTHA_WIRE_H
#define _BERTHA_WIRE_H

#include <linux/types.h>

#define BERTHA_WIRE_VERSION	1

/**
 * enum bertha_wire_type - what a datagram carries
 * @BERTHA_WIRE_HELLO: a client's connection request with its DAG
 * @BERTHA_WIRE_ACCEPT: the listener's answer with the binding
 * @BERTHA_WIRE_REJECT: the listener's refusal with a reason code
 * @BERTHA_WIRE_DATA: a message of an established connection
 * @BERTHA_WIRE_TYPE_MAX: highest valid type
 */
enum bertha_wire_type {
	BERTHA_WIRE_HELLO = 1,
	BERTHA_WIRE_ACCEPT,
	BERTHA_WIRE_REJECT,
	BERTHA_WIRE_DATA,
	BERTHA_WIRE_TYPE_MAX = BERTHA_WIRE_DATA,
};

/**
 * struct bertha_wire_hdr - leads every bertha datagram
 * @version: %BERTHA_WIRE_VERSION
 * @type: &enum bertha_wire_type
 * @flags: per-type flags, network byte order
 * @conn_id: the receiver's connection id, network byte order
 */
struct bertha_wire_hdr {
	u8	version;
	u8	type;
	__be16	flags;
	__be32	conn_id;
};

#endif /* _BERTHA_WIRE_H */
