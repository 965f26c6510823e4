//! Property test of members' lifecycles: random sequences of registrations, manual moves, status
//! changes and transfers (inside, to outside, from outside — every step, legal or not) on a
//! strictly advancing calendar. A small model predicts every outcome from the domain's own state
//! machine; after each event the store must agree with the model, every member holding a
//! membership must be in exactly one organization (in transit: still the sending one), the
//! engine's statistics must equal a plain SQL recount, and the roster as of every earlier event's
//! day must be what it was then. On SQLite and PostgreSQL.

use qiangji_domain::Date;
use qiangji_domain::date::parse;
use qiangji_domain::id_number::IdNumber;
use qiangji_domain::member::StatusChange;
use qiangji_domain::member::{MemberFields, MemberId, MemberInput, MemberStatus};
use qiangji_domain::org::{OrgId, OrgInput};
use qiangji_domain::transfer::{self, Direction, Effect, Progress, Side, TransferAction, TransferId, TransferState};
use qiangji_stats::{Condition, Dim, Engine};
use qiangji_store::seal::DataKey;
use qiangji_store::transfer::{Destination, LetterInput};
use qiangji_store::{Access, Store, StoreError, ledger};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use recount::sql_counted;
use std::collections::{BTreeMap, BTreeSet};

mod recount;

fn d(s: &str) -> Date {
    parse(s).unwrap()
}

/// What the model expects of one member.
#[derive(Debug, Clone)]
struct Expected {
    /// The organization holding the membership; `None` once it went outside the deployment.
    org: Option<OrgId>,
    status: MemberStatus,
    transfer: Option<Open>,
}

#[derive(Debug, Clone, Copy)]
struct Open {
    id: TransferId,
    direction: Direction,
    state: TransferState,
    to: Option<OrgId>,
    valid_until: Option<Date>,
    last: Date,
}

struct World {
    store: Store,
    sys: Access,
    engine: Engine,
    branches: Vec<OrgId>,
    root: OrgId,
    members: BTreeMap<MemberId, Expected>,
    next_person: u16,
    /// The roster of every branch as of each past event's day, as it was seen then.
    rosters: Vec<(Date, BTreeMap<OrgId, BTreeSet<i64>>)>,
    /// How many steps had each effect (none, move, leave): the sequence must reach them all.
    effects: [usize; 3],
}

fn fields(seq: u16) -> MemberFields {
    let born = d("1980-01-01") + chrono::Days::new(u64::from(seq) * 37);
    let id = IdNumber::compose(330203, born, seq);
    MemberInput {
        name: format!("党员{seq}"),
        sex: id.sex().code().into(),
        ethnicity: "01".into(),
        id_number: id.to_string(),
        education: "university".into(),
        occupation: "worker".into(),
        joined_on: "2010-07-01".into(),
        full_on: "2011-07-01".into(),
        kind: "full".into(),
        ..Default::default()
    }
    .validate(d("2026-01-01"))
    .unwrap()
}

/// The model's answer to a status change (mirrors SPEC §4: leaving and death are final).
fn status_allowed(e: &Expected, to: MemberStatus) -> bool {
    let allowed = to != MemberStatus::LeftCancelled
        && match e.status {
            MemberStatus::Active => to != MemberStatus::Active,
            MemberStatus::Suspended => to != MemberStatus::Suspended,
            _ => false,
        };
    allowed && e.transfer.is_none() && e.org.is_some()
}

fn transferable(e: &Expected) -> bool {
    e.status.holds_membership() && e.org.is_some() && e.transfer.is_none()
}

impl World {
    async fn new(url: &str, key: &DataKey) -> World {
        let store = Store::open_with_key(url, key).await.unwrap();
        let sys = Access::system("测试", 1);
        let org = |name: &str, kind: &str| {
            OrgInput {
                name: name.into(),
                kind: kind.into(),
                sector: "community".into(),
                formation_mode: "single".into(),
                ..Default::default()
            }
            .validate(d("2026-01-01"))
            .unwrap()
        };
        let root = store.create_root_org(&sys, &org("中共某市委组织部", "department"), "").await.unwrap();
        let mut branches = Vec::new();
        for c in 0..2 {
            let county = store.create_org(&sys, root, &org(&format!("中共第{c}区委组织部"), "department"), "").await;
            let county = county.unwrap();
            for b in 0..3 {
                let f = org(&format!("第{c}区第{b}支部"), "branch");
                branches.push(store.create_org(&sys, county, &f, "").await.unwrap());
            }
        }
        let engine = Engine::build(&store, &sys).await.unwrap();
        World {
            store,
            sys,
            engine,
            branches,
            root,
            members: BTreeMap::new(),
            next_person: 1,
            rosters: Vec::new(),
            effects: [0; 3],
        }
    }

