"""Writes messy spreadsheets as organization departments keep them, with openpyxl (an independent
writer) and Python's csv module, for crates/sheet/tests/corpus.rs to read back.

Usage: make_corpus.py OUTPUT_DIR   (needs openpyxl 3.1.5)
"""
import csv
import datetime as dt
import os
import sys
import zipfile

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904

if openpyxl.__version__ != "3.1.5":
    sys.exit(f"openpyxl 3.1.5 expected, found {openpyxl.__version__}")

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
D = dt.date


def path(name):
    return os.path.join(out, name)


# 1. Title rows above a two-row header with merged cells; dates as real dates (two formats), as a
#    serial number in General format and as text; trailing and full-width spaces; lowercase x;
#    full-width digits. A second sheet after it.
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "党员花名册"
ws["A1"] = "某某党委党员花名册"
ws.merge_cells("A1:F1")
ws["A2"] = "填报单位：第一支部"
ws["E2"] = "填报日期：2026年12月"
ws["A4"], ws["B4"], ws["C4"], ws["E4"] = "序号", "姓名", "基本信息", "党内信息"
ws.merge_cells("A4:A5")
ws.merge_cells("B4:B5")
ws.merge_cells("C4:D4")
ws.merge_cells("E4:F4")
ws["C5"], ws["D5"], ws["E5"], ws["F5"] = "性别", "身份证号", "入党 日期", "转正日期"
ws.append([1, "张三", "男", "330203198005010013", D(2019, 7, 1), D(2020, 7, 1)])
ws["E6"].number_format = "yyyy-mm-dd"
ws["F6"].number_format = 'yyyy"年"m"月"d"日"'
ws.append([2, "李四 ", "女", "33020319850612002x", 43647, "2020.07"])
ws.append([3, "王五\u3000", "男", "３３０２０３１９９００１０１００３５", "2019年7月", "2019-7-1"])
ws.append([])
ws.append([4, "赵六", "女", "330203199203040048", "2019.07.01", "20200701"])
notes = wb.create_sheet("填表说明")
notes["A1"] = "日期请填写为 2019-07-01 的形式"
notes["A2"] = True
notes["B2"] = 3.5
wb.save(path("01_titles_merged_header.xlsx"))

# 2. Some rows shifted right by one column (a cell inserted by hand), one with an extra value.
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Sheet1"
ws.append(["姓名", "身份证号", "入党日期", "备注"])
ws.append(["张三", "330203198005010013", "2019-07-01", None])
ws.append([None, "李四", "330203198506120024", "2019-07-01", "调入"])
ws.append(["王五", "330203199001010035", "2019-07-01", "调出"])
ws.append(["赵六", None, "330203199203040048", "2019-07-01"])
wb.save(path("02_shifted_rows.xlsx"))

# 3. The 1904 date system (old Mac workbooks): the same dates, different serial numbers.
wb = openpyxl.Workbook()
wb.epoch = CALENDAR_MAC_1904
ws = wb.active
ws.title = "1904"
ws.append(["姓名", "入党日期"])
ws.append(["张三", D(2019, 7, 1)])
ws.append(["李四", dt.datetime(2020, 7, 1, 14, 30)])
wb.save(path("03_date1904.xlsx"))

# 4. Numbers, times and dates with times: a 15-digit ID kept as a number, a time of day (a number,
#    not a date), a date-time (the day), a percentage, a boolean.
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "数值"
ws.append(["姓名", "身份证号", "入党日期", "开会时间", "党费比例", "是否预备党员"])
ws.append(["张三", 330203800501001, dt.datetime(2019, 7, 1, 9, 0), dt.time(8, 30), 0.015, False])
ws["E2"].number_format = "0.0%"
wb.save(path("04_numbers_times.xlsx"))

# 5. A CSV in GBK, as Excel on Chinese Windows saves it, with a title row.
rows = [
    ["某某支部党员名单", "", ""],
    ["姓名", "身份证号", "入党日期"],
    ["张三", "330203198005010013", "2019.07"],
    ["李四 ", "33020319850612002x", "2019年7月1日"],
    ["王五", "３３０２０３１９９００１０１００３５", "2019/7/1"],
]
with open(path("05_gbk.csv"), "w", encoding="gbk", newline="") as f:
    csv.writer(f).writerows(rows)

# 6. A CSV in UTF-8 with a byte-order mark, quoted fields with commas, quotes and line breaks.
with open(path("06_utf8_bom.csv"), "w", encoding="utf-8-sig", newline="") as f:
    w = csv.writer(f)
    w.writerow(["姓名", "身份证号", "入党日期", "备注"])
    w.writerow(["张三", "330203198005010013", "2019-7-1", '调入，"第一支部"\n待转正'])
    w.writerow(["李四", "330203198506120024", "", ""])

# 7. A zip that is no spreadsheet.
with zipfile.ZipFile(path("07_not_a_spreadsheet.xlsx"), "w") as z:
    z.writestr("readme.txt", "这不是表格")

# 8. An .xls (an OLE compound file), which is not read.
with open(path("08_old.xls"), "wb") as f:
    f.write(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
