//! Prints the size and make-up of a generated dataset: `cargo run --release -p qiangji-demo --example summary -- city`.

use qiangji_demo::{Scale, generate};
use qiangji_domain::date;
use qiangji_domain::member::{AgeBand, Education, MemberKind, Occupation, Sex};
use qiangji_domain::org::OrgKind;
use std::time::Instant;

fn pct(n: usize, total: usize) -> String {
    format!("{:.1}%", 100.0 * n as f64 / total as f64)
}

fn main() {
    let scale: Scale = std::env::args().nth(1).as_deref().unwrap_or("city").parse().expect("scale");
    let today = date::parse("2026-06-30").expect("date");
    let started = Instant::now();
    let data = generate(scale, 42, today);
    println!("{scale}: generated in {:.2?}", started.elapsed());

    let (orgs, members) = (&data.orgs, &data.members);
    println!("organizations: {}, members: {}", orgs.len(), members.len());
    for kind in OrgKind::ALL {
        let n = orgs.iter().filter(|o| o.fields.kind == *kind).count();
        println!("  {:<6} {n}", kind.label());
    }
    let grassroots = orgs.iter().filter(|o| !matches!(o.fields.kind, OrgKind::Department | OrgKind::Group)).count();
    let committees =
        orgs.iter().filter(|o| matches!(o.fields.kind, OrgKind::Committee | OrgKind::WorkingCommittee)).count();
    let general = orgs.iter().filter(|o| o.fields.kind == OrgKind::GeneralBranch).count();
    let branches = orgs.iter().filter(|o| o.fields.kind == OrgKind::Branch).count();
    println!(
        "  of grassroots: committees {}, general branches {}, branches {}",
        pct(committees, grassroots),
        pct(general, grassroots),
        pct(branches, grassroots)
    );

    let mut sizes = vec![0usize; orgs.len()];
    for m in members {
        sizes[m.org] += 1;
    }
    let branch_sizes: Vec<usize> =
        orgs.iter().zip(&sizes).filter(|(o, _)| o.fields.kind == OrgKind::Branch).map(|(_, s)| *s).collect();
    let band = |lo: usize, hi: usize| branch_sizes.iter().filter(|s| (lo..=hi).contains(*s)).count();
    println!(
        "  branch sizes: mean {:.1}; <3 {}, 3-7 {}, 8-40 {}, 41-50 {}, >50 {}, max {}",
        members.len() as f64 / branch_sizes.len() as f64,
        band(0, 2),
        band(3, 7),
        band(8, 40),
        band(41, 50),
        band(51, usize::MAX),
        branch_sizes.iter().max().unwrap_or(&0)
    );
    let overdue = orgs.iter().filter(|o| o.fields.term_end().is_some_and(|e| e < today)).count();
    println!("  terms overdue: {}", pct(overdue, grassroots));

    let total = members.len();
    let count = |f: &dyn Fn(&qiangji_demo::DemoMember) -> bool| members.iter().filter(|m| f(m)).count();
    println!("women {}", pct(count(&|m| m.fields.sex == Sex::Female), total));
    println!("minorities {}", pct(count(&|m| m.fields.ethnicity.is_minority()), total));
    println!("probationary {}", pct(count(&|m| m.fields.kind == MemberKind::Probationary), total));
    println!("moved {}", pct(count(&|m| m.previous_org.is_some()), total));
    println!(
        "floating {}, lost contact {}, hardship {}",
        pct(count(&|m| m.fields.floating), total),
        pct(count(&|m| m.fields.lost_contact), total),
        pct(count(&|m| m.fields.hardship), total)
    );
    print!("education:");
    for e in Education::ALL {
        print!(" {} {}", e.label(), pct(count(&|m| m.fields.education == *e), total));
    }
    println!("; 大专及以上 {}", pct(count(&|m| m.fields.education.is_college_or_above()), total));
    print!("age:");
    for b in AgeBand::ALL {
        print!(" {} {}", b.label(), pct(count(&|m| AgeBand::of(m.fields.birth_date, today) == *b), total));
    }
    println!();
    print!("occupation:");
    for o in Occupation::ALL {
        print!(" {} {}", o.label(), pct(count(&|m| m.fields.occupation == *o), total));
    }
    println!();
    let d = |s: &str| date::parse(s).expect("date");
    let (d1949, d1978, d2012) = (d("1949-10-01"), d("1978-12-18"), d("2012-11-08"));
    println!(
        "joined: before 1949-10-01 {} ({}), to 1978-12-18 {}, to 2012-11-08 {}, after {}",
        count(&|m| m.fields.joined_on < d1949),
        pct(count(&|m| m.fields.joined_on < d1949), total),
        pct(count(&|m| m.fields.joined_on >= d1949 && m.fields.joined_on < d1978), total),
        pct(count(&|m| m.fields.joined_on >= d1978 && m.fields.joined_on < d2012), total),
        pct(count(&|m| m.fields.joined_on >= d2012), total)
    );
}
