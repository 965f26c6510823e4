//! `qiangji bench-engine`: the statistics engine at city, province and national scale, fed straight
//! from the bulletin-shaped fact generator (a database load of 99 million members would take hours
//! and measure the database, not the engine). Prints build time, memory per member and the median
//! and worst time of each question; `--csv DIR` also writes the same data for the SQL comparison
//! ([`super::run_sql`]), and the engine answers that comparison's questions ([`answer`]).

use super::sql::{Answer, Ask, Question};
use qiangji_demo::{FactMember, FactOrg, FactScale, facts};
use qiangji_domain::Date;
use qiangji_domain::member::{AgeBand, Education, MemberId, MemberKind, MemberStatus, Sex};
use qiangji_domain::org::{OrgId, OrgKind};
use qiangji_stats::{Condition, Dim, Engine, Loader, MemberFacts, OrgFacts};
use qiangji_store::Access;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

fn scale_of(s: &str) -> Result<FactScale, String> {
    match s {
        "national" => Ok(FactScale::National),
        // A province of about 5 million members, and a city of about 460,000, at the nation's shape.
        "province" => Ok(FactScale::Fraction(20)),
        "city" => Ok(FactScale::Fraction(215)),
        other => other
            .strip_prefix("fraction:")
            .and_then(|n| n.parse().ok())
            .map(FactScale::Fraction)
            .ok_or_else(|| format!("未知规模：{other}（national、province、city 或 fraction:N）")),
    }
}

fn member_facts(id: i64, m: &FactMember) -> MemberFacts {
    let org = OrgId(i64::from(m.org) + 1);
    MemberFacts {
        id: MemberId(id),
        name: String::new(),
        initials: String::new(),
        org,
        sex: m.sex,
        minority: m.minority,
        education: m.education,
        occupation: m.occupation,
        status: MemberStatus::Active,
        floating: m.floating,
        birth_date: m.birth_date,
        joined_on: m.joined_on,
        full_on: m.full_on,
        since: Some(m.org_since),
        past: m.previous_org.map(|p| (OrgId(i64::from(p) + 1), m.joined_on, m.org_since)).into_iter().collect(),
        states: Vec::new(),
    }
}

/// Peak and current resident memory of this process, in bytes.
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.split_whitespace().next()?.parse().ok())
    };
    (kb("VmRSS:").unwrap_or(0) * 1024, kb("VmHWM:").unwrap_or(0) * 1024)
}

struct Built {
    engine: Engine,
    orgs: Vec<FactOrg>,
    members: usize,
}

fn build(scale: FactScale, today: Date, csv: Option<&Path>) -> Result<Built, String> {
    let t = Instant::now();
    let mut orgs: Vec<FactOrg> = Vec::new();
    facts(scale, 2026, today, |_, o| orgs.push(*o), |_| {});
    println!("组织 {} 个（生成 {:.1} 秒）", orgs.len(), t.elapsed().as_secs_f64());
    let org_facts: Vec<OrgFacts> = orgs
        .iter()
        .enumerate()
        .map(|(i, o)| OrgFacts {
            id: OrgId(i as i64 + 1),
            parent: o.parent.map(|p| OrgId(i64::from(p) + 1)),
            kind: o.kind,
            sector: o.sector,
            founded_on: None,
            dissolved_on: None,
            joint: false,
            term_end: None,
            committee: false,
        })
        .collect();
    let mut loader = Loader::new(&org_facts, 0)?;
    let mut writer = csv.map(|dir| CsvOut::create(dir, &orgs)).transpose()?;
    let t = Instant::now();
    let mut n = 0i64;
    let mut failed = None;
    facts(
        scale,
        2026,
        today,
        |_, _| {},
        |m| {
            n += 1;
            let f = member_facts(n, m);
            if let Some(w) = writer.as_mut() {
                w.member(&f, m);
            }
            if let Err(e) = loader.add(&f)
                && failed.is_none()
            {
                failed = Some(e);
            }
        },
    );
    if let Some(e) = failed {
        return Err(e);
    }
    let fed = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let engine = loader.finish(today);
    println!(
        "党员 {n} 名：生成并装入 {fed:.1} 秒，排列与汇总 {:.1} 秒（引擎建立共 {:.1} 秒）",
        t.elapsed().as_secs_f64(),
        fed + t.elapsed().as_secs_f64()
    );
    if let Some(w) = writer {
        w.finish()?;
    }
    Ok(Built { engine, orgs, members: n as usize })
}

/// The same data as CSV for PostgreSQL and DuckDB (see `bench::sql`).
struct CsvOut {
    members: std::io::BufWriter<std::fs::File>,
    past: std::io::BufWriter<std::fs::File>,
}

