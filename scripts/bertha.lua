-- SPDX-License-Identifier: GPL-2.0
--
-- A Wireshark dissector for bertha's wire format, version 2
-- (Documentation/bertha.rst, "Wire format"): every UDP datagram a bertha
-- port sends starts with an 8-byte header (version, type, flags, connection
-- id); HELLO, ACCEPT, REJECT and RETRY carry netlink-style attributes,
-- CLOSE, KEEPALIVE and CHUNNEL the connection's cookie; every field is
-- big-endian.
--
--   tshark -X lua_script:scripts/bertha.lua -r capture.pcap
--   wireshark -X lua_script:scripts/bertha.lua
--
-- bertha has no well-known port: datagrams are recognised by their header
-- (version 1 or 2, a known type), or with "Decode As" / -d udp.port==P,bertha.

local bertha = Proto("bertha", "bertha wire protocol")

local types = {
	[1] = "HELLO", [2] = "ACCEPT", [3] = "REJECT", [4] = "DATA",
	[5] = "CLOSE", [6] = "CHUNNEL", [7] = "RETRY", [8] = "KEEPALIVE",
}
local wire_attrs = {
	[1] = "CONN_ID", [2] = "SOCK_TYPE", [3] = "HOST_ID", [4] = "COOKIE",
	[5] = "DAG", [6] = "IMPL", [7] = "BOUND", [8] = "REASON", [9] = "LOCAL",
	[10] = "VERSION", [11] = "TOKEN",
}
local chunnel_attrs = {
	[1] = "TYPE", [2] = "NAME", [3] = "PRIORITY", [4] = "SCOPE",
	[5] = "ENDPOINTS", [6] = "WHERE", [7] = "CHOICE", [8] = "OWN",
}
local reasons = {
	[0] = "NONE", [1] = "NOT_LISTENING", [2] = "MALFORMED",
	[3] = "DAG_MISMATCH", [4] = "NO_IMPLEMENTATION", [5] = "VERSION",
}
-- how a value reads: u32, u64, string, nest (of chunnel attributes), bytes
local wire_kinds = {
	[1] = "u32", [2] = "u32", [3] = "u64", [4] = "u64", [5] = "bytes",
	[6] = "nest", [7] = "nest", [8] = "u32", [9] = "bytes", [10] = "u32",
	[11] = "u64",
}
local chunnel_kinds = {
	[1] = "string", [2] = "string", [3] = "u32", [4] = "u32", [5] = "u32",
	[6] = "u32", [7] = "u32", [8] = "bytes",
}

local f = bertha.fields
f.version = ProtoField.uint8("bertha.version", "Version")
f.type = ProtoField.uint8("bertha.type", "Type", base.DEC, types)
f.flags = ProtoField.uint16("bertha.flags", "Flags", base.HEX)
f.close_write = ProtoField.bool("bertha.flags.write", "Write side (F_WRITE)", 16, nil, 0x0001)
f.close_read = ProtoField.bool("bertha.flags.read", "Read side (F_READ)", 16, nil, 0x0002)
f.close_reset = ProtoField.bool("bertha.flags.reset", "Reset (F_RESET)", 16, nil, 0x0004)
f.close_ack = ProtoField.bool("bertha.flags.ack", "Echo (F_ACK)", 16, nil, 0x0008)
f.close_abort = ProtoField.bool("bertha.flags.abort", "Abort (F_ABORT)", 16, nil, 0x0010)
f.node = ProtoField.uint8("bertha.chunnel.node", "Chunnel node")
f.subtype = ProtoField.uint8("bertha.chunnel.subtype", "Chunnel sub-type")
f.conn_id = ProtoField.uint32("bertha.conn_id", "Connection id", base.HEX)
f.cookie = ProtoField.uint64("bertha.cookie", "Cookie", base.HEX)
f.attr = ProtoField.uint16("bertha.attr", "Attribute", base.DEC, wire_attrs)
f.attr_len = ProtoField.uint16("bertha.attr.len", "Length")
f.a_conn_id = ProtoField.uint32("bertha.a.conn_id", "CONN_ID", base.HEX)
f.a_sock_type = ProtoField.uint32("bertha.a.sock_type", "SOCK_TYPE")
f.a_host_id = ProtoField.uint64("bertha.a.host_id", "HOST_ID", base.HEX)
f.a_cookie = ProtoField.uint64("bertha.a.cookie", "COOKIE", base.HEX)
f.a_reason = ProtoField.uint32("bertha.a.reason", "REASON", base.DEC, reasons)
f.a_version = ProtoField.uint32("bertha.a.version", "VERSION")
f.a_token = ProtoField.uint64("bertha.a.token", "TOKEN", base.HEX)
f.a_bytes = ProtoField.bytes("bertha.a.bytes", "Value")
f.c_type = ProtoField.string("bertha.c.type", "Chunnel type")
f.c_name = ProtoField.string("bertha.c.name", "Implementation")
f.c_u32 = ProtoField.uint32("bertha.c.value", "Value")
f.payload = ProtoField.bytes("bertha.payload", "Payload")

