#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The figures of `make bench` from the raw results bench.sh leaves.

    bench_report.py [--summary] [--plot-data] DIR

reads DIR/raw.jsonl (one line per client run and round) and DIR/meta.json,
takes for each figure the median of the rounds, and prints a table with
every figure, its ratio to AF_UNIX and to TCP over veth, and the issue's
target for the local path; then the reliable set: one-way throughput of
AF_BERTHA with the DAG "reliable" at both ends (network path) against TCP,
per message size and netem loss, with the ratio and the issue's goal.
Then, from DIR/ycsb.jsonl (ycsb.sh), the YCSB-A of the sharded key-value
example: per shard count and shard implementation, the throughput of the
two clients together, the worse client's p50/p95/p99 latency and the ratio
of the throughput to the server fallback's at the same shard count
(medians over the rounds). Either part may be missing (BENCH_ONLY=ycsb,
BENCH_YCSB=0). --summary writes DIR/summary.json (figures, ratios,
targets, the reliable set, "ycsb", meta and the raw runs); --plot-data
writes the *.dat files bench.gp and ycsb.gp plot. Targets are reported, never asserted: the exit status is non-zero
only when the results cannot be read.
"""
import json
import statistics
import sys

RUNS = ["bertha-local", "bertha-remote", "tcp", "udp", "unix",
        "bertha-dgram", "unix-dgram"]
HEAD = {"bertha-local": "bertha-local", "bertha-remote": "bertha-remote",
        "tcp": "tcp-veth", "udp": "udp-veth", "unix": "unix-seqpacket",
        "bertha-dgram": "bertha-dgram", "unix-dgram": "unix-dgram",
        "bertha-reliable": "bertha-reliable"}
# SOCK_DGRAM on the local path against its own IPC reference (issue 17).
DGRAM_RATIO = "bertha-dgram/unix-dgram"
# The reliable set (issue 6): its runs, and the goal for reliable / TCP
# without loss (at or above).
REL_RUNS = ["bertha-reliable", "tcp"]
REL_GOAL = 0.8


def load(d):
    """The runs, one per round and variant, each with all its figures, and
    the reliable set's runs (one per round, variant, size and loss).

    bench.sh runs one figure at a time (ping-pong one size at a time); the
    lines of a round and variant are merged here.
    """
    rounds, by_key, rel = [], {}, []
    with open(d + "/raw.jsonl") as f:
        for line in f:
            if not line.strip():
                continue
            x = json.loads(line)
            if x.get("set") == "reliable":
                rel.append(x)
                continue
            r = x["result"]
            key = (x["round"], r["label"])
            if key not in by_key:
                by_key[key] = {"round": x["round"], "result": dict(r, rtt=[])}
                rounds.append(by_key[key])
            m = by_key[key]["result"]
            for k, v in r.items():
                if k == "rtt":
                    m["rtt"].extend(v)
                elif k == "ok":
                    m["ok"] = m.get("ok", True) and v
                else:
                    m[k] = v
    try:
        with open(d + "/meta.json") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        meta = {}
    return meta, rounds, rel


def median(vals):
    vals = [v for v in vals if v is not None and v >= 0]
    return statistics.median(vals) if vals else None


def figures(rounds):
    """[(id, label, unit, better, {run: median})] in table order."""
    by_run = {r: [x["result"] for x in rounds if x["result"]["label"] == r]
              for r in RUNS}
    sizes = []
    for res in by_run.values():
        for x in (res[0]["rtt"] if res else []):
            if x["size"] not in sizes:
                sizes.append(x["size"])
    out = []

    def rtt(size, key):
        return lambda res: next((x[key] for x in res["rtt"]
                                 if x["size"] == size and x["n"] > 0), None)

    for key, name in (("p50_us", "p50"), ("p99_us", "p99")):
        for s in sizes:
            out.append(("rtt_%s_%d" % (name, s), "RTT %s %d B" % (name, s),
                        "us", "lower", rtt(s, key)))
    out.append(("throughput", "throughput %d B" % first(by_run, "throughput", "size"),
                "MB/s", "higher", lambda res: res.get("throughput", {}).get("MBps")))
    out.append(("msgrate", "message rate %d B" % first(by_run, "msgrate", "size"),
                "msgs/s", "higher", lambda res: res.get("msgrate", {}).get("msgs_per_s")))
    out.append(("connect", "connections (1 req/reply)", "conn/s", "higher",
                lambda res: res.get("connect", {}).get("per_s")))
    table = []
    for fid, label, unit, better, get in out:
        per_round = {r: [get(res) for res in by_run[r]] for r in RUNS}
        vals = {r: median(v) for r, v in per_round.items()}
        table.append((fid, label, unit, better, vals, per_round))
    return table, by_run


def first(by_run, fig, key):
    for res in by_run.values():
        for x in res:
            if fig in x:
                return x[fig][key]
    return 0


# The targets for the local path: (reference, bound); lower-is-better
# figures must stay at or below the bound, higher-is-better at or above.
def targets(fid):
    if fid.startswith("rtt_"):
        return {"unix": 1.0, "tcp": 0.5}
    if fid == "throughput":
        return {"unix": 1.0, "tcp": 2.0}
    if fid == "connect":
        return {"tcp": 1.0}
    return {}


def ratio(a, b):
    return a / b if a is not None and b else None


def loss_text(loss):
    return "%g%% loss" % loss


def reliable_set(rel):
    """The reliable set's figures, in the order bench.sh ran them."""
    keys = []
    for x in rel:
        k = (x["size"], x["loss_pct"])
        if k not in keys:
            keys.append(k)
    figs = []
    for size, loss in keys:
        res = {r: [x for x in rel if (x["size"], x["loss_pct"]) == (size, loss)
                   and x["result"]["label"] == r] for r in REL_RUNS}
        per_round = {r: [x["result"].get("throughput", {}).get("MBps")
                         for x in res[r]] for r in REL_RUNS}
        vals = {r: median(v) for r, v in per_round.items()}
        rel_tcp = ratio(vals["bertha-reliable"], vals["tcp"])
        # reliable over TCP within each round (they ran seconds apart)
        paired = {}
        for r in REL_RUNS:
            for x in res[r]:
                paired.setdefault(x["round"], {})[r] = \
                    x["result"].get("throughput", {}).get("MBps")
        per_round_ratio = [ratio(p.get("bertha-reliable"), p.get("tcp"))
                           for _, p in sorted(paired.items())]
        goal = {"tcp": REL_GOAL} if loss == 0 else {}
        met = {"tcp": None if rel_tcp is None else rel_tcp >= REL_GOAL} if goal else {}
        delivered = {}
        for r in REL_RUNS:
            tp = [x["result"]["throughput"] for x in res[r] if "throughput" in x["result"]]
            sent = sum(t["sent"] for t in tp)
            delivered[r] = sum(t["delivered"] for t in tp) / sent if sent else None
        # whether every bertha-reliable run's binding ran the chunnel
        ran = all(x["result"].get("throughput", {}).get("reliable", True)
                  for x in res["bertha-reliable"])
        figs.append({"id": "rel_tput_%d_loss%g" % (size, loss),
                     "label": "throughput %d B, %s (reliable)" % (size, loss_text(loss)),
                     "size": size, "loss_pct": loss, "unit": "MB/s",
                     "better": "higher", "values": vals, "per_round": per_round,
                     "ratios": {"bertha-reliable/tcp": rel_tcp},
                     "ratio_per_round": per_round_ratio,
                     "goal": goal, "goal_met": met, "ran_reliable": ran,
                     "delivered_fraction": delivered})
    return figs