impl CsvOut {
    fn create(dir: &Path, orgs: &[FactOrg]) -> Result<CsvOut, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let open = |name: &str| {
            std::fs::File::create(dir.join(name)).map(std::io::BufWriter::new).map_err(|e| format!("{name}：{e}"))
        };
        let mut end: Vec<u32> = (1..=orgs.len() as u32).collect();
        for i in (1..orgs.len()).rev() {
            let p = orgs[i].parent.expect("only the root has no parent") as usize;
            end[p] = end[p].max(end[i]);
        }
        let mut o = open("orgs.csv")?;
        let mut w = || -> std::io::Result<()> {
            writeln!(o, "pos,end_pos,parent_pos,kind,sector")?;
            for (i, org) in orgs.iter().enumerate() {
                let parent = org.parent.map(|p| p.to_string()).unwrap_or_default();
                writeln!(o, "{i},{},{parent},{},{}", end[i], org.kind.code(), org.sector.code())?;
            }
            o.flush()
        };
        w().map_err(|e| e.to_string())?;
        let mut members = open("members.csv")?;
        let mut past = open("past.csv")?;
        let header = "id,org_pos,sex,minority,education,occupation,status,floating,birth_date,joined_on,full_on,since";
        writeln!(members, "{header}").map_err(|e| e.to_string())?;
        writeln!(past, "member_id,org_pos,valid_from,valid_to").map_err(|e| e.to_string())?;
        Ok(CsvOut { members, past })
    }

    fn member(&mut self, f: &MemberFacts, m: &FactMember) {
        let full_on = f.full_on.map(|d| d.to_string()).unwrap_or_default();
        let since = f.since.map(|d| d.to_string()).unwrap_or_default();
        let _ = writeln!(
            self.members,
            "{},{},{},{},{},{},{},{},{},{},{full_on},{since}",
            f.id.0,
            m.org,
            f.sex.code(),
            u8::from(f.minority),
            f.education.code(),
            f.occupation.code(),
            f.status.code(),
            u8::from(f.floating),
            f.birth_date,
            f.joined_on
        );
        if let Some(p) = m.previous_org {
            let _ = writeln!(self.past, "{},{p},{},{}", f.id.0, f.joined_on, m.org_since);
        }
    }

    fn finish(mut self) -> Result<(), String> {
        self.members.flush().and_then(|_| self.past.flush()).map_err(|e| e.to_string())
    }
}

/// Median and worst of `repeat` runs, in milliseconds.
fn time<T>(repeat: usize, mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let mut times = Vec::with_capacity(repeat);
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        last = Some(std::hint::black_box(f()));
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[times.len() - 1], last.expect("ran at least once"))
}

/// Picks the organization of `kind` at `depth` with the most members below it (the biggest
/// province or county), or the first branch.
fn pick(orgs: &[FactOrg], sizes: &[u64], depth: usize, kind: OrgKind) -> usize {
    let mut d = vec![0usize; orgs.len()];
    for i in 1..orgs.len() {
        d[i] = d[orgs[i].parent.expect("non-root") as usize] + 1;
    }
    (0..orgs.len()).filter(|&i| d[i] == depth && orgs[i].kind == kind).max_by_key(|&i| sizes[i]).unwrap_or(0)
}

/// The key of a value in an [`Answer`]: the dimension and value as the CSV export spells them
/// (ethnicity and floating are 0/1 columns there).
fn answer_key(dim: Dim, value: usize) -> String {
    match dim {
        Dim::Ethnicity => format!("minority={value}"),
        Dim::Floating => format!("floating={value}"),
        _ => format!("{}={}", dim.code(), dim.values()[value].0),
    }
}

/// The engine's condition for a count question of the SQL comparison.
fn condition_of(q: &Question) -> Result<Condition, String> {
    let Ask::Count { sex, education_in, age_max } = &q.ask else {
        return Ok(Condition::all());
    };
    let value =
        |dim: Dim, code: &str| dim.value_of(code).ok_or_else(|| format!("{}：没有 {code} 这个{}", q.name, dim.label()));
    let mut cond = Condition::all();
    if let Some(sex) = sex {
        cond = cond.and(Dim::Sex, &[value(Dim::Sex, sex)?]);
    }
    if !education_in.is_empty() {
        let values = education_in.iter().map(|e| value(Dim::Education, e)).collect::<Result<Vec<_>, _>>()?;
        cond = cond.and(Dim::Education, &values);
    }
    if let Some(max) = *age_max {
        // The engine counts by the bulletin's age bands, so the limit must close one.
        let bands: Vec<u8> = AgeBand::ALL.iter().filter(|b| AgeBand::of_age(max) >= **b).map(|b| b.index()).collect();
        if AgeBand::of_age(max + 1) == AgeBand::of_age(max) {
            return Err(format!("{}：年龄上限 {max} 不是年龄段的边界", q.name));
        }
        cond = cond.and(Dim::AgeBand, &bands);
    }
    Ok(cond)
}

