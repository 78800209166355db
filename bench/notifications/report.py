"""Turning run results into lines while running and a Markdown table of medians at the end."""

from __future__ import annotations

from .infra import median

DELIVERY_MODES = ("drain", "live", "rate", "memory")


def key(result: dict) -> tuple:
    if result["mode"] in DELIVERY_MODES:
        return (result["path"], result["mode"], float(result.get("latency_ms", 0) or 0))
    return (result["mode"],)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def line(result: dict) -> str:
    mode = result["mode"]
    if mode == "fanout":
        rates = ", ".join(f"{run['rows_per_s']:,.0f}" for run in result["runs"])
        return f"fanout {result['recipients']:,} recipients: {rates} rows/s; queries " \
               f"{result['queries_by_recipients']}"
    if mode == "queries":
        places = "; ".join(f"{p['queries']} queries for {p['orders']} order(s), {p['rows']} rows"
                           for p in result["order_place"])
        emits = "; ".join(f"{e['queries']} queries for {e['rows']} rows"
                          for e in result["emit_order_placed"])
        return (f"queries: order_place {places}; emit order.placed {emits}; announcement "
                f"(recipients: queries) {result['announcement']}")
    text = (f"{result['path']:<11} {mode:<6} lat={result.get('latency_ms', 0):>4} "
            f"sent={result['sent']:>6} in {result['seconds']:7.1f} s = {result['rate']:7.1f}/s"
            f"  emit {result.get('emit_rate', 0):7.1f}/s")
    if "latency_p50" in result:
        text += f"  p50 {_ms(result['latency_p50'])} p99 {_ms(result['latency_p99'])}"
    if result.get("incomplete"):
        text += f"  INCOMPLETE {result['incomplete']}"
    return text + f"  load {result['load_before']}"


def _memory(result: dict) -> str:
    samples = [s for s in result.get("rss", []) if s["children"]]
    if not samples:
        return "no samples"
    early = next((s for s in samples if s["delivered"] >= result["sent"] * 0.1), samples[0])
    last = samples[-1]
    peak = max(max(s["children"]) for s in samples)
    return (f"children {early['children']} KiB at {early['delivered']:,} sent -> "
            f"{last['children']} KiB at {last['delivered']:,}; peak child {peak} KiB; "
            f"main {early['main']} -> {last['main']} KiB")


def table(grouped: dict, minutes: float) -> str:
    rows = ["| scenario | runs | delivered/s (median) | emit/s | p50 | p99 | load (1-min) |",
            "|---|---|---|---|---|---|---|"]
    extra = []
    for group_key, results in grouped.items():
        if group_key[0] in ("fanout", "queries"):
            extra.append(line(results[-1]))
            continue
        if group_key[1] == "memory":
            extra.append(f"memory ({results[-1]['sent']:,} messages): {_memory(results[-1])}")
        path, mode, latency = group_key
        name = f"{path} {mode}" + (f" (+{latency:.0f} ms/call)" if latency else "")
        rows.append(
            f"| {name} | {len(results)} | {median([r['rate'] for r in results]):,.0f} | "
            f"{median([r.get('emit_rate', 0) for r in results]):,.0f} | "
            + (f"{_ms(median([r['latency_p50'] for r in results]))} | "
               f"{_ms(median([r['latency_p99'] for r in results]))} | "
               if "latency_p50" in results[0] else "- | - | ")
            + f"{', '.join(r['load_before'].split()[0] for r in results)} |")
    return "\n".join([*rows, "", *extra, f"(total {minutes:.1f} min)"])