def summarize(meta, rounds, rel):
    table, by_run = figures(rounds)
    figs = []
    for fid, label, unit, better, vals, per_round in table:
        ratios = {}
        for run in ("bertha-local", "bertha-remote"):
            for ref in ("unix", "tcp"):
                ratios["%s/%s" % (run, ref)] = ratio(vals[run], vals[ref])
        ratios[DGRAM_RATIO] = ratio(vals["bertha-dgram"], vals["unix-dgram"])
        tg = targets(fid)
        met = {}
        for ref, bound in tg.items():
            r = ratios["bertha-local/" + ref]
            met[ref] = None if r is None else (r <= bound if better == "lower"
                                               else r >= bound)
        figs.append({"id": fid, "label": label, "unit": unit, "better": better,
                     "values": vals, "per_round": per_round, "ratios": ratios,
                     "target_local": tg, "target_met": met})
    delivery = {}
    for run, res in by_run.items():
        for fig in ("throughput", "msgrate"):
            sent = sum(x[fig]["sent"] for x in res if fig in x)
            got = sum(x[fig]["delivered"] for x in res if fig in x)
            delivery.setdefault(run, {})[fig] = got / sent if sent else None
    return {"meta": meta, "figures": figs, "delivered_fraction": delivery,
            "reliable": reliable_set(rel), "runs": rounds, "reliable_runs": rel}


