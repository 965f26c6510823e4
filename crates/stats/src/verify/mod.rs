//! Checks for formalism (形式主义核查): records the supervising level should look at (需核实) —
//! minutes copied from another record, records entered long after the day, members present at two
//! meetings at the same time, a photo shown for two different activities. A finding is a question
//! with its reason, never a verdict: nothing here changes a record or counts against anyone.
//!
//! Pure computation over [`Evidence`] (from the store for a subtree, or from generated data for
//! the benchmark); near-duplicate text is in [`text`].

pub mod text;

use qiangji_domain::member::MemberId;
use qiangji_domain::orglife::{Evidence, Signal};
use std::collections::HashMap;

/// A record entered more than this many days after its day is worth checking: the rules ask for
/// minutes on the day, and a month covers a secretary's holiday or illness.
pub const LATE_DAYS: i64 = 30;

/// One item to check: the records involved (indexes into the evidence, two for a pair, the
/// earlier first), how alike they are where that is measured, and why it is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub signal: Signal,
    pub records: Vec<usize>,
    /// Jaccard index of the minutes (near duplicates), or the number of members at both meetings.
    pub similarity: Option<f64>,
    pub reason: String,
}

/// Every finding among `records`, by signal, then the latest day first.
pub fn detect(records: &[Evidence]) -> Vec<Finding> {
    let mut out = near_duplicates(records);
    out.extend(late_entries(records));
    out.extend(overlapping_attendance(records));
    out.extend(reused_photos(records));
    let latest = |f: &Finding| f.records.iter().map(|&i| records[i].held_on).max();
    out.sort_by(|a, b| a.signal.cmp(&b.signal).then_with(|| latest(b).cmp(&latest(a))).then(a.records.cmp(&b.records)));
    out
}

/// The two records in order: earlier day first.
fn ordered(records: &[Evidence], a: usize, b: usize) -> Vec<usize> {
    if (records[a].held_on, a) <= (records[b].held_on, b) { vec![a, b] } else { vec![b, a] }
}

/// The minutes with the organization's own names masked, longest first (the short name is
/// usually part of the full one).
fn masked(r: &Evidence) -> String {
    let mut names: Vec<&str> = r.org_names.iter().map(String::as_str).filter(|n| !n.is_empty()).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names.iter().fold(r.text.clone(), |t, n| t.replace(n, "〇"))
}

/// How alike the minutes of each pair of records are, as the check for copies measures them (`None`:
/// too short to judge) — to explain a pair that was not flagged.
pub fn minutes_similarity(records: &[Evidence], pairs: &[(usize, usize)]) -> Vec<Option<f64>> {
    let masked: Vec<String> = records.iter().map(masked).collect();
    text::similarity(&masked.iter().map(String::as_str).collect::<Vec<_>>(), pairs)
}

fn near_duplicates(records: &[Evidence]) -> Vec<Finding> {
    let masked: Vec<String> = records.iter().map(masked).collect();
    let texts: Vec<&str> = masked.iter().map(String::as_str).collect();
    text::near_duplicates(&texts)
        .into_iter()
        .map(|d| {
            let same = records[d.a].org == records[d.b].org;
            Finding {
                signal: Signal::NearDuplicate,
                records: ordered(records, d.a, d.b),
                similarity: Some(d.jaccard),
                reason: format!(
                    "两条记录的会议内容相似度为{:.0}%（去除各支部通用的套话后逐字比较），{}",
                    d.jaccard * 100.0,
                    if same { "为同一组织不同活动的记录" } else { "分属不同组织" }
                ),
            }
        })
        .collect()
}

fn late_entries(records: &[Evidence]) -> impl Iterator<Item = Finding> + '_ {
    records.iter().enumerate().filter_map(|(i, r)| {
        let days = (r.recorded_on - r.held_on).num_days();
        (days > LATE_DAYS).then(|| Finding {
            signal: Signal::LateEntry,
            records: vec![i],
            similarity: None,
            reason: format!("活动日期为{}，{}才录入，相隔{days}天（超过{LATE_DAYS}天）", r.held_on, r.recorded_on),
        })
    })
}

