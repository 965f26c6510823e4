//! The reminder outbox: enqueueing is idempotent on the key, deliveries are claimed once, retried
//! with backoff until delivered, in-app notifications exist once per user, and everything read is
//! scoped.

use crate::fixture::{Backend, Tree, d, tree};
use crate::on_both;
use chrono::{DateTime, Duration, Utc};
use qiangji_domain::org::{OrgId, Post};
use qiangji_domain::orglife::{MeetingKind, Period, Requirement, RequirementKind, Stage, Status};
use qiangji_store::org::posts::PostHolder;
use qiangji_store::reminder::{Channel, DeliveryStatus, NewReminder, backoff};
use qiangji_store::user::NewUser;
use qiangji_store::{Access, Role, StoreError};

/// 支委会 of March 2026 of `org`, three days before it falls due.
fn reminder(org: OrgId) -> NewReminder {
    let requirement = Requirement {
        kind: RequirementKind::Meeting(MeetingKind::CommitteeMeeting),
        period: Period::Month.containing(d("2026-03-28")),
        required: 1,
        held: 0,
        days_left: Some(3),
        status: Status::Pending,
    };
    NewReminder { org, requirement, stage: Stage::Days3, title: "提醒".into(), body: "请开会".into() }
}

fn t0() -> DateTime<Utc> {
    "2026-03-28T01:00:00Z".parse().unwrap()
}

/// A user over `org` (linked to `member`) with `email`; returns their access.
async fn user(t: &Tree, name: &str, role: Role, org: OrgId, member: Option<i64>, email: &str) -> Access {
    let new = NewUser {
        username: name,
        display_name: name,
        password: "password-123",
        role,
        scope_org_id: org.0,
        member_id: member,
        email,
    };
    t.store().create_user(&t.system, &new).await.unwrap();
    let token = t.store().login(name, "password-123").await.unwrap();
    t.store().session(&token).await.unwrap().unwrap().access
}

/// 张三 is the secretary of A with an account and an email address; B has no secretary on record
/// but a branch-secretary account without an address; C1 has neither.
async fn setup(b: Backend) -> (Tree, Access, Access) {
    let t = tree(b).await;
    let secretary =
        PostHolder { post: Post::Secretary, person_name: "张三".into(), member_id: Some(t.zhang.0), since: None };
    t.store().set_posts(&t.system, t.a, &[secretary], "").await.unwrap();
    let zhang = user(&t, "zhangsan", Role::Member, t.a, Some(t.zhang.0), "zhang@example.org").await;
    let b_secretary = user(&t, "yi-shuji", Role::BranchSecretary, t.b, None, "").await;
    (t, zhang, b_secretary)
}

async fn enqueueing_the_same_reminder_twice_makes_one_and_addresses_the_secretary(b: Backend) {
    let (t, _, _) = setup(b).await;
    let s = t.store();
    let all = [reminder(t.a), reminder(t.b), reminder(t.c1)];
    let before = t.head().await;
    assert_eq!(s.enqueue_reminders(&t.system, &all, Channel::ALL, t0()).await.unwrap(), 3);
    assert_eq!(s.enqueue_reminders(&t.system, &all, Channel::ALL, t0() + Duration::hours(1)).await.unwrap(), 0);
    assert_eq!(t.head().await, before, "reminders are not in the ledger");
    let outbox = s.list_outbox(&t.system, t.city, 0, 10).await.unwrap();
    assert_eq!((outbox.total, outbox.without_phone, outbox.without_email), (3, 2, 2));
    let of = |org: OrgId| {
        let row = outbox.rows.iter().find(|r| r.org_id == org).unwrap();
        assert_eq!(row.key, format!("orglife/{}/committee_meeting/2026-03-01/3d", org.0));
        row.deliveries.iter().map(|d| (d.channel, d.recipient.clone(), d.status)).collect::<Vec<_>>()
    };
    let pending = DeliveryStatus::Pending;
    assert_eq!(
        of(t.a),
        [
            (Channel::Email, "zhang@example.org".into(), pending),
            (Channel::InApp, "zhangsan".into(), pending),
            (Channel::Sms, "138****0000".into(), pending)
        ]
    );
    assert_eq!(of(t.b), [(Channel::InApp, "yi-shuji".into(), pending)], "no secretary: the branch secretary's account");
    assert_eq!(of(t.c1), [], "nobody to tell");

    // Without SMS and email configured, only the in-app delivery is queued.
    let mut later = reminder(t.a);
    later.stage = Stage::Overdue;
    s.enqueue_reminders(&t.system, &[later], &[Channel::InApp], t0()).await.unwrap();
    let outbox = s.list_outbox(&t.system, t.a, 0, 1).await.unwrap();
    let channels: Vec<Channel> = outbox.rows[0].deliveries.iter().map(|d| d.channel).collect();
    assert_eq!((outbox.rows[0].stage, channels), (Stage::Overdue, vec![Channel::InApp]));
}
on_both!(enqueueing_the_same_reminder_twice_makes_one_and_addresses_the_secretary);