def fmt(v, unit=None):
    if v is None:
        return "-"
    if unit == "msgs/s" or (unit == "conn/s" and v >= 100):
        return "%.0f" % v
    return "%.1f" % v if v >= 10 else "%.2f" % v


def fmt_ratio(r):
    return "-" if r is None else "%.2fx" % r


def target_text(f):
    tg, met = f["target_local"], f["target_met"]
    if not tg:
        return ""
    op = "<=" if f["better"] == "lower" else ">="
    parts = []
    for ref, bound in tg.items():
        ok = met.get(ref)
        parts.append("%s%g %s %s" % (op, bound, ref,
                                     "?" if ok is None else "met" if ok else "MISSED"))
    return ", ".join(parts)


def print_table(s):
    meta = s["meta"]
    print("bertha bench: kernel %s, %s CPU(s)%s, %s round(s), %s UTC; medians of the rounds"
          % (meta.get("kernel", "?"), meta.get("cpus", "?"),
             " (under a hypervisor: absolute times are distorted, read the ratios)"
             if meta.get("hypervisor") else "", meta.get("rounds", "?"),
             meta.get("date", "?")))
    print("local = AF_BERTHA with `berthactl local on`, remote = `local off`;"
          " D = AF_BERTHA SOCK_DGRAM on the local path;"
          " 64000 B stands for 64 KiB for every transport")
    cols = ["%-27s %-7s" % ("figure", "unit")]
    cols += ["%14s" % HEAD[r] for r in RUNS]
    cols += ["%8s" % h for h in ("L/unix", "L/tcp", "R/unix", "R/tcp", "D/unixdg")]
    cols.append("  target for local (issue 5)")
    print(" ".join(cols))
    for f in s["figures"]:
        v, r = f["values"], f["ratios"]
        row = ["%-27s %-7s" % (f["label"], f["unit"])]
        row += ["%14s" % fmt(v[run], f["unit"]) for run in RUNS]
        row += ["%8s" % fmt_ratio(r[k]) for k in
                ("bertha-local/unix", "bertha-local/tcp",
                 "bertha-remote/unix", "bertha-remote/tcp", DGRAM_RATIO)]
        row.append("  " + target_text(f))
        print(" ".join(row))
    spread = []
    for run in RUNS:
        rel = []
        for f in s["figures"]:
            v = [x for x in f["per_round"][run] if x is not None and x > 0]
            if len(v) > 1:
                rel.append(max(v) / min(v))
        if rel:
            spread.append("%s %.2f" % (HEAD[run], statistics.median(rel)))
    if spread:
        print("round-to-round spread (largest/smallest round, median over the figures): "
              + ", ".join(spread))
    lossy = []
    for run, d in s["delivered_fraction"].items():
        for fig, frac in d.items():
            if frac is not None and frac < 0.999:
                lossy.append("%s %s %.1f%%" % (HEAD[run], fig, frac * 100))
    if lossy:
        print("delivered/sent in one-way runs (rates above count delivered messages only): "
              + ", ".join(lossy))
    print_reliable(s)
    failed = [x["result"]["label"] + " round %d" % x["round"]
              for x in s["runs"] if not x["result"].get("ok", True)]
    failed += ["%s %d B %s round %d" % (x["result"]["label"], x["size"],
                                        loss_text(x["loss_pct"]), x["round"])
               for x in s["reliable_runs"] if not x["result"].get("ok", True)]
    if failed:
        print("runs with errors or lost round trips (see the raw results): "
              + ", ".join(failed))


def print_reliable(s):
    if not s["reliable"]:
        return
    print()
    print("reliable (issue 6): one-way throughput, AF_BERTHA with the DAG \"reliable\" at"
          " both ends over veth (local off) vs TCP; netem loss on both veth ends;"
          " medians of %s round(s)" % s["meta"].get("rel_rounds", "?"))
    print("%-40s %-7s %15s %14s %8s %12s  %s" % (
        "figure", "unit", HEAD["bertha-reliable"], HEAD["tcp"], "Rel/tcp",
        "each round", "goal (issue 6)"))
    for f in s["reliable"]:
        v = f["values"]
        goal = ""
        if f["goal"]:
            ok = f["goal_met"]["tcp"]
            goal = ">=%g tcp %s" % (REL_GOAL, "?" if ok is None else "met" if ok else "MISSED")
        rr = [x for x in f["ratio_per_round"] if x is not None]
        print("%-40s %-7s %15s %14s %8s %12s  %s" % (
            f["label"], f["unit"], fmt(v["bertha-reliable"]), fmt(v["tcp"]),
            fmt_ratio(f["ratios"]["bertha-reliable/tcp"]),
            "%.2f-%.2f" % (min(rr), max(rr)) if rr else "-", goal))
    print("delivered/sent (reliable): " + ", ".join(
        "%d B %s %s" % (f["size"], loss_text(f["loss_pct"]),
                        "-" if f["delivered_fraction"]["bertha-reliable"] is None
                        else "%.1f%%" % (f["delivered_fraction"]["bertha-reliable"] * 100))
        for f in s["reliable"]))
    odd = ["%d B %s" % (f["size"], loss_text(f["loss_pct"]))
           for f in s["reliable"] if not f["ran_reliable"]]
    if odd:
        print("bench: warning: the binding did not run reliable (local path?) in: "
              + ", ".join(odd))


