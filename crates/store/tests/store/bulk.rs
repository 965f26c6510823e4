use crate::fixture::{Backend, d, open, org};
use crate::on_both;
use qiangji_domain::id_number::IdNumber;
use qiangji_domain::member::MemberInput;
use qiangji_domain::org::Post;
use qiangji_domain::orglife::{Attendance, MeetingInput};
use qiangji_store::Access;
use qiangji_store::bulk::{BulkAttachment, BulkData, BulkMeeting, BulkMember, BulkOrg, BulkPost, load};

/// More members than one statement holds, some with a previous organization, so that batches of
/// several tables fill and flush at different moments.
async fn a_bulk_load_larger_than_one_statement_keeps_every_reference_and_checks_clean(b: Backend) {
    let t = open(b).await;
    let orgs = [
        org("中共某市委组织部", "department", "mixed", false),
        org("中共某街道工作委员会", "working_committee", "community", true),
        org("中共甲社区支部委员会", "branch", "community", false),
        org("中共乙社区支部委员会", "branch", "community", false),
    ];
    let bulk_orgs: Vec<BulkOrg> =
        orgs.iter().zip([None, Some(0), Some(1), Some(1)]).map(|(fields, parent)| BulkOrg { parent, fields }).collect();
    let fields: Vec<_> = (0..3000i64)
        .map(|i| {
            let born = d("1960-01-01") + chrono::Duration::days(i * 3);
            let id = IdNumber::compose(330203, born, 11);
            MemberInput {
                name: format!("党员{i}"),
                sex: id.sex().code().into(),
                ethnicity: "01".into(),
                id_number: id.to_string(),
                education: "college".into(),
                occupation: "worker".into(),
                joined_on: "2005-07-01".into(),
                full_on: "2006-07-01".into(),
                kind: "full".into(),
                ..Default::default()
            }
            .validate(d("2026-11-23"))
            .unwrap()
        })
        .collect();
    let members: Vec<BulkMember> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| BulkMember {
            org: 2 + i % 2,
            fields: f,
            since: if i % 3 == 0 { d("2015-01-01") } else { f.joined_on },
            previous: (i % 3 == 0).then_some(3 - i % 2),
        })
        .collect();
    let posts = [BulkPost { org: 2, post: Post::Secretary, member: 0, since: d("2021-01-01") }];
    // Records with ten attendees each: attendance rows fill statements long before the records do.
    let record = MeetingInput {
        kind: "theme_day".into(),
        held_on: "2026-01-10".into(),
        place: "活动室".into(),
        host: "书记".into(),
        recorder: "委员".into(),
        topic: "主题党日".into(),
        content: "志愿服务".into(),
        ..Default::default()
    }
    .validate(d("2026-11-23"))
    .unwrap();
    let sheets: Vec<Vec<(usize, Attendance, &str)>> =
        (0..3000usize).map(|i| (0..10).map(|k| ((i * 20 + k * 2) % 3000, Attendance::Present, "")).collect()).collect();
    let meetings: Vec<BulkMeeting> = sheets
        .iter()
        .map(|a| BulkMeeting {
            org: 2,
            fields: &record,
            lecturer_is_secretary: false,
            recorded_on: d("2026-01-11"),
            attendance: a,
        })
        .collect();
    // Photos on a third of the records: attachments reference records loaded before them.
    let photos: Vec<Vec<u8>> = (0..1000u32).map(|i| [&[0xFF, 0xD8, 0xFF][..], &i.to_le_bytes()].concat()).collect();
    let attachments: Vec<BulkAttachment> = photos
        .iter()
        .enumerate()
        .map(|(i, bytes)| BulkAttachment { meeting: i * 3, file_name: "签到.jpg", bytes })
        .collect();
    let sys = Access::system("测试", 1);
    let data =
        BulkData { orgs: &bulk_orgs, members: &members, posts: &posts, meetings: &meetings, attachments: &attachments };
    load(&t.store, &sys, &data, &mut |_, _, _| {}).await.unwrap();
    let report = qiangji_store::check::run(t.store.db()).await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!((report.orgs, report.members), (4, 3000));
    assert_eq!(
        report.ledger_entries,
        4 + 3000 + 1000 + 1 + 3000 + 1000,
        "orgs, members, moves of a third, one post group, records, photos"
    );
    let photo =
        t.store.db().one("SELECT meeting_id, size FROM meeting_attachment WHERE id = 1000", vec![]).await.unwrap();
    assert_eq!((photo.int(0), photo.int(1)), (2998, 7));
    let attendance = t.store.db().one("SELECT COUNT(*) FROM meeting_attendance", vec![]).await.unwrap().int(0);
    assert_eq!(attendance, 30_000);
}
on_both!(a_bulk_load_larger_than_one_statement_keeps_every_reference_and_checks_clean);