    async fn head(&self) -> i64 {
        ledger::head_seq(self.store.db()).await.unwrap()
    }

    async fn register(&mut self, org: OrgId, on: Date, from_outside: bool) {
        let f = fields(self.next_person);
        self.next_person += 1;
        let (id, transfer) = if from_outside {
            let (m, t) =
                self.store.register_inbound(&self.sys, org, &f, "中共外省某县委组织部", on, "迁入").await.unwrap();
            let open = Open {
                id: t,
                direction: Direction::Inbound,
                state: TransferState::Received,
                to: Some(org),
                valid_until: None,
                last: on,
            };
            (m, Some(open))
        } else {
            (self.store.create_member(&self.sys, org, &f, on, "登记").await.unwrap(), None)
        };
        self.members.insert(id, Expected { org: Some(org), status: MemberStatus::Active, transfer });
    }

    /// One random event on `on`; checks that the store did what the model predicted.
    async fn event(&mut self, rng: &mut SmallRng, on: Date) -> &'static str {
        let ids: Vec<MemberId> = self.members.keys().copied().collect();
        let m = ids[rng.random_range(0..ids.len())];
        let e = self.members[&m].clone();
        let branch = self.branches[rng.random_range(0..self.branches.len())];
        let before = self.head().await;
        let (what, result, predicted): (&str, Result<(), StoreError>, bool) = match rng.random_range(0..100) {
            0..6 => {
                self.register(branch, on, rng.random_bool(0.5)).await;
                return "registered";
            }
            6..14 => {
                let r = self.store.move_member(&self.sys, m, branch, on, "调整").await;
                let ok = transferable(&e) && e.org != Some(branch);
                if r.is_ok() {
                    self.members.get_mut(&m).unwrap().org = Some(branch);
                }
                ("moved", r, ok)
            }
            14..20 => {
                let to = MemberStatus::ALL[rng.random_range(0..MemberStatus::ALL.len())];
                let r = self
                    .store
                    .change_status(&self.sys, m, &StatusChange::new(to, on, "状态变更").approved("上级党委", on))
                    .await;
                if r.is_ok() {
                    let x = self.members.get_mut(&m).unwrap();
                    x.status = to;
                    // Leaving or death ends the membership.
                    if !to.holds_membership() {
                        x.org = None;
                    }
                }
                ("status", r, status_allowed(&e, to))
            }
            20..36 => {
                let outside = rng.random_bool(0.25);
                let dest = if outside {
                    Destination::Outside("中共外省某市委组织部".into())
                } else {
                    Destination::Org(branch)
                };
                let r = self.store.request_transfer(&self.sys, m, &dest, "调动", on).await;
                let ok = transferable(&e) && (outside || e.org != Some(branch));
                if let Ok(id) = &r {
                    let direction = if outside { Direction::Outbound } else { Direction::Internal };
                    let to = (!outside).then_some(branch);
                    let open =
                        Open { id: *id, direction, state: TransferState::Requested, to, valid_until: None, last: on };
                    self.members.get_mut(&m).unwrap().transfer = Some(open);
                }
                ("requested", r.map(|_| ()), ok)
            }
            _ => {
                // A step of an open transfer: any action, legal or not, so refusals are exercised.
                let open: Vec<MemberId> = ids.iter().copied().filter(|i| self.members[i].transfer.is_some()).collect();
                if open.is_empty() {
                    return "nothing open";
                }
                let m = open[rng.random_range(0..open.len())];
                let t = self.members[&m].transfer.unwrap();
                let months = rng.random_range(1..=3);
                let letter = LetterInput { valid_months: months, dues_paid_to: on.format("%Y-%m").to_string() };
                let p = Progress {
                    direction: t.direction,
                    state: t.state,
                    valid_until: t.valid_until,
                    last_step_on: t.last,
                };
                // Mostly a step the transfer can take, forward steps more often than ending ones,
                // so that sequences reach the receive and the receipt; otherwise any action.
                let legal: Vec<TransferAction> = [Side::Sending, Side::Receiving]
                    .into_iter()
                    .flat_map(|s| transfer::next_actions(&p, s))
                    .flat_map(|a| {
                        let ending =
                            matches!(a, TransferAction::Withdraw | TransferAction::Reject | TransferAction::SendBack);
                        std::iter::repeat_n(a, if ending { 1 } else { 6 })
                    })
                    .collect();
                let action = if legal.is_empty() || rng.random_bool(0.25) {
                    TransferAction::ALL[rng.random_range(0..TransferAction::ALL.len())]
                } else {
                    legal[rng.random_range(0..legal.len())]
                };
                // The system sees both sides and acts for whichever side the step belongs to.
                let prediction = [Side::Sending, Side::Receiving]
                    .into_iter()
                    .filter(|&s| t.direction != Direction::Inbound || s == Side::Receiving)
                    .filter(|&s| t.direction != Direction::Outbound || s == Side::Sending)
                    .find_map(|s| transfer::apply(&p, s, action, on).ok());
                let r = self.store.transfer_step(&self.sys, t.id, action, on, "说明", Some(&letter)).await;
                if let (Ok(state), Some(outcome)) = (&r, prediction) {
                    assert_eq!(*state, outcome.state, "{action:?} from {:?}", t.state);
                    self.effects[outcome.effect as usize] += 1;
                    let x = self.members.get_mut(&m).unwrap();
                    match outcome.effect {
                        Effect::Move => x.org = t.to,
                        Effect::Leave => x.org = None,
                        Effect::None => {}
                    }
                    let valid_until = if action == TransferAction::IssueLetter {
                        Some(transfer::validity_until(on, months))
                    } else {
                        t.valid_until
                    };
                    let next = Open { state: *state, valid_until, last: on, ..t };
                    x.transfer = state.is_open().then_some(next);
                }
                ("step", r.map(|_| ()), prediction.is_some())
            }
        };
        match &result {
            Ok(()) => assert!(predicted, "{what} of {m:?} ({e:?}) succeeded but the model refuses it"),
            Err(err) => {
                assert!(!predicted, "{what} of {m:?} ({e:?}) was refused: {err}");
                assert!(!matches!(err, StoreError::Other(_)), "{what}: refused cleanly, not {err:?}");
                assert_eq!(self.head().await, before, "{what}: a refusal writes nothing");
            }
        }
        what
    }

    /// Everything that must hold after each event on `on`.
    async fn check(&mut self, on: Date, rng: &mut SmallRng) {
        self.engine.catch_up(&self.store, &self.sys).await.unwrap();
        let db = self.store.db();
        // Store against model: the open membership, the member's organization, the open transfer.
        for (m, e) in &self.members {
            let open = db
                .all("SELECT org_id FROM membership WHERE member_id = ? AND valid_to IS NULL", vec![m.0.into()])
                .await
                .unwrap();
            let open: Vec<i64> = open.iter().map(|r| r.int(0)).collect();
            assert_eq!(open, e.org.map(|o| o.0).into_iter().collect::<Vec<_>>(), "{m:?} memberships, {e:?}");
            let t = db.opt("SELECT id, state FROM transfer WHERE member_id = ? AND open = 1", vec![m.0.into()]).await;
            let t = t.unwrap().map(|r| (r.int(0), r.text(1)));
            assert_eq!(t, e.transfer.map(|t| (t.id.0, t.state.code().to_owned())), "{m:?} open transfer");
        }
        // The consistency check an operator runs (`qiangji check`) finds nothing wrong.
        let problems = qiangji_store::check::run(db).await.unwrap().problems;
        assert!(problems.is_empty(), "{on}: {problems:?}");
        // Each member holding a membership counted once: in one branch, in transit or not.
        let all = Condition::all();
        let mut seen = BTreeMap::new();
        for &b in &self.branches {
            let ids: BTreeSet<i64> =
                self.engine.members(&self.sys, b, on, &all, 0, usize::MAX).ids.iter().map(|m| m.0).collect();
            let want: BTreeSet<i64> = self
                .members
                .iter()
                .filter(|(_, e)| e.org == Some(b) && e.status.holds_membership())
                .map(|(m, _)| m.0)
                .collect();
            assert_eq!(ids, want, "branch {b:?} on {on}");
            seen.insert(b, ids);
        }
        let root = self.engine.tally(&self.sys, self.root, on, &all).total as usize;
        assert_eq!(root, seen.values().map(BTreeSet::len).sum::<usize>(), "the city counts each member once");
        // Statistics equal a recount, on the city and a random branch.
        for org in [self.root, self.branches[rng.random_range(0..self.branches.len())]] {
            let path = self.store.get_org(&self.sys, org).await.unwrap().path;
            let counted = sql_counted(&self.store, &path, on).await;
            let tally = self.engine.tally(&self.sys, org, on, &all);
            assert_eq!(tally.total as usize, counted.len());
            for c in &counted {
                assert_eq!(
                    self.members[&MemberId(c.id)].org,
                    Some(OrgId(c.org)),
                    "{on}: counted where the model has them"
                );
            }
            for dim in Dim::ALL {
                let mut want = vec![0u32; dim.size()];
                for c in &counted {
                    want[c.values[&dim] as usize] += 1;
                }
                assert_eq!(tally.by(dim), want.as_slice(), "{org:?} on {on}: {}", dim.label());
            }
        }
        // Rosters of earlier days are as they were.
        for (day, then) in &self.rosters {
            for (b, ids) in then {
                let now: BTreeSet<i64> =
                    self.engine.members(&self.sys, *b, *day, &all, 0, usize::MAX).ids.iter().map(|m| m.0).collect();
                assert_eq!(&now, ids, "the roster of {b:?} as of {day} changed after it");
            }
        }
        self.rosters.push((on, seen));
    }
}

