//! `qiangji bench-verify`: the checks for formalism measured against the cases the demo planted —
//! per signal how many were planted and flagged, precision and recall — with the checks' run time
//! and memory at that scale. Straight from generated data, like the demo load would store it.

use qiangji_demo::Dataset;
use qiangji_demo::orglife::OrgLifeYear;
use qiangji_domain::member::MemberId;
use qiangji_domain::org::OrgId;
use qiangji_domain::orglife::{Attendance, Evidence, MeetingId, Signal};
use qiangji_stats::verify::{Finding, detect, minutes_similarity};
use qiangji_store::orglife::attachment::sha256_hex;
use std::collections::BTreeSet;
use std::time::Instant;

/// The records as the store's `list_evidence` would read them after the demo load (which numbers
/// meetings, organizations and members from 1 in order).
pub fn evidence(data: &Dataset, year: &OrgLifeYear) -> Vec<Evidence> {
    year.records
        .iter()
        .enumerate()
        .map(|(i, r)| Evidence {
            meeting: MeetingId(i as i64 + 1),
            org: OrgId(r.org as i64 + 1),
            kind: r.fields.kind,
            held_on: r.fields.held_on,
            recorded_on: r.recorded_on,
            times: r.fields.times,
            text: Evidence::minutes(&r.fields.content, &r.fields.decisions),
            org_names: vec![data.orgs[r.org].fields.name.clone(), data.orgs[r.org].fields.short_name.clone()],
            present: r
                .attendance
                .iter()
                .filter(|a| a.1 == Attendance::Present)
                .map(|a| MemberId(a.0 as i64 + 1))
                .collect(),
            photos: r.photos.iter().map(|p| sha256_hex(p)).collect(),
        })
        .collect()
}

/// How one signal did against the planted cases; cases are sets of record indexes.
#[derive(Debug)]
pub struct Score {
    pub signal: Signal,
    pub planted: usize,
    pub flagged: usize,
    pub true_positives: usize,
    /// Planted cases not flagged.
    pub missed: Vec<BTreeSet<usize>>,
    /// Flags that are not planted cases, with their reason.
    pub false_flags: Vec<(BTreeSet<usize>, String)>,
}

impl Score {
    pub fn precision(&self) -> f64 {
        if self.flagged == 0 { 1.0 } else { self.true_positives as f64 / self.flagged as f64 }
    }

    pub fn recall(&self) -> f64 {
        if self.planted == 0 { 1.0 } else { self.true_positives as f64 / self.planted as f64 }
    }
}

/// Each signal's findings against the planted cases of the year.
pub fn score(year: &OrgLifeYear, findings: &[Finding]) -> Vec<Score> {
    Signal::ALL
        .iter()
        .map(|&signal| {
            let planted: BTreeSet<BTreeSet<usize>> = year
                .planted
                .iter()
                .filter(|p| p.signal == signal)
                .map(|p| p.records.iter().copied().collect())
                .collect();
            let flags: Vec<(BTreeSet<usize>, &str)> = findings
                .iter()
                .filter(|f| f.signal == signal)
                .map(|f| (f.records.iter().copied().collect(), f.reason.as_str()))
                .collect();
            let flagged: BTreeSet<&BTreeSet<usize>> = flags.iter().map(|f| &f.0).collect();
            Score {
                signal,
                planted: planted.len(),
                flagged: flags.len(),
                true_positives: flags.iter().filter(|f| planted.contains(&f.0)).count(),
                missed: planted.iter().filter(|p| !flagged.contains(p)).cloned().collect(),
                false_flags: flags
                    .iter()
                    .filter(|f| !planted.contains(&f.0))
                    .map(|(r, reason)| (r.clone(), (*reason).to_owned()))
                    .collect(),
            }
        })
        .collect()
}

/// Kilobytes of a `/proc/self/status` line, where there is one (Linux).
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub fn run(scale: &str) -> Result<(), String> {
    let today = qiangji_domain::date::today();
    let (scale, data) = crate::demo::generate(scale, today)?;
    let (_, year) = crate::demo::org_life(scale, &data, today)?;
    let records = evidence(&data, &year);
    drop(data);
    let text_mb = records.iter().map(|r| r.text.len()).sum::<usize>() as f64 / 1e6;
    // Peak memory from here on is the checks' own: clear_refs "5" resets the high-water mark.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_kb("VmRSS:");
    let t = Instant::now();
    let findings = detect(&records);
    let took = t.elapsed();
    let peak = status_kb("VmHWM:");
    println!("{}条记录（会议内容与决定事项共{text_mb:.1} MB），检出{}项需核实", records.len(), findings.len());
    match (reset, before, peak) {
        (true, Some(b), Some(p)) => println!(
            "核查用时{:.2}秒，其间内存峰值比开始时多{:.0} MB",
            took.as_secs_f64(),
            p.saturating_sub(b) as f64 / 1024.0
        ),
        _ => println!("核查用时{:.2}秒（本系统无法测量内存峰值）", took.as_secs_f64()),
    }
    println!("{:<24} {:>6} {:>6} {:>6} {:>8} {:>8}", "信号", "植入", "检出", "命中", "精确率", "召回率");
    for s in score(&year, &findings) {
        println!(
            "{:<24} {:>6} {:>6} {:>6} {:>7.1}% {:>7.1}%",
            s.signal.code(),
            s.planted,
            s.flagged,
            s.true_positives,
            s.precision() * 100.0,
            s.recall() * 100.0
        );
        let missed: Vec<Vec<usize>> = s.missed.iter().take(5).map(|m| m.iter().copied().collect()).collect();
        let pairs: Vec<(usize, usize)> = missed.iter().filter(|m| m.len() == 2).map(|m| (m[0], m[1])).collect();
        let alike = match s.signal {
            Signal::NearDuplicate => minutes_similarity(&records, &pairs),
            _ => vec![None; pairs.len()],
        };
        for (m, j) in missed.iter().zip(alike.into_iter().chain(std::iter::repeat(None))) {
            let ids: Vec<usize> = m.iter().map(|i| i + 1).collect();
            match j {
                Some(j) => println!("    漏检：记录 {ids:?}（内容相似度{:.0}%）", j * 100.0),
                None => println!("    漏检：记录 {ids:?}"),
            }
        }
        for (f, reason) in s.false_flags.iter().take(5) {
            println!("    误报：记录 {:?}：{reason}", f.iter().map(|i| i + 1).collect::<Vec<_>>());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On the small demo the checks find every planted case of every signal, and no two ordinary
    /// records of the generator are taken for copies: if either the checks or the generator's
    /// planting regress, this fails.
    #[test]
    fn every_planted_case_is_found_and_no_ordinary_minutes_are_taken_for_copies() {
        let today = qiangji_domain::date::parse("2026-11-23").expect("date");
        for seed in [2026, 7] {
            let data = qiangji_demo::generate(qiangji_demo::Scale::Small, seed, today);
            let year = qiangji_demo::orglife::meetings(&data, &vec![None; data.orgs.len()], &[], seed, today);
            let scores = score(&year, &detect(&evidence(&data, &year)));
            for s in &scores {
                assert!(s.planted > 0, "{:?} planted on seed {seed}", s.signal);
                assert!(s.missed.is_empty(), "{:?} missed on seed {seed}: {:?}", s.signal, s.missed);
            }
            let copies = &scores[Signal::NearDuplicate.index() as usize];
            assert!(copies.false_flags.is_empty(), "ordinary minutes taken for copies: {:?}", copies.false_flags);
        }
    }
}
