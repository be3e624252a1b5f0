/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ``reliable`` chunnel's own wire flags and connection attributes:
 * what its peer, the XDP shard program and tools that read a connection
 * dump need to know of it.
 */
#ifndef _BERTHA_RELIABLE_H
#define _BERTHA_RELIABLE_H

/* DATA flags it owns: a sequence number (__be32) leads the message; a
 * sequenced end of stream carries no message.
 */
#define BERTHA_REL_F_SEQ	0x0001
#define BERTHA_REL_F_FIN	0x0002

/**
 * enum bertha_rel_info_attrs - ``reliable``'s view of a connection, nested
 *	in %BERTHA_BINDING_NODE_A_INFO of a connection dump, all u32
 * @BERTHA_REL_INFO_A_UNSPEC: unused
 * @BERTHA_REL_INFO_A_CWND: congestion window, in messages
 * @BERTHA_REL_INFO_A_SRTT_US: smoothed round trip time, microseconds
 * @BERTHA_REL_INFO_A_RTO_US: retransmission timeout, microseconds
 * @BERTHA_REL_INFO_A_INFLIGHT: messages sent and not acknowledged
 * @BERTHA_REL_INFO_A_SND_NXT: the next sequence number to send
 * @BERTHA_REL_INFO_A_RCV_NXT: the next sequence number to deliver
 * @__BERTHA_REL_INFO_A_MAX: internal
 */
enum bertha_rel_info_attrs {
	BERTHA_REL_INFO_A_UNSPEC,
	BERTHA_REL_INFO_A_CWND,
	BERTHA_REL_INFO_A_SRTT_US,
	BERTHA_REL_INFO_A_RTO_US,
	BERTHA_REL_INFO_A_INFLIGHT,
	BERTHA_REL_INFO_A_SND_NXT,
	BERTHA_REL_INFO_A_RCV_NXT,
	__BERTHA_REL_INFO_A_MAX,
};

#endif /* _BERTHA_RELIABLE_H */