async fn run(url: &str, key: &DataKey, seed: u64) -> [usize; 3] {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut w = World::new(url, key).await;
    let mut on = d("2023-01-02");
    for i in 0..12 {
        let b = w.branches[i % w.branches.len()];
        w.register(b, on, false).await;
    }
    let mut done = BTreeMap::new();
    for _ in 0..100 {
        on = on + chrono::Days::new(rng.random_range(1..=12));
        let what = w.event(&mut rng, on).await;
        *done.entry(what).or_insert(0) += 1;
        w.check(on, &mut rng).await;
    }
    // A fresh engine agrees with the one that followed every change.
    let fresh = Engine::build(&w.store, &w.sys).await.unwrap();
    for (day, then) in &w.rosters {
        for (b, ids) in then {
            let got: BTreeSet<i64> =
                fresh.members(&w.sys, *b, *day, &Condition::all(), 0, usize::MAX).ids.iter().map(|m| m.0).collect();
            assert_eq!(&got, ids, "fresh engine: roster of {b:?} as of {day}");
        }
    }
    eprintln!("seed {seed}: {done:?}, step effects (none, move, leave) {:?}", w.effects);
    assert!(done.get("step").copied().unwrap_or(0) > 10, "steps were exercised: {done:?}");
    w.effects
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycles_keep_everyone_counted_once_on_sqlite() {
    let mut effects = [0; 3];
    for seed in 1..=6 {
        let f = qiangji_testkit::sqlite::fresh_file("lifecycle");
        let e = run(&f.url(), &DataKey::Ephemeral, seed).await;
        (0..3).for_each(|i| effects[i] += e[i]);
    }
    assert!(effects.iter().all(|&n| n > 0), "receives and outbound receipts happened: {effects:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycles_keep_everyone_counted_once_on_postgres() {
    let mut effects = [0; 3];
    for seed in 21..=23 {
        let db = qiangji_testkit::pg::fresh_database("lifecycle");
        let e = run(&db.url, &DataKey::file(db.key_file()), seed).await;
        (0..3).for_each(|i| effects[i] += e[i]);
    }
    assert!(effects.iter().all(|&n| n > 0), "receives and outbound receipts happened: {effects:?}");
}