/// Answers the comparison's questions as the SQL engines do: each once to warm up, then `repeat`
/// timed times. A question's subtree `[lo, hi)` is the organization at position `lo` (the export
/// writes organizations in the engine's pre-order, so its subtree is exactly that range).
pub fn answer(engine: &Engine, questions: &[Question], repeat: usize) -> Result<Vec<Answer>, String> {
    let sys = Access::system("基准测试", 1);
    let mut answers = Vec::with_capacity(questions.len());
    for q in questions {
        let org = OrgId(i64::from(q.lo) + 1);
        let on = super::sql::parse_on(q)?;
        let cond = condition_of(q)?;
        let mut millis = Vec::with_capacity(repeat);
        let mut counts = BTreeMap::new();
        for run in 0..=repeat {
            let t = Instant::now();
            counts = match q.ask {
                Ask::Dashboard => {
                    let tally = std::hint::black_box(engine.tally(&sys, org, on, &cond));
                    let mut counts = BTreeMap::from([("total".to_owned(), u64::from(tally.total))]);
                    for dim in Dim::ALL {
                        for (value, &n) in tally.by(dim).iter().enumerate().filter(|(_, n)| **n > 0) {
                            counts.insert(answer_key(dim, value), u64::from(n));
                        }
                    }
                    counts
                }
                Ask::Count { .. } => BTreeMap::from([(
                    "total".to_owned(),
                    u64::from(std::hint::black_box(engine.count(&sys, org, on, &cond))),
                )]),
            };
            if run > 0 {
                millis.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        answers.push(Answer { name: q.name.clone(), millis, counts });
    }
    Ok(answers)
}

/// The comparison's questions and the engine's answers to them.
pub type Compared = (Vec<Question>, Vec<Answer>);

/// Runs the bench; with `csv`, also answers the SQL comparison's questions (chosen from the
/// written `orgs.csv`) and returns them with the engine's answers, writing those to `answers`.
pub fn run(scale: &str, repeat: usize, csv: Option<&Path>, answers: Option<&Path>) -> Result<Option<Compared>, String> {
    if answers.is_some() && csv.is_none() {
        return Err("--answers 需要 --csv（问题取自导出的 orgs.csv）".into());
    }
    let today = qiangji_domain::date::today();
    let year_ago = today - chrono::Duration::days(365);
    let scale = scale_of(scale)?;
    let (rss0, _) = rss();
    let Built { mut engine, orgs, members } = build(scale, today, csv)?;
    let (rss1, peak) = rss();
    let fp = engine.footprint();
    println!(
        "引擎内存：{:.1} MB，每名党员 {:.1} 字节（另：进程常驻增加 {:.1} MB，峰值 {:.1} MB）",
        fp.stats_bytes as f64 / 1e6,
        fp.stats_bytes as f64 / members as f64,
        (rss1.saturating_sub(rss0)) as f64 / 1e6,
        peak as f64 / 1e6
    );
    let sys = Access::system("基准测试", 1);
    // Subtree sizes, to pick the biggest province and county.
    let mut sizes = vec![0u64; orgs.len()];
    {
        let root = engine.tally(&sys, OrgId(1), today, &Condition::all());
        println!("根组织今日党员 {} 名", root.total);
        for (i, s) in sizes.iter_mut().enumerate().skip(1) {
            if orgs[i].kind == OrgKind::Department {
                *s = u64::from(engine.count(&sys, OrgId(i as i64 + 1), today, &Condition::all()));
            }
        }
    }
    let province = pick(&orgs, &sizes, 1, OrgKind::Department);
    let county = pick(&orgs, &sizes, 3, OrgKind::Department);
    let branch = orgs.iter().rposition(|o| o.kind == OrgKind::Branch).unwrap_or(0);
    let id = |i: usize| OrgId(i as i64 + 1);
    let all = Condition::all();
    let young_educated_women = Condition::all()
        .and(Dim::Sex, &[Sex::Female.index()])
        .and(Dim::AgeBand, &[AgeBand::UpTo30.index(), AgeBand::From31To35.index()])
        .and(
            Dim::Education,
            &[Education::Postgraduate.index(), Education::University.index(), Education::College.index()],
        );
    let report = |name: &str, f: &mut dyn FnMut() -> u32| {
        let (median, worst, n) = time(repeat, f);
        println!("{name:<40} 中位 {median:>9.3} ms  最慢 {worst:>9.3} ms  （{n}）");
    };
    let dashboard = |e: &Engine, org: OrgId, on: Date| {
        let t = e.tally(&sys, org, on, &Condition::all());
        t.total + e.org_tally(&sys, org, on).total
    };
    report("全国（根）仪表板 今天", &mut || dashboard(&engine, id(0), today));
    report("最大省份 仪表板 今天", &mut || dashboard(&engine, id(province), today));
    report("最大县 仪表板 今天", &mut || dashboard(&engine, id(county), today));
    report("一个支部 仪表板 今天", &mut || dashboard(&engine, id(branch), today));
    report("最大省份 女·≤35岁·大专及以上 今天", &mut || {
        engine.count(&sys, id(province), today, &young_educated_women)
    });
    report("最大省份 女·≤35岁·大专及以上 一年前", &mut || {
        engine.count(&sys, id(province), year_ago, &young_educated_women)
    });
    report("最大省份 年龄×学历 交叉 今天", &mut || {
        engine.crosstab(&sys, id(province), today, Dim::AgeBand, Dim::Education, &all).cells.len() as u32
    });
    report("全国（根）仪表板 一年前", &mut || dashboard(&engine, id(0), year_ago));
    report("最大省份 仪表板 一年前", &mut || dashboard(&engine, id(province), year_ago));
    report("最大县 仪表板 一年前", &mut || dashboard(&engine, id(county), year_ago));
    // The comparison's questions, asked before the moves below change the data the export holds.
    let compared = match csv {
        Some(dir) => {
            let questions = super::run_sql::default_questions(dir, today)?;
            let mine = answer(&engine, &questions, repeat)?;
            if let Some(path) = answers {
                let json = serde_json::to_string_pretty(&mine).map_err(|e| e.to_string())?;
                std::fs::write(path, json).map_err(|e| format!("无法写入 {}：{e}", path.display()))?;
            }
            Some((questions, mine))
        }
        None => None,
    };
    // Commit to visible: a member of the county's first branch moves to the last branch of the
    // nation; the time until both organizations' and the root's statistics show it.
    let from_branch = (county..orgs.len()).find(|&i| orgs[i].kind == OrgKind::Branch).unwrap_or(branch);
    let page = engine.members(&sys, id(from_branch), today, &all, 0, 1);
    if let Some(&mid) = page.ids.first() {
        let before = (engine.count(&sys, id(from_branch), today, &all), engine.count(&sys, id(branch), today, &all));
        let mut moved = MemberFacts {
            id: mid,
            name: String::new(),
            initials: String::new(),
            org: id(branch),
            sex: Sex::Female,
            minority: false,
            education: Education::University,
            occupation: qiangji_domain::member::Occupation::Professional,
            status: MemberStatus::Active,
            floating: false,
            birth_date: today - chrono::Duration::days(35 * 365),
            joined_on: today - chrono::Duration::days(5 * 365),
            full_on: Some(today - chrono::Duration::days(4 * 365)),
            since: Some(today),
            past: vec![(id(from_branch), today - chrono::Duration::days(5 * 365), today)],
            states: Vec::new(),
        };
        let t = Instant::now();
        engine.upsert(&moved, today)?;
        let after = (engine.count(&sys, id(from_branch), today, &all), engine.count(&sys, id(branch), today, &all));
        let root = dashboard(&engine, id(0), today);
        let visible = t.elapsed().as_secs_f64() * 1000.0;
        assert_eq!((after.0 + 1, after.1), (before.0, before.1 + 1), "the move shows in both organizations");
        println!("{:<40} {visible:>9.3} ms  （根 {root}）", "调动提交到各统计可见");
        moved.org = id(from_branch);
        moved.past.clear();
        let (median, worst, _) = time(repeat, || {
            moved.org = if moved.org == id(branch) { id(from_branch) } else { id(branch) };
            engine.upsert(&moved, today).map(|_| engine.count(&sys, id(0), today, &all))
        });
        println!("{:<40} 中位 {median:>9.3} ms  最慢 {worst:>9.3} ms", "反复调动（含根统计）");
    }
    let kind_check = engine.tally(&sys, id(0), today, &all).count(Dim::Kind, MemberKind::Full.index());
    println!("（正式党员 {kind_check} 名）");
    Ok(compared)
}