async fn a_delivery_is_claimed_once_and_retried_with_growing_waits_until_delivered(b: Backend) {
    let (t, _, _) = setup(b).await;
    let s = t.store();
    s.enqueue_reminders(&t.system, &[reminder(t.a)], Channel::ALL, t0()).await.unwrap();
    let claimed = s.claim_deliveries(&t.system, t0(), 10).await.unwrap();
    assert_eq!(claimed.len(), 3);
    assert!(claimed.iter().all(|d| d.attempts == 1));
    assert!(s.claim_deliveries(&t.system, t0(), 10).await.unwrap().is_empty(), "claimed ones are leased");
    let sms = claimed.iter().find(|d| d.channel == Channel::Sms).unwrap();
    // The phone number waits in the outbox sealed; the sender opens it.
    assert!(!sms.recipient.contains("13800000000"));
    assert_eq!(sms.address(s.keys()).unwrap(), "13800000000");
    let in_app = claimed.iter().find(|d| d.channel == Channel::InApp).unwrap();
    let retry = |n: i64, from: DateTime<Utc>| from + backoff(n, std::time::Duration::from_secs(60));
    s.mark_failed(&t.system, sms, "连接被拒绝", retry(sms.attempts, t0())).await.unwrap();
    s.deliver_in_app(&t.system, in_app, t0()).await.unwrap();
    assert!(s.claim_deliveries(&t.system, t0() + Duration::seconds(59), 10).await.unwrap().is_empty());
    let again = s.claim_deliveries(&t.system, t0() + Duration::seconds(60), 10).await.unwrap();
    assert_eq!(again.iter().map(|d| (d.channel, d.attempts)).collect::<Vec<_>>(), [(Channel::Sms, 2)]);
    s.mark_failed(&t.system, &again[0], "HTTP 503", retry(again[0].attempts, t0() + Duration::seconds(60)))
        .await
        .unwrap();
    // The email attempt never reported back (a crash mid-send): it comes back, with the same key,
    // when its lease ends; the SMS waits twice as long after its second failure.
    let key = format!("orglife/{}/committee_meeting/2026-03-01/3d", t.a.0);
    let system = &t.system;
    let claim = |secs: i64| async move {
        let got = s.claim_deliveries(system, t0() + Duration::seconds(secs), 10).await.unwrap();
        got.into_iter().map(|d| (d.channel, d.attempts, d.key.clone(), d)).collect::<Vec<_>>()
    };
    let email = claim(120).await;
    assert_eq!(email.iter().map(|d| (d.0, d.1, d.2.as_str())).collect::<Vec<_>>(), [(Channel::Email, 2, key.as_str())]);
    assert!(claim(60 + 119).await.is_empty());
    let sms = claim(60 + 120).await;
    assert_eq!(sms.iter().map(|d| (d.0, d.1, d.2.as_str())).collect::<Vec<_>>(), [(Channel::Sms, 3, key.as_str())]);
    let later = t0() + Duration::seconds(60 + 120);
    for d in email.iter().chain(&sms) {
        s.mark_delivered(&t.system, &d.3, later).await.unwrap();
    }
    assert!(s.claim_deliveries(&t.system, later + Duration::days(30), 10).await.unwrap().is_empty());
    let outbox = s.list_outbox(&t.system, t.a, 0, 10).await.unwrap();
    let rows: Vec<_> = outbox.rows[0].deliveries.iter().map(|d| (d.channel, d.status, d.attempts)).collect();
    let delivered = DeliveryStatus::Delivered;
    assert_eq!(rows, [(Channel::Email, delivered, 2), (Channel::InApp, delivered, 1), (Channel::Sms, delivered, 3)]);
}
on_both!(a_delivery_is_claimed_once_and_retried_with_growing_waits_until_delivered);