def plot_data(s, d):
    figs = {f["id"]: f for f in s["figures"]}
    for name in ("p50", "p99"):
        with open("%s/rtt_%s.dat" % (d, name), "w") as out:
            out.write("size " + " ".join(HEAD[r] for r in RUNS) + "\n")
            for f in s["figures"]:
                if f["id"].startswith("rtt_%s_" % name):
                    size = f["id"].rsplit("_", 1)[1]
                    out.write(size + " " + " ".join(
                        "-" if f["values"][r] is None else "%.3f" % f["values"][r]
                        for r in RUNS) + "\n")
    with open(d + "/rates.dat", "w") as out:
        out.write("# run throughput_MBps msgrate_msgs_per_s connect_per_s\n")
        for r in RUNS:
            out.write(r.replace("bertha-", "").replace("unix-dgram", "unixdg") + " " + " ".join(
                "-" if figs[k]["values"][r] is None else "%.3f" % figs[k]["values"][r]
                for k in ("throughput", "msgrate", "connect")) + "\n")
    # the local path against the targets, one cluster per figure
    with open(d + "/ratios.dat", "w") as out:
        out.write("figure L/unix L/tcp\n")
        for f in s["figures"]:
            if f["id"].startswith("rtt_p99") or f["id"] == "msgrate":
                continue
            name = f["id"].replace("rtt_p50_", "rtt").replace("throughput", "tput")
            out.write(name + " " + " ".join(
                "-" if f["ratios"][k] is None else "%.3f" % f["ratios"][k]
                for k in ("bertha-local/unix", "bertha-local/tcp")) + "\n")
    # the reliable set: one cluster per size and loss, Rel/tcp in the label
    with open(d + "/reliable.dat", "w") as out:
        out.write("figure bertha-reliable tcp-veth Rel/tcp\n")
        for f in s["reliable"]:
            v, r = f["values"], f["ratios"]["bertha-reliable/tcp"]
            out.write("%dB,%g%%loss %s %s\n" % (
                f["size"], f["loss_pct"],
                " ".join("-" if v[k] is None else "%.3f" % v[k] for k in REL_RUNS),
                "-" if r is None else "%.2fx" % r))


YCSB_MODES = ["push", "xdp", "mixed", "server"]
YCSB_HEAD = {"push": "client push", "xdp": "server XDP", "mixed": "mixed",
             "server": "server fallback"}
# the paper's §5 Fig. 5: XDP and client push about 9x the fallback at 8 shards
YCSB_PAPER = {"push": 9.0, "xdp": 9.0}


def ycsb_load(d):
    """The YCSB lines and meta, or (None, None) without ycsb.jsonl."""
    try:
        with open(d + "/ycsb.jsonl") as f:
            lines = [json.loads(l) for l in f if l.strip()]
    except OSError:
        return None, None
    try:
        with open(d + "/ycsb-meta.json") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        meta = {}
    return meta, lines


def ycsb_summary(meta, lines):
    cells = {}
    for x in lines:
        c = x["clients"]
        cells.setdefault((x["shards"], x["mode"]), []).append({
            "ops_per_sec": sum(y["ops_per_sec"] for y in c),
            "p50_us": max(y["p50_us"] for y in c),
            "p95_us": max(y["p95_us"] for y in c),
            "p99_us": max(y["p99_us"] for y in c),
            "retries": sum(y["retries"] for y in c),
            "lost": sum(y["lost"] for y in c),
            "mismatches": sum(y["mismatches"] for y in c),
            "ok": all(e == 0 for e in x["exit"]),
            "pushed": x["pushed"], "forwarded": x["forwarded"],
            "steered": x["steered"]})
    out = []
    for (n, mode), runs in sorted(cells.items(),
                                  key=lambda k: (k[0][0], YCSB_MODES.index(k[0][1])
                                                 if k[0][1] in YCSB_MODES else 99)):
        cell = {"shards": n, "mode": mode, "rounds": len(runs)}
        for k in ("ops_per_sec", "p50_us", "p95_us", "p99_us"):
            cell[k] = median([r[k] for r in runs])
        for k in ("retries", "lost", "mismatches"):
            cell[k] = sum(r[k] for r in runs)
        cell["ok"] = all(r["ok"] for r in runs)
        # the last round's counters: which path carried the requests
        for k in ("pushed", "forwarded", "steered"):
            cell[k] = runs[-1][k]
        out.append(cell)
    for cell in out:
        base = [c for c in out if c["shards"] == cell["shards"] and c["mode"] == "server"]
        cell["vs_server"] = ratio(cell["ops_per_sec"], base[0]["ops_per_sec"]) if base else None
    return {"meta": meta, "cells": out, "paper": YCSB_PAPER}


