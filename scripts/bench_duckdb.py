#!/usr/bin/env python3
"""DuckDB's side of the statistics benchmark (see crates/cli/src/bench/sql.rs).

    bench_duckdb.py DIR [--database FILE] [--repeat N] [--threads 2] < questions.json > result.json

Loads DIR/orgs.csv, members.csv and past.csv into typed tables, answers the questions read as
JSON from stdin (a warm-up run, then N timed runs each) and prints one JSON object on stdout:
{"load_seconds": …, "database_bytes": …, "answers": [{"name", "millis", "counts"}, …]}.

Counting semantics are those of sql.rs: current memberships with since <= D, past ones with
valid_from <= D < valid_to, members with status active or suspended only (the export has no
status history, so today's status stands for every date).
"""

import argparse
import datetime
import json
import os
import re
import sys
import time

import duckdb

AGE_BANDS = [(30, "le30"), (35, "31_35"), (40, "36_40"), (45, "41_45"), (50, "46_50"), (55, "51_55"), (60, "56_60")]
OLDEST_AGE_BAND = "ge61"
JOIN_PERIODS = [("1949-10-01", "before_1949_10"), ("1978-12-18", "to_1978_12"), ("2012-11-08", "to_2012_11")]
LATEST_JOIN_PERIOD = "since_2012_11"
COUNTED_STATUSES = ("active", "suspended")
CODE = re.compile(r"^[A-Za-z0-9_]+$")

# Codes stay VARCHAR: DuckDB stores them dictionary-compressed anyway. At 5M members converting
# them to ENUM types took 6.2 s and the dashboard went from 2.4 s to 2.2 s, inside the noise.
ORGS = {"pos": "INTEGER", "end_pos": "INTEGER", "parent_pos": "INTEGER", "kind": "VARCHAR", "sector": "VARCHAR"}
MEMBERS = {
    "id": "BIGINT", "org_pos": "INTEGER", "sex": "VARCHAR", "minority": "UTINYINT", "education": "VARCHAR",
    "occupation": "VARCHAR", "status": "VARCHAR", "floating": "UTINYINT", "birth_date": "DATE",
    "joined_on": "DATE", "full_on": "DATE", "since": "DATE",
}
PAST = {"member_id": "BIGINT", "org_pos": "INTEGER", "valid_from": "DATE", "valid_to": "DATE"}


def born_by(on, years):
    """The latest birth date of someone at least `years` full years old on `on`; 29 February
    moved into a common year is read as 28 February (same as sql.rs)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=on.day - 1)


def lit(d):
    return f"DATE '{d.isoformat()}'"


def code(value):
    """Codes are spliced into SQL, so only what the code sets use is accepted."""
    if not CODE.match(value):
        raise SystemExit(f"bench_duckdb: code {value!r} may hold only letters, digits and _")
    return f"'{value}'"


def read_csv(path, columns):
    types = ", ".join(f"'{name}': '{ty}'" for name, ty in columns.items())
    return f"read_csv('{path}', header = true, delim = ',', quote = '', columns = {{{types}}})"


def load(con, directory):
    """Members and past rows carry the sector of their organization, copied in while loading
    as in PostgreSQL (here it made no measurable difference to joining orgs in the query), and
    are stored in org_pos order, so a subtree's rows sit in few row groups and the zone maps
    skip the rest."""
    d = os.path.abspath(directory)
    con.execute(f"CREATE TABLE orgs AS SELECT * FROM {read_csv(f'{d}/orgs.csv', ORGS)}")
    con.execute(
        f"CREATE TABLE members AS SELECT m.*, o.sector FROM {read_csv(f'{d}/members.csv', MEMBERS)} m "
        "JOIN orgs o ON o.pos = m.org_pos ORDER BY m.org_pos"
    )
    con.execute(
        f"CREATE TABLE past AS SELECT p.*, o.sector FROM {read_csv(f'{d}/past.csv', PAST)} p "
        "JOIN orgs o ON o.pos = p.org_pos ORDER BY p.org_pos"
    )


def counted(lo, hi, on, cols, cond=""):
    """The counted rows of [lo, hi) on `on`: current memberships, then past ones joined to
    their members. `cols` and `cond` use the alias m for members and s for the sector's table."""
    statuses = ", ".join(code(s) for s in COUNTED_STATUSES)
    on = lit(on)
    return (
        f"SELECT {cols.replace('s.sector', 'm.sector')} FROM members m "
        f"WHERE m.org_pos >= {lo} AND m.org_pos < {hi} AND m.since <= {on} AND m.status IN ({statuses}){cond} "
        f"UNION ALL "
        f"SELECT {cols.replace('s.sector', 'p.sector')} FROM past p JOIN members m ON m.id = p.member_id "
        f"WHERE p.org_pos >= {lo} AND p.org_pos < {hi} AND p.valid_from <= {on} AND {on} < p.valid_to "
        f"AND m.status IN ({statuses}){cond}"
    )