async fn an_in_app_reminder_is_one_notification_its_user_alone_reads(b: Backend) {
    let (t, zhang, b_secretary) = setup(b).await;
    let s = t.store();
    s.enqueue_reminders(&t.system, &[reminder(t.a)], Channel::ALL, t0()).await.unwrap();
    let in_app = s.claim_deliveries(&t.system, t0(), 10).await.unwrap();
    let in_app = in_app.iter().find(|d| d.channel == Channel::InApp).unwrap();
    s.deliver_in_app(&t.system, in_app, t0()).await.unwrap();
    s.deliver_in_app(&t.system, in_app, t0()).await.unwrap();
    let mine = s.list_notifications(&zhang, 0, 10).await.unwrap();
    assert_eq!((mine.total, mine.unread), (1, 1), "delivered twice, notified once");
    assert_eq!((mine.items[0].org_id, mine.items[0].stage, mine.items[0].due_on), (t.a, Stage::Days3, d("2026-03-31")));
    assert_eq!(s.unread_notifications(&zhang).await.unwrap(), 1);
    let id = mine.items[0].id;
    assert!(matches!(s.mark_notification_read(&b_secretary, id, t0()).await, Err(StoreError::NotFound)));
    s.mark_notification_read(&zhang, id, t0()).await.unwrap();
    s.mark_notification_read(&zhang, id, t0() + Duration::hours(1)).await.unwrap();
    let mine = s.list_notifications(&zhang, 0, 10).await.unwrap();
    assert_eq!((mine.unread, mine.items[0].read_at.as_deref()), (0, Some("2026-03-28T01:00:00.000Z")));
    assert_eq!(s.list_notifications(&b_secretary, 0, 10).await.unwrap().total, 0);
}
on_both!(an_in_app_reminder_is_one_notification_its_user_alone_reads);

async fn the_outbox_is_scoped_and_only_the_server_enqueues_or_delivers(b: Backend) {
    let (t, zhang, b_secretary) = setup(b).await;
    let s = t.store();
    s.enqueue_reminders(&t.system, &[reminder(t.a), reminder(t.b), reminder(t.c1)], Channel::ALL, t0()).await.unwrap();
    let street = t.login_as(Role::CommitteeAdmin, t.street, None).await;
    let seen: Vec<OrgId> =
        s.list_outbox(&street, t.street, 0, 10).await.unwrap().rows.iter().map(|r| r.org_id).collect();
    assert_eq!(seen, [t.b, t.a], "the street's branches, newest first, not the company's");
    assert!(matches!(s.list_outbox(&street, t.c1, 0, 10).await, Err(StoreError::NotFound)));
    assert!(matches!(s.list_outbox(&b_secretary, t.a, 0, 10).await, Err(StoreError::NotFound)));
    assert!(matches!(s.list_outbox(&zhang, t.a, 0, 10).await, Err(StoreError::Forbidden)));
    assert_eq!(s.list_outbox(&street, t.street, 1, 1).await.unwrap().rows.len(), 1, "paged");
    assert!(matches!(
        s.enqueue_reminders(&street, &[reminder(t.a)], Channel::ALL, t0()).await,
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(s.claim_deliveries(&street, t0(), 10).await, Err(StoreError::Forbidden)));
}
on_both!(the_outbox_is_scoped_and_only_the_server_enqueues_or_delivers);