def print_ycsb(y):
    m = y["meta"]
    print()
    print("YCSB-A, sharded key-value example over %s (2 clients, %s ops each, "
          "%s records, %s B values, window %s; %s CPU(s); medians of %s round(s))" % (
              "shard |> reliable" if m.get("reliable") else "shard",
              m.get("ops"), m.get("records"), m.get("value_size"), m.get("window"),
              m.get("cpus"), m.get("rounds")))
    print("%-6s %-16s %10s %9s %9s %9s %9s  %s" % (
        "shards", "implementation", "ops/s", "p50 us", "p95 us", "p99 us",
        "/server", "path (pushed; forwarded; steered), retries, mismatches"))
    for c in y["cells"]:
        print("%-6d %-16s %10.0f %9.0f %9.0f %9.0f %9s  %s; %d; %d, %d, %d%s" % (
            c["shards"], YCSB_HEAD.get(c["mode"], c["mode"]), c["ops_per_sec"],
            c["p50_us"], c["p95_us"], c["p99_us"], fmt_ratio(c["vs_server"]),
            "+".join(str(p) for p in c["pushed"]), c["forwarded"], c["steered"],
            c["retries"], c["mismatches"], "" if c["ok"] else "  FAILED (lost or mismatch)"))
    print("paper (§5 Fig. 5): server XDP and client push about 9x the fallback at 8 "
          "shards. Under TCG only the ratios mean something.")


def ycsb_plot_data(y, d):
    shards = sorted({c["shards"] for c in y["cells"]})
    with open(d + "/ycsb.dat", "w") as out:
        out.write("shards " + " ".join('"%s"' % YCSB_HEAD[m] for m in YCSB_MODES) + "\n")
        for n in shards:
            row = []
            for m in YCSB_MODES:
                c = [c for c in y["cells"] if c["shards"] == n and c["mode"] == m]
                row.append("%.1f" % c[0]["ops_per_sec"] if c else "-")
            out.write("%d %s\n" % (n, " ".join(row)))
    with open(d + "/ycsb_p99.dat", "w") as out:
        out.write("shards " + " ".join('"%s"' % YCSB_HEAD[m] for m in YCSB_MODES) + "\n")
        for n in shards:
            row = []
            for m in YCSB_MODES:
                c = [c for c in y["cells"] if c["shards"] == n and c["mode"] == m]
                row.append("%.1f" % c[0]["p99_us"] if c else "-")
            out.write("%d %s\n" % (n, " ".join(row)))


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    d = args[0]
    try:
        meta, rounds, rel = load(d)
    except OSError:
        meta, rounds, rel = {}, [], []
    except ValueError as e:
        print("bench_report: %s: %s" % (d, e), file=sys.stderr)
        return 1
    try:
        ymeta, ylines = ycsb_load(d)
    except ValueError as e:
        print("bench_report: %s/ycsb.jsonl: %s" % (d, e), file=sys.stderr)
        return 1
    if not rounds and not ylines:
        print("bench_report: %s: no results (raw.jsonl, ycsb.jsonl)" % d, file=sys.stderr)
        return 1
    s = summarize(meta, rounds, rel) if rounds else {"meta": ymeta}
    if ylines:
        s["ycsb"] = ycsb_summary(ymeta, ylines)
    if "--summary" in argv:
        with open(d + "/summary.json", "w") as out:
            json.dump(s, out, indent=1)
            out.write("\n")
    if "--plot-data" in argv:
        if rounds:
            plot_data(s, d)
        if ylines:
            ycsb_plot_data(s["ycsb"], d)
    if rounds:
        print_table(s)
    if ylines:
        print_ycsb(s["ycsb"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
