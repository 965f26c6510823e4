//! Known cases of formalism planted into the demo year, and the list of them (the ground truth the
//! checks for formalism are measured against). Each record takes part in at most one planted case
//! of a signal, so that a flagged pair is either a planted pair or a false flag.

use super::DemoMeeting;
use crate::Dataset;
use crate::sample::chance;
use chrono::Datelike;
use qiangji_domain::orglife::{Attendance, ClockTime, MeetingKind, MeetingTimes, Signal};
use rand::Rng;
use rand::rngs::SmallRng;

/// The generator's late records are entered 60–120 days after the day, its ordinary ones within
/// 5: a late record is one entered at least this late.
pub(super) const LATE_MIN_DAYS: u64 = 60;

/// One planted case: the records (indexes of the year's records) that show the signal — two for
/// a pair, one for a late entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planted {
    pub signal: Signal,
    pub records: Vec<usize>,
}

/// Plants the cases into `out` and returns them, with the late entries the year already has.
pub(super) fn plant(rng: &mut SmallRng, data: &Dataset, out: &mut [DemoMeeting], late: Vec<usize>) -> Vec<Planted> {
    let mut planted = Vec::new();
    // Records changed by one plant are left alone by the others that change text or dates.
    let mut used = vec![false; out.len()];
    for &i in &late {
        used[i] = true;
    }
    copies(rng, data, out, &mut used, &mut planted);
    overlaps(rng, out, &mut used, &mut planted);
    planted.extend(late.into_iter().map(|i| Planted { signal: Signal::LateEntry, records: vec![i] }));
    photos(rng, out, &mut planted);
    planted
}

/// Draws `n` times an unused record satisfying `ok`, giving up after many tries (small data).
fn draw(rng: &mut SmallRng, used: &[bool], ok: impl Fn(usize) -> bool) -> Option<usize> {
    (0..2000).map(|_| rng.random_range(0..used.len())).find(|&i| !used[i] && ok(i))
}

/// About one record in four hundred is a copy of another's minutes: across branches word for word
/// with the branch's name replaced, across branches lightly edited, or within a branch lightly
/// edited (last month's minutes with a few characters changed).
fn copies(rng: &mut SmallRng, data: &Dataset, out: &mut [DemoMeeting], used: &mut [bool], planted: &mut Vec<Planted>) {
    for n in 0..(out.len() / 400).max(6) {
        let Some(from) = draw(rng, used, |_| true) else { return };
        used[from] = true;
        let within = n % 3 == 2;
        let kind = out[from].fields.kind;
        let Some(to) =
            draw(rng, used, |i| out[i].fields.kind == kind && (out[i].org == out[from].org) == within && i != from)
        else {
            used[from] = false;
            continue;
        };
        used[to] = true;
        let (source, target) = (&data.orgs[out[from].org].fields.short_name, &data.orgs[out[to].org].fields.short_name);
        let mut content = out[from].fields.content.replace(source.as_str(), target);
        if n % 3 != 0 {
            content = edit(rng, &content);
        }
        out[to].fields.content = content;
        out[to].fields.decisions = out[from].fields.decisions.clone();
        planted.push(Planted { signal: Signal::NearDuplicate, records: vec![from, to] });
    }
}

/// A few characters changed, as someone passing off a copy would: digits and a word or two.
fn edit(rng: &mut SmallRng, text: &str) -> String {
    const SWAPS: &[char] = &['一', '二', '三', '五', '要', '和', '等', '好'];
    let mut chars: Vec<char> = text.chars().collect();
    if chars.len() < 20 {
        return text.to_owned();
    }
    for _ in 0..rng.random_range(2..=5) {
        let at = rng.random_range(0..chars.len());
        chars[at] = SWAPS[rng.random_range(0..SWAPS.len())];
    }
    chars.into_iter().collect()
}

/// About one record in a thousand: a branch's 党员大会 moved onto the day of its 主题党日 of the
/// same month, starting half an hour into it, with the same members present at both.
fn overlaps(rng: &mut SmallRng, out: &mut [DemoMeeting], used: &mut [bool], planted: &mut Vec<Planted>) {
    let mut theme_of = std::collections::HashMap::new();
    for (i, r) in out.iter().enumerate() {
        if r.fields.kind == MeetingKind::ThemeDay {
            theme_of.insert((r.org, r.fields.held_on.year(), r.fields.held_on.month()), i);
        }
    }
    let present = |r: &DemoMeeting| r.attendance.iter().filter(|a| a.1 == Attendance::Present).count();
    for _ in 0..(out.len() / 1000).max(3) {
        let general = |i: usize| out[i].fields.kind == MeetingKind::GeneralMeeting && present(&out[i]) >= 2;
        let Some(g) = draw(rng, used, general) else { return };
        let d = out[g].fields.held_on;
        let Some(&t) = theme_of.get(&(out[g].org, d.year(), d.month())) else { continue };
        if used[t] || present(&out[t]) < 2 {
            continue;
        }
        used[g] = true;
        used[t] = true;
        let Some(theme) = out[t].fields.times else { continue };
        let Some(old) = out[g].fields.times else { continue };
        let length = old.ends_at().minutes() - old.starts_at().minutes();
        let start = theme.starts_at().minutes() + 30;
        let times = ClockTime::from_minutes(start)
            .zip(ClockTime::from_minutes(start + length))
            .and_then(|(s, e)| MeetingTimes::new(s, e))
            .expect("afternoon meetings end before midnight");
        let (old_day, new_day) = (out[g].fields.held_on, out[t].fields.held_on);
        let stamp = |day: chrono::NaiveDate, t: MeetingTimes| {
            format!("{}年{}月{}日{}至{}", day.year(), day.month(), day.day(), t.starts_at(), t.ends_at())
        };
        out[g].fields.content = out[g].fields.content.replace(&stamp(old_day, old), &stamp(new_day, times));
        out[g].recorded_on = out[t].recorded_on;
        out[g].fields.held_on = new_day;
        out[g].fields.times = Some(times);
        out[g].attendance = out[t].attendance.clone();
        planted.push(Planted { signal: Signal::OverlappingAttendance, records: vec![t, g] });
    }
}

/// About one record in fifteen hundred shows a photo already used on another record of another
/// day or branch.
fn photos(rng: &mut SmallRng, out: &mut [DemoMeeting], planted: &mut Vec<Planted>) {
    let mut used = vec![false; out.len()];
    for _ in 0..(out.len() / 1500).max(3) {
        let Some(from) = draw(rng, &used, |i| !out[i].photos.is_empty()) else { return };
        used[from] = true;
        let (org, day) = (out[from].org, out[from].fields.held_on);
        let other = |i: usize| out[i].org != org || out[i].fields.held_on != day;
        let Some(to) = draw(rng, &used, other) else { return };
        used[to] = true;
        let photo = out[from].photos[0].clone();
        if chance(rng, 0.5) {
            out[to].photos.push(photo);
        } else {
            out[to].photos.insert(0, photo);
        }
        planted.push(Planted { signal: Signal::ReusedPhoto, records: vec![from, to] });
    }
}