def age_band_case(on):
    whens = " ".join(f"WHEN m.birth_date > {lit(born_by(on, top + 1))} THEN '{name}'" for top, name in AGE_BANDS)
    return f"CASE {whens} ELSE '{OLDEST_AGE_BAND}' END"


def join_period_case():
    whens = " ".join(f"WHEN m.joined_on < DATE '{before}' THEN '{name}'" for before, name in JOIN_PERIODS)
    return f"CASE {whens} ELSE '{LATEST_JOIN_PERIOD}' END"


DIMENSIONS = ["sex", "minority", "education", "age_band", "join_period", "occupation", "kind", "status", "floating",
              "sector"]


def dashboard_sql(lo, hi, on):
    """GROUPING SETS over the counted rows: DuckDB aggregates grouping sets in parallel. At 5M
    members, whole tree, on a busy machine (best of three): GROUPING SETS 2.0 s (2.2 s with ENUM
    columns, 2.1 s joining orgs for the sector instead of the copied column); the ten values
    packed into one integer and grouped once, as PostgreSQL does best, 2.3 s; GROUP BY all ten
    then grouping sets over the cells 3.5 s; histogram() per dimension 2.5 s; one FILTER
    aggregate per value 6.8 s; UNPIVOT to one row per value 6.7 s. Counting the rows alone took
    0.25 s and grouping by one column 0.3 s."""
    exprs = {
        "sex": "m.sex", "minority": "m.minority", "education": "m.education", "age_band": age_band_case(on),
        "join_period": join_period_case(), "occupation": "m.occupation",
        "kind": f"CASE WHEN m.full_on <= {lit(on)} THEN 'full' ELSE 'probationary' END", "status": "m.status",
        "floating": "m.floating", "sector": "s.sector",
    }
    cols = ", ".join(f"{expr} AS {name}" for name, expr in exprs.items())
    which = " ".join(f"WHEN GROUPING({n}) = 0 THEN '{n}=' || {n}" for n in DIMENSIONS)
    sets = ", ".join(f"({n})" for n in DIMENSIONS)
    return (
        f"SELECT CASE {which} ELSE 'total' END AS key, count(*) AS n FROM ({counted(lo, hi, on, cols)}) c "
        f"GROUP BY GROUPING SETS ((), {sets})"
    )


def count_sql(lo, hi, on, ask):
    cond = ""
    if ask.get("sex") is not None:
        cond += f" AND m.sex = {code(ask['sex'])}"
    if ask.get("education_in"):
        cond += f" AND m.education IN ({', '.join(code(e) for e in ask['education_in'])})"
    if ask.get("age_max") is not None:
        cond += f" AND m.birth_date > {lit(born_by(on, int(ask['age_max']) + 1))}"
    return f"SELECT 'total' AS key, count(*) AS n FROM ({counted(lo, hi, on, '1 AS one', cond)}) c"


def question_sql(q):
    on = datetime.date.fromisoformat(q["on"])
    ask = q["ask"]
    if ask == "dashboard":
        return dashboard_sql(int(q["lo"]), int(q["hi"]), on)
    if isinstance(ask, dict) and "count" in ask:
        return count_sql(int(q["lo"]), int(q["hi"]), on, ask["count"])
    raise SystemExit(f"bench_duckdb: unknown question {ask!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    # A file is faster than memory: DuckDB compresses a table when it checkpoints it to disk (at
    # 5M members 75 MiB against 664 MiB in memory), and scanning compressed columns was faster
    # (whole tree dashboard 0.45 s against 0.78 s), for 5.7 s of loading against 4.0 s.
    parser.add_argument("--database", default=":memory:", help="a database file (replaced), or :memory:")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    questions = json.load(sys.stdin)

    if args.database != ":memory:" and os.path.exists(args.database):
        os.remove(args.database)
    con = duckdb.connect(args.database)
    con.execute(f"SET threads = {args.threads}")
    start = time.perf_counter()
    load(con, args.dir)
    if args.database != ":memory:":
        con.execute("CHECKPOINT")
    load_seconds = time.perf_counter() - start
    size = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()[0]
    if args.database != ":memory:":
        size = os.path.getsize(args.database)

    answers = []
    for q in questions:
        sql = question_sql(q)
        millis = []
        rows = []
        for run in range(args.repeat + 1):
            t = time.perf_counter()
            rows = con.execute(sql).fetchall()
            if run > 0:
                millis.append((time.perf_counter() - t) * 1000.0)
        counts = {key: int(n) for key, n in rows if n > 0 or key == "total"}
        answers.append({"name": q["name"], "millis": millis, "counts": counts})
    json.dump({"load_seconds": load_seconds, "database_bytes": int(size or 0), "answers": answers}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
