#!/usr/bin/env python3
"""Renders the Grafana dashboard's panels from a Prometheus server's data, with gnuplot.
Usage: render_dashboard.py PROMETHEUS_URL DASHBOARD_JSON START END OUT_PNG
Each panel's own PromQL is queried over [START, END] (unix seconds); $__rate_interval becomes 20s."""
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

prom, dashboard, start, end, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
dash = json.load(open(dashboard))
work = tempfile.mkdtemp(prefix="genledger-render-")


def query(expr):
    q = urllib.parse.urlencode({"query": expr.replace("$__rate_interval", "20s"),
                                "start": start, "end": end, "step": "2"})
    with urllib.request.urlopen(prom + "/api/v1/query_range?" + q) as r:
        body = json.load(r)
    return body["data"]["result"]


def legend(fmt, labels):
    name = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), fmt)
    return name or "value"


plots = []
for panel in sorted(dash["panels"], key=lambda p: (p["gridPos"]["y"], p["gridPos"]["x"])):
    series = []
    for t in panel["targets"]:
        for s in query(t["expr"]):
            path = os.path.join(work, "s%d.dat" % len(os.listdir(work)))
            with open(path, "w") as f:
                for ts, v in s["values"]:
                    if v not in ("NaN", "+Inf", "-Inf"):
                        f.write("%f %s\n" % (float(ts) - start, v))
            series.append((path, legend(t.get("legendFormat", ""), s["metric"])))
    plots.append((panel["title"], series))

cols, rows = 2, (len(plots) + 1) // 2
g = ["set terminal pngcairo size 1600,%d font 'DejaVu Sans,10'" % (rows * 330),
     "set output '%s'" % out,
     "set multiplot layout %d,%d title '%s (%.0f s of a load run)' font ',14'" % (rows, cols, dash["title"].replace("'", ""), end - start),
     "set grid", "set key top left horizontal font ',8'", "set xlabel 'seconds'", "set style data lines",
     "set yrange [0:*]", "set xrange [0:%d]" % (end - start)]
for title, series in plots:
    g.append("set title '%s'" % title.replace("'", ""))
    if series:
        g.append("plot " + ", ".join("'%s' using 1:2 with lines lw 2 title '%s'" % (p, n.replace("'", "")) for p, n in series))
    else:
        g.append("set label 1 'no data' at graph 0.45,0.5")
        g.append("plot [0:%d] [0:1] NaN notitle" % (end - start))
        g.append("unset label 1")
g.append("unset multiplot")
script = os.path.join(work, "dashboard.gp")
open(script, "w").write("\n".join(g) + "\n")
subprocess.run(["gnuplot", script], check=True)
print("wrote", out)
