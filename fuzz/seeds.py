"""Writes the seed corpus of the fuzz targets into fuzz/corpus/<target>/: small real files, as
organization departments keep them (xlsx written by openpyxl, CSV in UTF-8 and GBK), identity
numbers and API bodies. The fuzzers add what they find beside them; this script only (re)writes
the files named seed-*.

Usage: fuzz/seeds.py   (needs openpyxl 3.1.5; scripts/test.sh installs one in $CARGO_TARGET_DIR/test-python)
"""
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

import openpyxl

here = os.path.dirname(os.path.abspath(__file__))
D = dt.date
FIXED = dt.datetime(2026, 12, 7, 8, 0, 0)


def out(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def xlsx(rows, title="Sheet1", stored=False):
    """A workbook of one sheet; `stored` repacks it uncompressed so that mutations reach the XML."""
    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = FIXED
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, (dt.date, dt.datetime)):
                c.number_format = "yyyy-mm-dd"
    buf = io.BytesIO()
    wb.save(buf)
    if not stored:
        return buf.getvalue()
    packed = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(packed, "w", zipfile.ZIP_STORED) as dst:
        for name in src.namelist():
            dst.writestr(zipfile.ZipInfo(name, (2026, 12, 7, 8, 0, 0)), src.read(name))
    return packed.getvalue()


def csv_bytes(rows, encoding):
    s = io.StringIO()
    csv.writer(s).writerows(rows)
    return s.getvalue().encode(encoding)


MEMBERS = [
    ["某某党委党员花名册"],
    ["姓名", "性别", "民族", "身份证号", "学历", "职业", "入党日期", "转正日期", "所在党组织", "党员类别"],
    ["张三", "男", "汉族", "330203198005010013", "本科", "学生", D(2010, 7, 1), "2011.07.01", "甲社区支部", "正式党员"],
    ["李四 ", "女", "汉", "33020319850612002x", "大专", "工人", "2019年7月", "", "重名支部", ""],
    ["王五\u3000", "男", "回族", "３３０２０３１９９００１０１００３５", "硕士", "", "20190701", "", "", "预备党员"],
    ["赵六", "", "", "12345", "", "", "七月一日", "", "不存在的组织", ""],
]
ORGS = [
    ["组织名称", "组织类别", "上级党组织", "领域", "成立日期", "联合党组织"],
    ["乙镇党委", "党委", "", "农村", "2001.7", "否"],
    ["乙镇第一村党总支", "党总支", "乙镇党委", "", "2003-05-01", ""],
    ["乙镇第一村第一支部", "党支部", "乙镇第一村党总支", "", "", "是"],
    ["甲镇第二支部", "支部", "重名党委", "社区", "2099-01-01", "也许"],
]
MEETINGS = [
    ["党组织", "活动类型", "日期", "开始时间", "结束时间", "地点", "主持人", "记录人", "授课人", "主题", "内容", "出席", "请假", "缺席"],
    ["第一支部", "支部委员会会议", "2026-03-05", "09:00", "11:00", "会议室", "张三", "李四", "", "学习计划", "学习", "张三、李四", "王五（出差）", ""],
    ["第一支部", "党课", D(2026, 4, 1), "14:30", "16:00", "活动室", "张三", "李四", "王五", "已录主题", "党课", "张三,李四,王五", "", "赵六"],
    ["重名支部", "主题党日", "2026.5", "25:00", "", "", "", "", "", "", "", "刘洋 刘洋", "", ""],
]


def main():
    # The reader: the messy files crates/sheet/tests/corpus.rs reads, plus the importers' own.
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(here, "..", "crates", "sheet", "tests", "corpus", "make_corpus.py")
        subprocess.run([sys.executable, script, tmp], check=True)
        for name in sorted(os.listdir(tmp)):
            with open(os.path.join(tmp, name), "rb") as f:
                out("sheet", name, f.read())
    out("sheet", "stored.xlsx", xlsx(MEMBERS, "党员花名册", stored=True))
    out("sheet", "empty.csv", b"")

    for kind, rows in (("members", MEMBERS), ("orgs", ORGS), ("meetings", MEETINGS)):
        out("import", kind + ".xlsx", xlsx(rows))
        out("import", kind + "-stored.xlsx", xlsx(rows, stored=True))
        out("import", kind + "-utf8.csv", csv_bytes(rows, "utf-8"))
        out("import", kind + "-gbk.csv", csv_bytes(rows, "gbk"))

    ids = {
        "valid": "11010519491231002X",
        "valid-lower-x": " 11010519491231002x ",
        "valid-full-width": "１１０１０５１９４９１２３１００２Ｘ",
        "bad-checksum": "110105194912310021",
        "bad-date": "110105194902300021",
        "short": "1101051949123100",
        "old-15": "110105491231002",
        "letters": "1101051949123A002X",
    }
    for name, value in ids.items():
        out("id_number", name, value)

    bodies = {
        "member": {
            "name": "张三", "sex": "male", "ethnicity": "01", "birth_date": "1980-05-01",
            "id_number": "330203198005010013", "education": "university", "occupation": "student",
            "joined_on": "2010-07-01", "full_on": None, "kind": "full", "floating": "on",
            "hardship": True, "since": "2020-01-01", "reason": "调入",
        },
        "member-bad": {"name": "", "id_number": "12345", "joined_on": "七月", "lost_contact": "也许"},
        "meeting": {
            "kind": "committee_meeting", "held_on": "2026-03-05", "starts_at": "09:00", "ends_at": "11:00",
            "place": "会议室", "host": "张三", "recorder": "李四", "topic": "学习计划", "content": "学习",
            "attendance": [{"member_id": 1, "attendance": "present"}, {"member_id": 2, "attendance": "leave", "reason": "出差"}],
        },
        "meeting-bad": {"kind": "party_lecture", "held_on": "2099-01-01", "starts_at": "11:00", "ends_at": "09:00",
                        "attendance": [{"member_id": 1, "attendance": "maybe"}]},
        "transfer-request": {"to_org_id": 12, "reason": "工作调动", "on": "2026-12-01"},
        "transfer-outside": {"to_outside": "中共某某县委组织部", "reason": "迁居", "on": ""},
        "transfer-step": {"action": "issue_letter", "on": "2026-11-30", "valid_months": 3, "dues_paid_to": "2026-11"},
        "transfer-step-bad": {"action": "issue_letter", "on": "2026-11-30", "valid_months": 99, "dues_paid_to": "2028-01"},
        "rollback": {"reason": "导错了文件"},
    }
    for name, value in bodies.items():
        out("api_bodies", name + ".json", json.dumps(value, ensure_ascii=False))


main()