/// Pairs of records on one day whose times overlap and which share members present, with how many.
fn overlapping_attendance(records: &[Evidence]) -> Vec<Finding> {
    let mut seen: Vec<(MemberId, qiangji_domain::Date, usize)> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.times.is_some())
        .flat_map(|(i, r)| r.present.iter().map(move |&m| (m, r.held_on, i)))
        .collect();
    seen.sort_unstable();
    let mut shared: HashMap<(usize, usize), u32> = HashMap::new();
    for day in seen.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)).filter(|g| g.len() > 1) {
        for (n, &(_, _, a)) in day.iter().enumerate() {
            for &(_, _, b) in &day[n + 1..] {
                let (ta, tb) = (records[a].times.expect("timed"), records[b].times.expect("timed"));
                if a != b && ta.overlaps(tb) {
                    *shared.entry((a.min(b), a.max(b))).or_default() += 1;
                }
            }
        }
    }
    shared
        .into_iter()
        .map(|((a, b), members)| {
            let [x, y] = [a, b].map(|i| records[i].times.expect("timed"));
            Finding {
                signal: Signal::OverlappingAttendance,
                records: ordered(records, a, b),
                similarity: Some(f64::from(members)),
                reason: format!(
                    "{}有两场时间重叠的活动（{}—{} 与 {}—{}），{members}名党员在两场活动中都登记为出席",
                    records[a].held_on,
                    x.starts_at(),
                    x.ends_at(),
                    y.starts_at(),
                    y.ends_at()
                ),
            }
        })
        .collect()
}

/// Records of different days or organizations showing the same photo: each paired with the first
/// record that showed it.
fn reused_photos(records: &[Evidence]) -> Vec<Finding> {
    let mut by_hash: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        for p in &r.photos {
            let seen = by_hash.entry(p.as_str()).or_default();
            if seen.last() != Some(&i) {
                seen.push(i);
            }
        }
    }
    let mut out = Vec::new();
    for (hash, shown) in by_hash {
        let first = shown[0];
        for &other in &shown[1..] {
            let (a, b) = (&records[first], &records[other]);
            if a.org != b.org || a.held_on != b.held_on {
                out.push(Finding {
                    signal: Signal::ReusedPhoto,
                    records: ordered(records, first, other),
                    similarity: None,
                    reason: format!(
                        "同一张照片（指纹 {}）出现在{}的两条记录中",
                        &hash[..hash.len().min(12)],
                        if a.org != b.org { "不同组织" } else { "同一组织不同日期" }
                    ),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use qiangji_domain::org::OrgId;
    use qiangji_domain::orglife::{ClockTime, MeetingId, MeetingKind, MeetingTimes};

    fn d(s: &str) -> qiangji_domain::Date {
        qiangji_domain::date::parse(s).unwrap()
    }

    fn at(s: &str, e: &str) -> Option<MeetingTimes> {
        MeetingTimes::new(ClockTime::parse(s).unwrap(), ClockTime::parse(e).unwrap())
    }

    fn record(id: i64, org: i64, held_on: &str, times: Option<MeetingTimes>, present: &[i64]) -> Evidence {
        Evidence {
            meeting: MeetingId(id),
            org: OrgId(org),
            kind: MeetingKind::ThemeDay,
            held_on: d(held_on),
            recorded_on: d(held_on),
            times,
            text: format!("记录{id}"),
            org_names: Vec::new(),
            present: present.iter().map(|&m| MemberId(m)).collect(),
            photos: Vec::new(),
        }
    }

    #[test]
    fn members_at_two_meetings_at_once_are_found_and_meetings_one_after_another_are_not() {
        let records = [
            record(1, 7, "2026-05-10", at("14:00", "16:00"), &[1, 2, 3]),
            record(2, 7, "2026-05-10", at("15:30", "17:00"), &[2, 3, 4]),
            record(3, 7, "2026-05-10", at("17:00", "18:00"), &[1, 2]),
            record(4, 7, "2026-05-11", at("14:00", "16:00"), &[1, 2]),
            record(5, 7, "2026-05-10", None, &[1, 2]),
        ];
        let found = detect(&records);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].signal, found[0].records.clone(), found[0].similarity),
            (Signal::OverlappingAttendance, vec![0, 1], Some(2.0))
        );
        assert!(found[0].reason.contains("14:00—16:00 与 15:30—17:00"), "{}", found[0].reason);
    }

    #[test]
    fn late_entries_and_reused_photos_are_found_but_one_activitys_photos_are_not() {
        let mut late = record(1, 7, "2026-03-01", None, &[]);
        late.recorded_on = d("2026-04-01");
        let mut on_time = record(2, 7, "2026-03-01", None, &[]);
        on_time.recorded_on = d("2026-03-31");
        let mut shown = [
            record(3, 7, "2026-05-10", None, &[]),
            record(4, 8, "2026-05-10", None, &[]),
            record(5, 7, "2026-05-10", None, &[]),
        ];
        for r in &mut shown {
            r.photos = vec!["ab".repeat(32)];
        }
        let records: Vec<Evidence> = [late, on_time].into_iter().chain(shown).collect();
        let found: Vec<(Signal, Vec<usize>)> = detect(&records).into_iter().map(|f| (f.signal, f.records)).collect();
        assert_eq!(
            found,
            [(Signal::LateEntry, vec![0]), (Signal::ReusedPhoto, vec![2, 3])],
            "31 days late; the same branch's same day is one activity"
        );
    }
}
