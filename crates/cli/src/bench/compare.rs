//! Sets the statistics engine's answers beside the SQL engines': a markdown table of median times
//! and every count on which the engines disagree.

use super::sql::Answer;
use std::collections::{BTreeMap, BTreeSet};

/// Returns the markdown table (one row per question of `engine`: the engine's median, each other
/// engine's median and its ratio to the engine's) and the mismatches, one line per count that
/// differs between any two engines. A key missing from an answer counts as zero; a question an
/// engine did not answer is a mismatch.
pub fn compare(engine: &[Answer], others: &[(&str, Vec<Answer>)]) -> (String, Vec<String>) {
    let mut table = String::from("| question | engine ms |");
    let mut rule = String::from("|---|---:|");
    for (name, _) in others {
        table.push_str(&format!(" {name} ms | {name} / engine |"));
        rule.push_str("---:|---:|");
    }
    table.push('\n');
    table.push_str(&rule);
    table.push('\n');

    let mut mismatches = Vec::new();
    let by_name: Vec<(&str, BTreeMap<&str, &Answer>)> =
        others.iter().map(|(n, answers)| (*n, answers.iter().map(|a| (a.name.as_str(), a)).collect())).collect();
    for mine in engine {
        let base = mine.median_millis();
        table.push_str(&format!("| {} | {} |", mine.name, fmt_ms(base)));
        for (other, answers) in &by_name {
            let Some(theirs) = answers.get(mine.name.as_str()) else {
                table.push_str(" – | – |");
                mismatches.push(format!("{}: {other} did not answer", mine.name));
                continue;
            };
            let t = theirs.median_millis();
            table.push_str(&format!(" {} | {} |", fmt_ms(t), fmt_ratio(t / base)));
            let keys: BTreeSet<&String> = mine.counts.keys().chain(theirs.counts.keys()).collect();
            for key in keys {
                let (a, b) = (mine.counts.get(key).copied().unwrap_or(0), theirs.counts.get(key).copied().unwrap_or(0));
                if a != b {
                    mismatches.push(format!("{}: {key}: engine {a}, {other} {b}", mine.name));
                }
            }
        }
        table.push('\n');
    }
    (table, mismatches)
}

fn fmt_ms(ms: f64) -> String {
    if ms.is_nan() {
        "–".into()
    } else if ms < 10.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.1}")
    }
}

fn fmt_ratio(r: f64) -> String {
    if r.is_finite() { format!("{r:.1}×") } else { "–".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(name: &str, millis: &[f64], counts: &[(&str, u64)]) -> Answer {
        Answer {
            name: name.into(),
            millis: millis.to_vec(),
            counts: counts.iter().map(|&(k, v)| (k.to_owned(), v)).collect(),
        }
    }

    #[test]
    fn medians_and_ratios_are_tabled_and_differing_counts_reported() {
        let engine = [answer("root", &[1.0, 3.0, 2.0], &[("total", 10), ("sex=male", 6), ("sex=female", 4)])];
        let pg = vec![answer("root", &[20.0, 40.0, 30.0], &[("total", 10), ("sex=male", 6), ("sex=female", 4)])];
        // DuckDB leaves out a zero count (fine) and miscounts women (not fine).
        let duck = vec![answer("root", &[5.0], &[("total", 10), ("sex=male", 6), ("sex=female", 3), ("kind=x", 0)])];
        let (table, mismatches) = compare(&engine, &[("PostgreSQL", pg), ("DuckDB", duck)]);
        assert!(
            table.starts_with("| question | engine ms | PostgreSQL ms | PostgreSQL / engine | DuckDB ms |"),
            "{table}"
        );
        assert!(table.contains("| root | 2.00 | 30.0 | 15.0× | 5.00 | 2.5× |"), "{table}");
        assert_eq!(mismatches, ["root: sex=female: engine 4, DuckDB 3"]);
    }

    #[test]
    fn an_unanswered_question_is_a_mismatch() {
        let engine = [answer("root", &[1.0], &[("total", 1)])];
        let (_, mismatches) = compare(&engine, &[("DuckDB", vec![])]);
        assert_eq!(mismatches, ["root: DuckDB did not answer"]);
    }
}