local wire_fields = {
	[1] = f.a_conn_id, [2] = f.a_sock_type, [3] = f.a_host_id,
	[4] = f.a_cookie, [8] = f.a_reason, [10] = f.a_version,
	[11] = f.a_token,
}

local e_malformed = ProtoExpert.new("bertha.malformed", "Malformed attribute",
				    expert.group.MALFORMED, expert.severity.ERROR)
bertha.experts = { e_malformed }

-- The attributes in buf(off, len) (names, kinds, fields by type) into tree.
local function attrs(buf, off, len, tree, names, kinds, fields)
	local stop = off + len
	while off + 4 <= stop do
		local alen = buf(off, 2):uint()
		local atype = bit.band(buf(off + 2, 2):uint(), 0x3fff)
		if alen < 4 or off + alen > stop then
			tree:add_proto_expert_info(e_malformed)
			return
		end
		local name = names[atype] or ("attribute " .. atype)
		local sub = tree:add(bertha, buf(off, alen), name)
		local v = buf(off + 4, alen - 4)
		local kind = kinds[atype] or "bytes"
		sub:add(f.attr_len, buf(off, 2))
		if kind == "u32" and alen == 8 then
			if fields and fields[atype] then
				sub:add(fields[atype], v)
			else
				sub:add(f.c_u32, v)
			end
			sub:append_text(": " .. v:uint())
		elseif kind == "u64" and alen == 12 then
			sub:add(fields[atype], v)
			sub:append_text(": 0x" .. v:uint64():tohex())
		elseif kind == "string" and alen > 4 then
			sub:add(atype == 1 and f.c_type or f.c_name, v)
			sub:append_text(": " .. v:stringz())
		elseif kind == "nest" then
			attrs(buf, off + 4, alen - 4, sub, chunnel_attrs,
			      chunnel_kinds, nil)
		elseif alen > 4 then
			sub:add(f.a_bytes, v)
		end
		off = off + bit.band(alen + 3, bit.bnot(3))
	end
end

local function dissect(buf, pinfo, tree)
	local n = buf:len()
	if n < 8 then
		return 0
	end
	local version = buf(0, 1):uint()
	local t = buf(1, 1):uint()
	pinfo.cols.protocol = "bertha"
	local root = tree:add(bertha, buf(), "bertha")
	root:add(f.version, buf(0, 1))
	root:add(f.type, buf(1, 1))
	local flags = root:add(f.flags, buf(2, 2))
	root:add(f.conn_id, buf(4, 4))
	local info = (types[t] or ("type " .. t)) ..
		     string.format(" id=0x%08x", buf(4, 4):uint())
	if version ~= 2 then
		-- version 1 wrote attributes in its sender's byte order
		pinfo.cols.info = info .. " (version " .. version .. ")"
		return n
	end
	if t == 5 then
		flags:add(f.close_write, buf(2, 2))
		flags:add(f.close_read, buf(2, 2))
		flags:add(f.close_reset, buf(2, 2))
		flags:add(f.close_ack, buf(2, 2))
		flags:add(f.close_abort, buf(2, 2))
		local fl = buf(2, 2):uint()
		if bit.band(fl, 0x0008) ~= 0 then
			info = info .. " [ACK]"
		end
		if bit.band(fl, 0x0010) ~= 0 then
			info = info .. " [ABORT]"
		end
	elseif t == 6 then
		flags:add(f.node, buf(2, 1))
		flags:add(f.subtype, buf(3, 1))
	end
	if (t == 5 or t == 6 or t == 8) and n >= 16 then
		root:add(f.cookie, buf(8, 8))
		if n > 16 then
			root:add(f.payload, buf(16, n - 16))
		end
	elseif t == 1 or t == 2 or t == 3 or t == 7 then
		attrs(buf, 8, n - 8, root, wire_attrs, wire_kinds, wire_fields)
	elseif n > 8 then
		root:add(f.payload, buf(8, n - 8))
		info = info .. " len=" .. (n - 8)
	end
	pinfo.cols.info = info
	return n
end

function bertha.dissector(buf, pinfo, tree)
	return dissect(buf, pinfo, tree)
end

-- Recognised by its header: a version bertha spoke and a known type.
local function heuristic(buf, pinfo, tree)
	if buf:len() < 8 then
		return false
	end
	local version = buf(0, 1):uint()
	local t = buf(1, 1):uint()
	if (version ~= 1 and version ~= 2) or not types[t] then
		return false
	end
	dissect(buf, pinfo, tree)
	return true
end

bertha:register_heuristic("udp", heuristic)
DissectorTable.get("udp.port"):add_for_decode_as(bertha)
